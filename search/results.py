"""What a search returns; ``to_dict()`` is exactly the CLI's ``--json`` object."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from search.facets import FacetCount
from search.understanding import Explanation
from search.snippets import Snippet


def _escape_html(text: str) -> str:
    return html.escape(text, quote=False)  # apostrophes stay readable


@dataclass
class Hit:
    id: str            # "28" or "37f"
    doc: str           # report identifier
    kind: str          # "paragraph" | "recommendation"
    paragraph: int
    letter: str | None
    citation: str      # "§28", "§37 f)"
    citation_full: str  # in the UN style: "A/CONF.241/RPM.2/1, par. 37 f)" (the file name without a symbol)
    report: str        # the report's label: "Amérique latine et les Caraïbes — San José, février 2025"
    symbol: str | None  # the report's document symbol, when it has one
    agenda: str
    section: str
    states: list[str]
    observers: list[str]
    organisations: list[str]
    themes: list[str]
    score: float | None  # None when browsing (no words to rank by)
    text: str
    snippet_parts: Snippet = field(default_factory=list)

    def snippet(self, start: str = "<mark>", end: str = "</mark>", escape=_escape_html) -> str:
        """The snippet with matched words between ``start`` and ``end`` (HTML-escaped by default)."""
        return "".join(f"{start}{escape(t)}{end}" if marked else escape(t) for t, marked in self.snippet_parts)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "doc": self.doc, "kind": self.kind, "paragraph": self.paragraph,
            "letter": self.letter, "citation": self.citation, "citation_full": self.citation_full,
            "report": self.report, "symbol": self.symbol, "agenda": self.agenda, "section": self.section,
            "states": self.states, "observers": self.observers, "organisations": self.organisations,
            "themes": self.themes, "score": self.score, "snippet": self.snippet(), "text": self.text,
        }


@dataclass
class SearchResults:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    filters: dict[str, list[str]]   # the filters as resolved (canonical values)
    limit: int
    offset: int
    notices: list[str] = field(default_factory=list)  # e.g. words ignored as stop words
    explanation: Explanation | None = None              # how the query was understood
    generation: str = ""                                # the index generation that answered
    reports: int = 0                                    # how many reports that generation holds
    suggested_filters: dict[str, list[str]] = field(default_factory=dict)  # a state named among the words

    def to_dict(self, explain: bool = False) -> dict:
        """The ``--json`` object; ``explain=True`` adds how the query was understood (``--explain``)."""
        data = {
            "query": self.query,
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "filters": self.filters,
            "notices": self.notices,
            "suggested_filters": self.suggested_filters,
            "hits": [hit.to_dict() for hit in self.hits],
            "facets": {name: [row.to_dict() for row in rows] for name, rows in self.facets.items()},
            "generation": self.generation,
        }
        if explain and self.explanation:
            data["explain"] = {**self.explanation.to_dict(), "filters": self.filters}
        return data
