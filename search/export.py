"""Every result of a search as rows: CSV for spreadsheets, JSON lines for programs.

Shared by the web API (``/api/search.csv``, ``/api/search.jsonl``) and the CLI, so that both
export the same columns. A search is read page by page (``iter_all_hits``): a corpus of the
whole series holds more units than one page may.

>>> list(csv_rows([]))
[['citation', 'citation_full', 'report', 'doc', 'agenda', 'states', 'themes', 'text']]
>>> _cell("=HYPERLINK(1)"), _cell("§37 h)")
("'=HYPERLINK(1)", '§37 h)')
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Iterable, Iterator

from indexer.errors import IndexUnavailableError
from search.results import Hit

#: The CSV columns, in order; a hit without a full citation or a report label leaves them empty.
CSV_COLUMNS = ("citation", "citation_full", "report", "doc", "agenda", "states", "themes", "text")
#: Separator of several values in one CSV cell (states, themes).
LIST_SEPARATOR = "; "
#: Units read per search while exporting.
PAGE_SIZE = 500
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula: such text from a report
    is kept as text by a leading apostrophe (as spreadsheets write it themselves). Control
    characters (an escape sequence in a report) are dropped: a CSV is also read on a terminal."""
    value = _CONTROLS.sub("", value)
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but tab and line ends, DEL, C1


def csv_row(hit: Hit) -> list[str]:
    data = hit.to_dict()
    values = {
        "citation": data["citation"], "citation_full": data.get("citation_full") or "",
        "report": data.get("report") or "", "doc": data["doc"], "agenda": data["agenda"],
        "states": LIST_SEPARATOR.join(data["states"]), "themes": LIST_SEPARATOR.join(data["themes"]),
        "text": data["text"],
    }
    return [_cell(values[column]) for column in CSV_COLUMNS]


def csv_rows(hits: Iterable[Hit]) -> Iterator[list[str]]:
    """The header, then one row per hit."""
    yield list(CSV_COLUMNS)
    for hit in hits:
        yield csv_row(hit)


def csv_lines(hits: Iterable[Hit], bom: bool = False) -> Iterator[str]:
    """``csv_rows`` written as CSV text (RFC 4180: CRLF line ends, quotes where needed), one line at a
    time; ``bom`` starts it with a byte-order mark, by which spreadsheets (Excel) know it is UTF-8
    and show "é" as "é"."""
    if bom:
        yield "\ufeff"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in csv_rows(hits):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def jsonl_lines(hits: Iterable[Hit]) -> Iterator[str]:
    """One hit object of ``congres search --json`` per line."""
    for hit in hits:
        yield json.dumps(hit.to_dict(), ensure_ascii=False) + "\n"


def iter_all_hits(searcher, query: str, filters: dict[str, list[str]] | None = None,
                  page_size: int = PAGE_SIZE, sort: str = "relevance") -> Iterator[Hit]:
    """Every hit of a search, in rank order. The first page is searched now, so that a bad query
    or filter raises here, before anything is written; the others as the iterator is read. An
    export comes whole from one index generation: if a rebuild replaces it meanwhile, reading on
    raises ``IndexUnavailableError``."""
    first = searcher.search(query, filters=filters, limit=page_size, offset=0, sort=sort)
    return _pages(searcher, query, filters, page_size, first, sort)


def _pages(searcher, query, filters, page_size, first, sort) -> Iterator[Hit]:
    yield from first.hits
    offset = page_size
    while offset < first.total:
        page = searcher.search(query, filters=filters, limit=page_size, offset=offset, sort=sort)
        if page.generation != first.generation:
            raise IndexUnavailableError("the index was rebuilt during the export — export again")
        yield from page.hits
        offset += page_size
