"""The web application: the search page, one page per unit, and the read-only JSON/CSV API.

Every route answers from one shared ``Searcher`` (thread-safe; it follows rebuilds of the index).
The API's objects are the CLI's ``--json`` objects; its errors are ``{"error": one line, …}``
with a status that says whose fault it is. Nothing a request names is read from disk: the
templates and the two static files are loaded once, from this package.
"""

from __future__ import annotations

import hashlib
import logging
from enum import Enum
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Path as PathParam, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException as StarletteHTTPException

from indexer.errors import (CongresError, CorpusError, IndexUnavailableError, InvalidRequestError,
                            UnknownFacetValueError, UnknownUnitError)
from indexer.facets import FACETS
from search import export
from search.searcher import Searcher
from search.web import models, pages
from search.web.params import MAX_QUERY_CHARS, SearchRequest, search_request

HERE = Path(__file__).resolve().parent
log = logging.getLogger("congres.web")

#: The static files, by URL name; nothing else under /static/ exists.
STATIC_FILES = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8",
                "favicon.svg": "image/svg+xml"}
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
_UNIT_ID = Annotated[str, PathParam(max_length=40, description="Unit id: 28, 37h.", examples=["37h"])]
_DOC = Annotated[str, PathParam(max_length=200, description="Report identifier.", examples=["san-jose-2025"])]

FacetName = Enum("FacetName", {name: name for name in FACETS}, type=str)


def _status(error: CongresError) -> int:
    if isinstance(error, UnknownFacetValueError):
        return 422
    if isinstance(error, UnknownUnitError):
        return 404
    if isinstance(error, (IndexUnavailableError, CorpusError)):
        return 503
    return 400  # InvalidRequestError and anything else the request asked for


def _error_body(error: CongresError) -> dict:
    body = {"error": _one_line(str(error))}
    if isinstance(error, UnknownFacetValueError):
        body.update(facet=error.facet, value=error.value, suggestions=list(error.suggestions))
    return body


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _validation_message(error: RequestValidationError) -> str:
    """The first problem, as 'limit: Input should be less than or equal to 10000'."""
    first = error.errors()[0] if error.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ())[1:]) or "request"
    return _one_line(f"{where}: {first.get('msg', 'invalid request')}")


_ERRORS = {"model": models.Error}
_SEARCH_ERRORS = {400: _ERRORS, 422: _ERRORS, 503: _ERRORS}
_PAGE_ERRORS = {status: {"description": f"The page, saying what was wrong ({what}).", "content": {"text/html": {}}}
                for status, what in ((400, "a bad request"), (404, "no such unit"), (422, "an unknown value or a "
                                     "parameter out of range"), (503, "the index cannot answer"))}


