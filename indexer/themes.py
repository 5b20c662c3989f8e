"""The theme facet: topics assigned by the transparent rules of ``data/themes.toml``.

>>> taxonomy().themes_of("Renforcer l'action menée contre le trafic d'armes à feu afin de remédier à la violence")
['armes à feu']
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from indexer.analysis import analyze, normalize
from indexer.speakers import SENTENCE_END, names_speakers_or_participants


@dataclass(frozen=True)
class Theme:
    key: str
    label: str
    triggers: tuple[tuple[str, ...], ...]  # each trigger as analysed terms


class Taxonomy:
    def __init__(self, themes: list[Theme]):
        self.themes = themes
        self._triggers_by_first_term: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for number, theme in enumerate(themes):
            for trigger in theme.triggers:
                self._triggers_by_first_term.setdefault(trigger[0], []).append((number, trigger))

    @classmethod
    def from_toml(cls, text: str) -> Taxonomy:
        themes = []
        for key, entry in tomllib.loads(text).items():
            triggers = tuple(t for t in (tuple(analyze(p)) for p in entry["triggers"]) if t)
            themes.append(Theme(key, entry["label"], triggers))
        return cls(themes)

    def themes_of(self, text: str) -> list[str]:
        """Labels of the themes whose triggers occur in ``text``, in taxonomy order."""
        terms = analyze(thematic_text(text))
        found = set()
        for i, term in enumerate(terms):
            for number, trigger in self._triggers_by_first_term.get(term, ()):
                if tuple(terms[i:i + len(trigger)]) == trigger:
                    found.add(number)
        return [self.themes[number].label for number in sorted(found)]

    def lookup(self, text: str) -> str | None:
        """The label for a label or key typed in any case, with or without accents."""
        wanted = normalize(text)
        for theme in self.themes:
            if wanted in (normalize(theme.label), normalize(theme.key)):
                return theme.label
        return None

    @property
    def labels(self) -> list[str]:
        return [t.label for t in self.themes]


def thematic_text(text: str) -> str:
    """The running text of a unit, without the lists that only name things.

    An agenda adopted as a list (its items name every topic) and sentences listing
    who spoke or attended ("Institut … de technologie") would give a unit themes
    it does not discuss.
    """
    first_line = text.split("\n", 1)[0]
    return " ".join(s for s in SENTENCE_END.split(first_line) if not names_speakers_or_participants(s))





@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    """The taxonomy of ``data/themes.toml``, read on first use (searching rarely needs it)."""
    return Taxonomy.from_toml(resources.files("indexer").joinpath("data/themes.toml").read_text(encoding="utf-8"))
