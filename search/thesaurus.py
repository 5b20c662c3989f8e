"""Domain synonyms and acronyms (``data/thesaurus_fr.tsv``), added to a query with a lower weight.

>>> [e.text for e in THESAURUS.alternatives_for(analyze("IA"))][:1]
['intelligence artificielle']
"""

from __future__ import annotations

from typing import NamedTuple

from indexer.analysis import analyze
from indexer.datafiles import read_tsv, values


class Expression(NamedTuple):  # not a frozen dataclass: several times quicker to define (cold start)
    text: str                # as written in the data file
    terms: tuple[str, ...]   # analysed


class Thesaurus:
    def __init__(self, groups: list[list[Expression]]):
        self.groups = groups
        self._group_of = {e.terms: i for i, group in enumerate(groups) for e in group}
        self.longest = max((len(t) for t in self._group_of), default=0)

    @classmethod
    def from_rows(cls, rows: list[dict[str, str]]) -> Thesaurus:
        """From the rows of ``thesaurus_fr.tsv`` (one column, group: expressions separated by ``|``)."""
        groups = []
        for row in rows:
            group = [Expression(e, tuple(analyze(e))) for e in values(row["group"])]
            group = [e for e in group if e.terms]
            if len(group) > 1:
                groups.append(group)
        return cls(groups)

    def find(self, terms: list[str]) -> list[tuple[int, int, int]]:
        """(start, end, group) of expressions found in ``terms``, longest first, not overlapping."""
        found, i = [], 0
        while i < len(terms):
            for size in range(min(self.longest, len(terms) - i), 0, -1):
                group = self._group_of.get(tuple(terms[i:i + size]))
                if group is not None:
                    found.append((i, i + size, group))
                    i += size
                    break
            else:
                i += 1
        return found

    def alternatives_for(self, terms, group: int | None = None) -> list[Expression]:
        """The other expressions of the group of ``terms``."""
        terms = tuple(terms)
        group = self._group_of.get(terms) if group is None else group
        if group is None:
            return []
        return [e for e in self.groups[group] if e.terms != terms]


THESAURUS = Thesaurus.from_rows(read_tsv("search", "thesaurus_fr.tsv"))
