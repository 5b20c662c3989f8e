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
    citation_full: str = Field(description="The UN citation: the report's symbol (else its file name) and the "
                                           "paragraph.", examples=["A/CONF.241/RPM.2/1, par. 37 h)"])
    report: str = Field(description="The report, by its meeting.",
                        examples=["Amérique latine et les Caraïbes — San José, février 2025"])
    symbol: str | None = Field(description="The report's document symbol; null when it has none.")
    agenda: str
    section: str
    states: list[str]
    observers: list[str]
    organisations: list[str]
    themes: list[str]
    score: float | None = Field(description="BM25F score; null when browsing.")
    text: str


class ReportMetadata(_Open):
    """What a report says about itself (`congres reports --json`)."""

    doc: str
    symbol: str | None
    cited_as: str = Field(description="How its units are cited: the symbol, else the file name.")
    label: str
    title: str | None = None
    meeting: str | None = None
    region: str | None = None
    city: str | None = None
    meeting_dates: list[str] = Field(default_factory=list, description="ISO dates: first and last day.")
    date: str | None = Field(None, description="Date of the document (ISO).")
    language: str | None = None
    original_language: str | None = None


class ShownUnit(Unit):
    """One unit in full with its report's metadata, as `congres show --json` prints it."""

    report_metadata: ReportMetadata


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
    suggested_filters: dict[str, list[str]] = Field(description="Filters the query suggests: a state named among "
                                                                "its words (`state`).")
    hits: list[Hit]
    facets: dict[str, list[FacetRow]]
    generation: str


class Error(BaseModel):
    """Every error: a one-line message, and for an unknown facet value what was meant."""

    error: str = Field(description="One line saying what was wrong and what to do.")
    facet: str | None = None
    value: str | None = None
    suggestions: list[str] | None = None