class _Guard:
    """ASGI middleware: the security headers on every answer, and a last resort for bugs — an
    exception no handler knew is logged and answered with a 500 JSON error, never a traceback."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.decode("latin-1") not in SECURITY_HEADERS]
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("internal error answering %s", scope.get("path"))
            if started:
                raise  # the body was under way: the connection is cut, so the answer is seen as incomplete
            response = JSONResponse({"error": "internal error — please report it"}, status_code=500)
            await response(scope, receive, send_with_headers)


def create_app(searcher: Searcher) -> FastAPI:
    """The application over ``searcher``, which the caller opens and closes."""
    app = FastAPI(title="congres", version="1", docs_url=None, redoc_url=None,
                  description="Search UN Crime Congress preparatory reports in French, with facets. "
                              "Read-only; every object is the one `congres … --json` prints.")
    templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                            trim_blocks=True, lstrip_blocks=True)
    templates.globals.update(facet_label=pages.facet_label, citation_text=pages.citation_text, unit_url=pages.unit_url,
                             max_query=MAX_QUERY_CHARS)
    static = {name: (HERE / "static" / name).read_bytes() for name in STATIC_FILES}
    versions = {name: hashlib.sha256(body).hexdigest()[:12] for name, body in static.items()}
    templates.globals["static_url"] = lambda name: f"/static/{name}?v={versions[name]}"
    app.add_middleware(_Guard)
    schemas: dict[str, dict] = {}  # by generation
    app.openapi = lambda: _openapi(app, searcher, schemas)

    def html(template: str, code: int = 200, **context) -> HTMLResponse:
        return HTMLResponse(templates.get_template(template).render(**context), status_code=code)

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"

    def error_page(code: int, message: str, search: SearchRequest | None = None,
                   suggestions=()) -> HTMLResponse:
        return html("search.html", code, request=search or SearchRequest(), error=message, suggestions=suggestions,
                    status=message, results=None)

    @app.exception_handler(CongresError)
    async def congres_error(request: Request, error: CongresError):
        if is_api(request):
            return JSONResponse(_error_body(error), status_code=_status(error))
        return error_page(_status(error), pages.error_message(error))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError):
        message = _validation_message(error)
        if is_api(request):
            return JSONResponse({"error": message}, status_code=422)
        return error_page(422, f"Requête invalide — {message}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        message = "no such page" if error.status_code == 404 else _one_line(str(error.detail))
        if is_api(request):
            return JSONResponse({"error": message}, status_code=error.status_code, headers=error.headers)
        text = "Cette page n'existe pas." if error.status_code == 404 else f"Requête refusée : {message}"
        return error_page(error.status_code, text)

    # --- the API ------------------------------------------------------------------------

    @app.get("/api/search", response_model=models.SearchResponse, responses=_SEARCH_ERRORS, tags=["api"],
             summary="Search: the object `congres search --json` prints")
    def api_search(search: Annotated[SearchRequest, Depends(search_request)]):
        results = searcher.search(search.query, filters=search.filters, limit=search.limit, offset=search.offset)
        return JSONResponse(results.to_dict())

    @app.get("/api/search.csv", response_class=Response, responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}},
              "description": f"Every result, columns {', '.join(export.CSV_COLUMNS)}."}, **_SEARCH_ERRORS},
        tags=["api"], summary="Every page of the results as CSV")
    def api_search_csv(search: Annotated[SearchRequest, Depends(search_request)]):
        hits = export.iter_all_hits(searcher, search.query, search.filters)
        return StreamingResponse(export.csv_lines(hits, bom=True), media_type="text/csv; charset=utf-8",
                                 headers={"content-disposition": 'attachment; filename="congres-resultats.csv"'})

    @app.get("/api/search.jsonl", response_class=Response, responses={
        200: {"content": {"application/jsonl": {"schema": {"type": "string"}}},
              "description": "Every result, one hit object of `congres search --json` per line."}, **_SEARCH_ERRORS},
        tags=["api"], summary="Every page of the results as JSON lines")
    def api_search_jsonl(search: Annotated[SearchRequest, Depends(search_request)]):
        hits = export.iter_all_hits(searcher, search.query, search.filters)
        return StreamingResponse(export.jsonl_lines(hits), media_type="application/jsonl; charset=utf-8",
                                 headers={"content-disposition": 'attachment; filename="congres-resultats.jsonl"'})

    @app.get("/api/units/{doc}/{unit_id}", response_model=models.ShownUnit,
             responses={404: _ERRORS, 422: _ERRORS, 503: _ERRORS}, tags=["api"],
             summary="One unit in full: the object `congres show --json` prints")
    def api_unit(doc: _DOC, unit_id: _UNIT_ID):
        return JSONResponse(searcher.unit_object(f"{doc}:{unit_id}"))

    @app.get("/api/facets", response_model=dict[str, list[models.FacetRow]],
             responses={422: _ERRORS, 503: _ERRORS}, tags=["api"],
             summary="Values of one facet (or all) with their numbers of units: `congres facets --json`")
    def api_facets(facet: Annotated[FacetName | None, Query(description="One facet; all when absent.")] = None):
        names = [facet.value] if facet else list(FACETS)
        return JSONResponse({name: [row.to_dict() for row in searcher.facet_values(name)] for name in names})

    # --- the pages --------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, responses=_PAGE_ERRORS, tags=["pages"],
             summary="The search page (same parameters as /api/search)")
    def search_page(search: Annotated[SearchRequest, Depends(search_request)]):
        try:
            results = searcher.search(search.query, filters=search.filters, limit=search.limit,
                                      offset=search.offset)
        except UnknownFacetValueError as error:
            suggestions = [(value, search.url(filters=_replaced(search.filters, error, value), page=1))
                           for value in error.suggestions]
            message = pages.error_message(error)
            return error_page(422, message, search, suggestions)
        except CongresError as error:
            return error_page(_status(error), pages.error_message(error), search)
        return html("search.html", **pages.search_context(search, results), error=None, suggestions=())

    # {doc_id}, not {doc}: the search parameters it carries (for the link back) include a doc facet
    @app.get("/units/{doc_id}/{unit_id}", response_class=HTMLResponse, responses=_PAGE_ERRORS,
             tags=["pages"], summary="One unit in full; the search parameters make the link back")
    def unit_page(doc_id: _DOC, unit_id: _UNIT_ID, search: Annotated[SearchRequest, Depends(search_request)]):
        try:
            hit = searcher.get(f"{doc_id}:{unit_id}").to_dict()
        except CongresError as error:
            return error_page(_status(error), pages.error_message(error), search)
        return html("unit.html", hit=hit, request=search, back_url=search.url("/"),
                    status=f"{hit['citation']} — {hit.get('report') or hit['doc']}")

    @app.get("/static/{name}", include_in_schema=False)
    def static_file(name: str):
        if name not in static:
            raise StarletteHTTPException(404)
        return Response(static[name], media_type=STATIC_FILES[name],
                        headers={"cache-control": "public, max-age=86400"})

    return app


#: A facet with at most this many values has them listed as an enum in /openapi.json.
ENUM_UP_TO = 250


def _openapi(app: FastAPI, searcher: Searcher | None, schemas: dict[str, dict]) -> dict:
    """The schema, with each facet parameter's values as found in the index (the canonical
    ones: aliases and ISO codes are accepted too, as the description says). Made again when
    a rebuild changes the generation."""
    generation = searcher.generation if searcher is not None else ""
    if generation not in schemas:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        values = {name: [row.value for row in searcher.facet_values(name)] for name in FACETS} if searcher else {}
        for operation in (op for methods in schema["paths"].values() for op in methods.values()):
            for parameter in operation.get("parameters", []):
                listed = values.get(parameter["name"]) if parameter["in"] == "query" else None
                if listed and len(listed) <= ENUM_UP_TO:
                    parameter["schema"]["items"]["enum"] = listed
        schemas.clear()
        schemas[generation] = schema
    return schemas[generation]


def _replaced(filters: dict[str, list[str]], error: UnknownFacetValueError, suggestion: str) -> dict[str, list[str]]:
    """The filters with the unknown value replaced by one of its suggestions."""
    return {name: [suggestion if name == error.facet and value == error.value else value for value in values]
            for name, values in filters.items()}
