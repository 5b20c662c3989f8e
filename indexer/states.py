"""The gazetteer of states (``data/states.tsv``): UN French names, aliases, ISO codes, and the
English names users type (``data/states_en.tsv``), which are never looked for in report text.

>>> GAZETTEER.lookup("bresil"), GAZETTEER.lookup("BRA"), GAZETTEER.lookup("Pays-Bas")
('Brésil', 'Brésil', 'Pays-Bas (Royaume des)')
>>> GAZETTEER.lookup("Netherlands"), GAZETTEER.lookup("united states")
('Pays-Bas (Royaume des)', "États-Unis d'Amérique")
>>> GAZETTEER.find_all("des Émirats arabes unis et du Viet Nam")
['Émirats arabes unis', 'Viet Nam']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from indexer.analysis import normalize
from indexer.datafiles import read_tsv, values


@dataclass(frozen=True)
class State:
    iso3: str
    name: str  # as the UN prints it in French
    aliases: tuple[str, ...]


class Gazetteer:
    """Finds state names in text and resolves what users type (name, alias or ISO code)."""

    def __init__(self, states: list[State], english: dict[str, tuple[str, ...]] | None = None):
        self.states = states
        self._by_key: dict[str, str] = {}  # French forms: also what report text is searched for
        for state in states:
            self._by_key[state.iso3.lower()] = state.name
            for form in (state.name, *state.aliases):
                self._by_key[normalize(form)] = state.name
        by_iso = {state.iso3: state.name for state in states}
        self._by_english = {normalize(form): by_iso[iso3] for iso3, forms in (english or {}).items()
                            for form in forms if iso3 in by_iso}
        self.english_names = {name: forms[0] for iso3, forms in (english or {}).items()
                              if (name := by_iso.get(iso3)) and forms}

    @classmethod
    def from_rows(cls, rows: list[dict[str, str]], english_rows: list[dict[str, str]] = ()) -> Gazetteer:
        """From the rows of ``states.tsv`` (columns iso3, name, aliases) and ``states_en.tsv`` (iso3, names)."""
        return cls([State(row["iso3"], row["name"], tuple(values(row["aliases"]))) for row in rows],
                   {row["iso3"]: tuple(values(row["names"])) for row in english_rows})

    @cached_property
    def _pattern(self) -> re.Pattern:
        # Longest forms first, so "Guinée équatoriale" wins over "Guinée";
        # hyphens count as word characters, so "Nouvelle-Guinée" is not "Guinée".
        forms = sorted((k for k in self._by_key if len(k) > 3), key=len, reverse=True)
        alternatives = "|".join(re.escape(f) for f in forms)
        return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")

    def lookup(self, text: str) -> str | None:
        """The UN name for a name, alias, English name or ISO 3166-1 alpha-3 code, in any case, with or
        without accents."""
        key = normalize(text)
        return self._by_key.get(key) or self._by_english.get(key)

    def lookup_name(self, text: str) -> str | None:
        """As ``lookup``, but a name only: in a query, "est" or "can" are words, not Estonia or Canada."""
        key = normalize(text)
        if len(key) == 3 and not text.isupper():
            return None
        return self._by_key.get(key) or self._by_english.get(key)

    def find_all(self, text: str) -> list[str]:
        """UN names of the states mentioned in ``text``, in order, without repeats."""
        names: list[str] = []
        for match in self._pattern.finditer(normalize(text)):
            name = self._by_key[match.group(0)]
            if name not in names:
                names.append(name)
        return names

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.states]


GAZETTEER = Gazetteer.from_rows(read_tsv("indexer", "states.tsv"), read_tsv("indexer", "states_en.tsv"))
