"""The unit of search: one numbered paragraph or one lettered recommendation."""

from __future__ import annotations

from dataclasses import dataclass, field

PARAGRAPH = "paragraph"
RECOMMENDATION = "recommendation"


def citation(paragraph: int, letter: str | None) -> str:
    """How a reader cites a unit: ``§28`` or ``§37 f)``."""
    return f"§{paragraph} {letter})" if letter else f"§{paragraph}"


@dataclass
class Unit:
    doc: str                       # report identifier (corpus file name without extension)
    paragraph: int                 # the paragraph number as printed
    letter: str | None             # "f" for recommendation 37 f), None for a paragraph
    text: str                      # whole text, page-break fragments joined by one space
    headings: tuple[str, ...]      # chapter, section, sub-section headings as printed, outermost first
    subheading: str | None = None  # "Résumé des délibérations", "Résultat des délibérations"…
    agenda_key: str | None = None  # "theme", "3"…"6", or None for non-substantive parts
    agenda: str = ""               # short French label of the agenda item
    states: list[str] = field(default_factory=list)         # member states that spoke in the section
    observers: list[str] = field(default_factory=list)      # observer states that spoke in the section
    organisations: list[str] = field(default_factory=list)  # organisations that spoke in the section
    themes: list[str] = field(default_factory=list)
    report: str = ""               # the report's label (indexer.metadata): "Afrique — Addis-Abeba, mars 2025"

    @property
    def id(self) -> str:
        return f"{self.paragraph}{self.letter or ''}"

    @property
    def kind(self) -> str:
        return RECOMMENDATION if self.letter else PARAGRAPH

    @property
    def citation(self) -> str:
        return citation(self.paragraph, self.letter)

    @property
    def section(self) -> str:
        """The innermost heading, for display."""
        return " › ".join(h for h in (self.headings[-1] if self.headings else None, self.subheading) if h)
