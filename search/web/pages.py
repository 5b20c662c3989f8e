"""What the HTML page shows, computed from ``SearchResults``: the sidebar, chips, pages, links.

The templates only lay these out; nothing here is HTML (Jinja escapes every value).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from urllib.parse import quote

from indexer.analysis import normalize
from indexer.errors import CongresError, UnknownFacetValueError, UnknownUnitError
from indexer.states import GAZETTEER
from search.results import SearchResults
from search.syntax import without_field
from search.web.params import SearchRequest

FACET_LABELS = {"agenda": "Point de l'ordre du jour", "state": "États", "theme": "Thèmes",
                "org": "Organisations", "report": "Réunions", "doc": "Rapports"}
FACET_NOUNS = {"agenda": "point de l'ordre du jour", "state": "État", "theme": "thème",
               "org": "organisation", "report": "réunion", "doc": "rapport"}
SHOWN_VALUES = 8        # values of a facet shown before "voir plus"
FILTER_BOX_FROM = 15    # a facet with this many values gets a box to filter them
PAGE_LINKS = 2          # page numbers linked on each side of the current one


@dataclass(frozen=True)
class FacetValue:
    id: str          # stable across renderings, so that focus stays on a checkbox once ticked
    value: str
    count: int
    selected: bool
    observer: bool


@dataclass(frozen=True)
class FacetBox:
    name: str
    label: str
    shown: list[FacetValue]
    more: list[FacetValue]   # behind "voir plus"
    filterable: bool


@dataclass(frozen=True)
class Chip:
    facet: str
    label: str
    value: str
    remove_url: str


@dataclass(frozen=True)
class PageLink:
    number: int | None   # None: a gap (…)
    url: str = ""
    current: bool = False


def facet_label(name: str) -> str:
    return FACET_LABELS.get(name, name)


def _value_id(facet: str, value: str) -> str:
    return f"f-{facet}-{hashlib.sha1(value.encode('utf-8', 'replace')).hexdigest()[:12]}"


def facet_boxes(results: SearchResults) -> list[FacetBox]:
    """Per facet: selected values first, then by count (the disjunctive counts of the search).
    A facet with a single value and none selected tells nothing and is left out."""
    boxes = []
    for name, rows in results.facets.items():
        if len(rows) <= 1 and not any(row.selected for row in rows):
            continue
        ordered = sorted(rows, key=lambda row: (not row.selected, -row.count))
        values = [FacetValue(_value_id(name, row.value), row.value, row.count, row.selected, row.observer)
                  for row in ordered]
        cut = max(SHOWN_VALUES, sum(value.selected for value in values))
        boxes.append(FacetBox(name, facet_label(name), values[:cut], values[cut:], len(values) >= FILTER_BOX_FROM))
    return boxes


def chips(request: SearchRequest, results: SearchResults) -> list[Chip]:
    """The filters in force, each with the URL of the same search without it (out of the
    parameters, and out of the query text when it was typed there: ``state:bresil``)."""
    found = []
    for facet, values in results.filters.items():
        for value in values:
            rest = {name: [v for v in kept if not (name == facet and v == value)]
                    for name, kept in results.filters.items()}
            query = without_field(request.query, facet, lambda typed: _may_mean(facet, typed, value))
            found.append(Chip(facet, facet_label(facet), value, request.url(query=query, filters=rest, page=1)))
    return found


def _may_mean(facet: str, typed: str, value: str) -> bool:
    """``typed`` (a value written in the query) stands for the facet value ``value``: the same
    name, a state's alias or ISO code, or the start of a word of it ("guatem", "Pays-Bas")."""
    key, full = normalize(typed), normalize(value)
    if key == full or (facet == "state" and GAZETTEER.lookup(typed) == value):
        return True
    return bool(key) and re.search(rf"(?<!\w){re.escape(key)}", full) is not None


def page_links(request: SearchRequest, total: int) -> list[PageLink]:
    pages = max(1, math.ceil(total / request.limit))
    numbers = sorted({1, pages, *range(max(1, request.page - PAGE_LINKS), min(pages, request.page + PAGE_LINKS) + 1)})
    links, previous = [], 0
    for number in numbers:
        if number > previous + 1:
            links.append(PageLink(None))
        links.append(PageLink(number, request.url(page=number), number == request.page))
        previous = number
    return links if pages > 1 else []


def search_context(request: SearchRequest, results: SearchResults) -> dict:
    pages = max(1, math.ceil(results.total / request.limit))
    data = results.to_dict()
    return {
        "request": request, "results": results, "hits": data["hits"], "facets": facet_boxes(results),
        "chips": chips(request, results), "pages": page_links(request, results.total), "page_count": pages,
        "clear_url": request.url(filters={}, page=1),
        "previous_url": request.url(page=request.page - 1) if request.page > 1 else None,
        "next_url": request.url(page=request.page + 1) if request.page < pages else None,
        "json_url": request.url("/api/search"), "csv_url": request.url("/api/search.csv", page=1),
        "jsonl_url": request.url("/api/search.jsonl", page=1),
        "status": status_text(request, results),
    }


def status_text(request: SearchRequest, results: SearchResults) -> str:
    total = results.total
    count = "Aucun résultat" if total == 0 else f"{total:,} résultat{'s' if total > 1 else ''}".replace(",", "\u202f")
    about = f" pour « {request.query} »" if request.query.strip() else ""
    pages = max(1, math.ceil(total / request.limit))
    page = f" · page {request.page} sur {pages}" if pages > 1 or request.page > 1 else ""
    return f"{count}{about}{page}"


def error_message(error: CongresError) -> str:
    """The error in French for the page (the API answers the CLI's English line)."""
    if isinstance(error, UnknownFacetValueError):
        noun = FACET_NOUNS.get(error.facet, error.facet)
        return f"Valeur inconnue pour le filtre {noun} : « {error.value} »."
    if isinstance(error, UnknownUnitError):
        return "Ce paragraphe n'existe pas dans l'index."
    return f"Impossible de répondre : {' '.join(str(error).split())}"


def unit_url(request: SearchRequest, hit: dict) -> str:
    """The unit's page, carrying the search so that its page can link back to it."""
    return request.url(f"/units/{quote(hit['doc'], safe='')}/{quote(hit['id'], safe='')}", page=request.page)


def citation_text(hit: dict) -> str:
    """What "copier la citation" copies: the UN citation (the report's symbol, or its file name)."""
    return hit["citation_full"]
