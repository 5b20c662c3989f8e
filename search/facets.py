"""Facets: resolving what users type to facet values, and disjunctive counts.

Each facet's counts ignore that facet's own filter (several values of one
facet are alternatives, OR), while the other facets' filters apply (AND):
choosing Brésil still shows how many units Chili would give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.analysis import normalize
from indexer.bitsets import to_bits
from indexer.errors import InvalidRequestError, UnknownFacetValueError
from indexer.facet_units import read_facet_units
from indexer.facets import FACETS, REGISTRY

_POINT_NUMBER = re.compile(r"^(?:point\s*)?(\d+)$")
_WORKSHOP_NUMBER = re.compile(r"^(?:atelier|workshop)\s*(\d+)$")
_MAIN_THEME_WORDS = {"theme", "theme principal", "principal", "main theme"}


@dataclass
class FacetCount:
    value: str
    count: int
    selected: bool
    observer: bool = False  # state facet: the state spoke only as an observer

    def to_dict(self) -> dict:
        data = {"value": self.value, "count": self.count, "selected": self.selected}
        if self.observer:
            data["observer"] = True
        return data


class FacetTable:
    """Which units carry which facet value, read once from the index, as Python integer bitsets
    (``indexer.bitsets``): what a small index needs, without importing NumPy. A large index has
    ``search.facet_arrays.ArrayFacetTable``, the same answers from NumPy arrays."""

    def __init__(self, units_by_field: dict[str, dict[str, int]]):
        # value → bitset, values in alphabetical order (accents aside): counts then only sort by count
        self.units = {facet: dict(sorted(units_by_field[facet].items(), key=lambda item: normalize(item[0])))
                      for facet in FACETS}
        self._by_key = {facet: {normalize(v): v for v in values} for facet, values in self.units.items()}
        # A state is shown as an observer when every unit it spoke in lists it as one.
        self.observers = {v for v, bits in units_by_field["observer"].items() if bits == self.units["state"].get(v)}

    @classmethod
    def of_index(cls, generation, reader) -> FacetTable:
        """From the file the build wrote, else from Whoosh's postings."""
        table = read_facet_units(generation.facet_units_path)
        if table is None:
            table = units_from_whoosh(reader)
        return cls(table)

    def values(self, facet: str) -> list[str]:
        return list(self.units[facet])

    def units_with(self, facet: str, values: list[str]) -> int:
        """Bitset of the units carrying any of ``values``."""
        bits = 0
        for value in values:
            bits |= self.units[facet].get(value, 0)
        return bits

    def counts(self, facet: str, units: int, selected: list[str]) -> list[FacetCount]:
        """Values of ``facet`` among ``units`` (a bitset), most frequent first; selected values always listed."""
        return self.rows(facet, ((value, (bits & units).bit_count()) for value, bits in self.units[facet].items()),
                         selected)

    def disjunctive_counts(self, matched, allowed: dict, selected: dict[str, list[str]]) -> dict[str, list[FacetCount]]:
        """Every facet's counts among the units ``matched`` that the other facets' filters
        (``allowed``: facet → its units) let through. Facets without a filter share one set."""
        groups: dict[tuple[str, ...], list[str]] = {}
        for facet in FACETS:
            groups.setdefault(tuple(other for other in allowed if other != facet), []).append(facet)
        counted = {}
        for others, facets in groups.items():
            base = matched
            for other in others:
                base = base & allowed[other]
            counted.update(self.counts_among(base, facets, selected))
        return {facet: counted[facet] for facet in FACETS}

    def counts_among(self, units, facets: list[str], selected: dict[str, list[str]]) -> dict[str, list[FacetCount]]:
        return {facet: self.counts(facet, units, selected.get(facet, [])) for facet in facets}

    def rows(self, facet: str, counted, selected: list[str]) -> list[FacetCount]:
        """``counted``: (value, count) in the table's order; the values counted or selected, most frequent first."""
        rows = [FacetCount(value, count, value in selected, value in self.observers)
                for value, count in counted if count or value in selected]
        rows.sort(key=lambda r: -r.count)  # stable: alphabetical among equal counts
        return self.with_unknown(facet, rows, selected)

    def with_unknown(self, facet: str, rows: list[FacetCount], selected: list[str]) -> list[FacetCount]:
        """``rows`` (most frequent first) and the selected values no unit has, at 0, in their place."""
        unknown = [FacetCount(value, 0, True) for value in selected if value not in self.units[facet]]
        if unknown:
            rows += unknown
            rows.sort(key=lambda r: (-r.count, normalize(r.value)))
        return rows

    def resolve(self, facet: str, typed: str) -> str:
        """The facet value a user means by ``typed``, or an error that suggests one."""
        if facet not in FACETS:
            raise InvalidRequestError(f"unknown facet '{facet}' — facets are {', '.join(FACETS)}")
        typed = str(typed).strip()
        known = self.values(facet)
        by_key = self._by_key[facet]
        key = normalize(typed)
        if key in by_key:
            return by_key[key]
        if facet == "state":
            name = _gazetteer().lookup(typed)
            if name:
                return name  # a real state that did not speak: zero results, not an error
        if facet == "theme":
            from indexer.themes import taxonomy  # the taxonomy is read only when a theme is typed

            label = taxonomy().lookup(typed)
            if label:
                return label
        if facet == "agenda":
            match = _agenda_shortcut(key, known)
            if match:
                return match
        candidates = dict(by_key)
        if facet == "state":  # "Royaume" must not quietly mean the only kingdom that spoke
            candidates.update({normalize(n): n for n in _gazetteer().names})
        starts_a_word = re.compile(rf"(?<!\w){re.escape(key)}") if key else None
        partial = [v for k, v in candidates.items() if starts_a_word and starts_a_word.search(k)]
        if len(partial) == 1:
            return partial[0]
        suggestions = partial or self._close_matches(key, candidates)
        raise UnknownFacetValueError(facet, typed, suggestions[:3])

    @staticmethod
    def _close_matches(key: str, candidates: dict[str, str]) -> list[str]:
        from search.spelling import close_matches  # only for a value the index does not know (cold start)

        return [candidates[c] for c in close_matches(key, list(candidates), n=3, cutoff=0.6)]


def _agenda_shortcut(key: str, known: list[str]) -> str | None:
    """``5`` or ``point 5`` → the label of point 5 of the Congress agenda; ``atelier 1`` → the
    point under which workshop 1 is held; ``theme`` → the main theme."""
    number, workshop = _POINT_NUMBER.match(key), _WORKSHOP_NUMBER.match(key)
    for value in known:
        folded = normalize(value)
        if number and re.match(rf"point {number.group(1)}\b", folded):
            return value
        if workshop and re.search(rf"\(atelier {workshop.group(1)}\)", folded):
            return value
        if key in _MAIN_THEME_WORDS and folded.startswith("theme principal"):
            return value
    return None


def _gazetteer():
    """All the world's states, for a state the index does not know (imported then: cold start)."""
    from indexer.states import GAZETTEER

    return GAZETTEER


def units_from_whoosh(reader) -> dict[str, dict[str, int]]:
    """Each facet value's units from Whoosh's postings, for an index without ``facet_units.bin``."""
    return {facet.name: _units_by_value(reader, facet.name) for facet in REGISTRY}


def _units_by_value(reader, field: str) -> dict[str, int]:
    return {
        (t.decode("utf-8") if isinstance(t, bytes) else t): to_bits(reader.postings(field, t).all_ids())
        for t in reader.lexicon(field)
    }

