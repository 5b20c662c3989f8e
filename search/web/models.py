"""The shapes of the API's answers, for ``/openapi.json``.

They document what ``SearchResults.to_dict()`` and ``Hit.to_dict()`` return; the routes send
those dictionaries as they are (the ``--json`` objects, key for key), not these models.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")  # a key added to the --json objects stays valid


class Unit(_Open):
    """One unit in full, as `congres show --json` prints it."""

    id: str = Field(examples=["37h"])
    doc: str = Field(description="Report identifier (corpus file name).", examples=["san-jose-2025"])
    kind: Literal["paragraph", "recommendation"]
    paragraph: int
    letter: str | None
    citation: str = Field(examples=["§37 h)"])
    citation_full: str | None = Field(None, description="The full UN citation, when the report's symbol is known.")
    report: str | None = Field(None, description="The report, by its meeting.")
    agenda: str
    section: str
    states: list[str]
    observers: list[str]
    organisations: list[str]
    themes: list[str]
    score: float | None = Field(description="BM25F score; null when browsing.")
    text: str


class Hit(Unit):
    """One result: the unit with its snippet."""

    snippet: str = Field(description="HTML-safe text with matched words in <mark>…</mark>.")


class FacetRow(_Open):
    value: str
    count: int = Field(ge=0)
    selected: bool
    observer: bool | None = Field(None, description="Present (true) for observer states only.")


class SearchResponse(_Open):
    """Exactly what `congres search --json` prints for the same arguments."""

    query: str
    total: int = Field(ge=0)
    offset: int = Field(ge=0)
    limit: int = Field(ge=1)
    filters: dict[str, list[str]] = Field(description="The filters as understood (canonical values).")
    notices: list[str]
    hits: list[Hit]
    facets: dict[str, list[FacetRow]]
    generation: str


class Error(BaseModel):
    """Every error: a one-line message, and for an unknown facet value what was meant."""

    error: str = Field(description="One line saying what was wrong and what to do.")
    facet: str | None = None
    value: str | None = None
    suggestions: list[str] | None = None
