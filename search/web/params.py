"""The search parameters of a request (page and API alike), checked, and back to a URL.

One FastAPI dependency (``search_request``) reads ``q``, ``page``, ``limit`` and one repeatable
parameter per facet of the registry; its signature is built from ``indexer.facets`` so that
``/openapi.json`` documents every facet without a list kept here.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query

from indexer.facets import BY_NAME, FACETS, FILTER_ORDER
from search.searcher import MAX_LIMIT

MAX_QUERY_CHARS = 1_000    # far past the 64 words a query is cut to
MAX_PAGE = 1_000_000       # as `congres search --page`
MAX_FILTER_VALUES = 50     # values of one facet in one request
DEFAULT_LIMIT = 10         # as `congres search`
#: The order `congres search` lists filters in (its options' order), so that the API's
#: ``filters`` object is the CLI's key for key.


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    limit: int = DEFAULT_LIMIT

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit

    def pairs(self, *, page: int | None = None, filters: dict[str, list[str]] | None = None,
              query: str | None = None) -> list[tuple[str, str | int]]:
        """The request as URL parameters, with changes; defaults (page 1, limit 10) left out."""
        query = self.query if query is None else query
        filters = self.filters if filters is None else filters
        page = self.page if page is None else page
        pairs: list[tuple[str, str | int]] = [("q", query)] if query else []
        pairs += [(name, value) for name in FACETS for value in filters.get(name, [])]
        if self.limit != DEFAULT_LIMIT:
            pairs.append(("limit", self.limit))
        if page != 1:
            pairs.append(("page", page))
        return pairs

    def url(self, path: str = "/", **changes) -> str:
        """``path`` with the request's parameters: always a local path, whatever was typed."""
        pairs = self.pairs(**changes)
        return f"{path}?{urlencode(pairs)}" if pairs else path


def _facet_parameter(name: str) -> inspect.Parameter:
    facet = BY_NAME[name]
    query = Query(default_factory=list, max_length=MAX_FILTER_VALUES,
                  description=f"{facet.help.removesuffix(' Repeat for OR.')} Repeatable: values of one facet "
                              f"are alternatives (OR), facets combine (AND); names as `congres search --{name}`.")
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[list[str], query])


def _search_request(q: str, page: int, limit: int, **facets: list[str]) -> SearchRequest:
    filters = {name: list(facets[name]) for name in FILTER_ORDER if facets.get(name)}
    return SearchRequest(query=q, filters=filters, page=page, limit=limit)


def _signature() -> inspect.Signature:
    keyword = inspect.Parameter.KEYWORD_ONLY
    return inspect.Signature([
        inspect.Parameter("q", keyword, default="", annotation=Annotated[str, Query(
            max_length=MAX_QUERY_CHARS, description="The query, in `congres search` syntax; empty: browse.")]),
        inspect.Parameter("page", keyword, default=1, annotation=Annotated[int, Query(
            ge=1, le=MAX_PAGE, description="Page of results.")]),
        inspect.Parameter("limit", keyword, default=DEFAULT_LIMIT, annotation=Annotated[int, Query(
            ge=1, le=MAX_LIMIT, description="Results per page.")]),
        *(_facet_parameter(name) for name in FACETS),
    ], return_annotation=SearchRequest)


def search_request(**parameters) -> SearchRequest:
    """The FastAPI dependency: FastAPI reads the signature below, not this one."""
    return _search_request(**parameters)


search_request.__signature__ = _signature()
