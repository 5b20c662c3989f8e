"""Facet counts with NumPy, for the indexes the arrays engine searches (``search.engines.arrays``).

With Python integer bitsets, counting is one ``&`` and one ``bit_count()`` of a 20 kB integer
per facet value: at 161,000 units, with a thousand reports, over a thousand of them per query,
half its time. Here a set of units is a boolean mask over all units, and:

- a facet with several values per unit (state, theme, org) is a matrix of bits, one row of
  packed ``uint64`` words per value: its counts are ``bitwise_count(rows & units)`` summed by row;
- so is a facet with one value per unit and few values (agenda, report); one with many (doc: a
  thousand reports would make a matrix of 20 MB at 161,000 units) is an array of value ids, one
  per unit: its counts are one ``bincount`` of the ids of the units counted.

Same values, same order, same counts as ``search.facets.FacetTable`` (``tests/test_facet_arrays.py``).
"""

from __future__ import annotations

import numpy as np

from indexer.analysis import normalize
from indexer.facet_units import read_facet_rows
from indexer.facets import BY_NAME, FACETS, REGISTRY
from search.facets import FacetCount, FacetTable, units_from_whoosh


#: A facet with one value per unit is counted as a matrix too when it has at most this many values
#: (agenda, report): a few rows of words are quicker than the docnums of the units counted, and small.
MATRIX_MOST = 64


class ArrayFacetTable(FacetTable):
    """``FacetTable``'s answers, on boolean masks of ``size`` units."""

    def __init__(self, values: dict[str, list[str]], size: int, rows: np.ndarray):
        """``rows``: one bitset row per value (``indexer.facet_units.read_facet_rows``)."""
        self.size = size
        self._words = (size + 63) // 64
        self.units, self._ids, self._matrix = {}, {}, {}
        start, first = {}, 0
        for name, names in values.items():
            start[name], first = first, first + len(names)
        keys = {facet: [normalize(name) for name in values[facet]] for facet in FACETS}
        self._by_key = {}
        for facet in FACETS:
            names = values[facet]
            order = np.array(sorted(range(len(names)), key=keys[facet].__getitem__), dtype=np.int64)
            self._by_key[facet] = {keys[facet][i]: names[i] for i in order.tolist()}
            self.units[facet] = {names[i]: rank for rank, i in enumerate(order)}  # value → its row
            block = rows[start[facet]:start[facet] + len(names)]
            if BY_NAME[facet].multiple or len(names) <= MATRIX_MOST:
                self._matrix[facet] = self._packed(block[order])
            else:  # ids in file order, then ranks (the ``len(names)`` of a unit without a value stays)
                rank = np.empty(len(names) + 1, dtype=np.int32)
                rank[order], rank[-1] = np.arange(len(names), dtype=np.int32), len(names)
                self._ids[facet] = rank[_value_ids(block, size)]
        self._names = {facet: list(ranks) for facet, ranks in self.units.items()}
        observer = rows[start["observer"]:start["observer"] + len(values["observer"])]
        state_rows = {v: rows[start["state"] + i] for i, v in enumerate(values["state"])}
        self.observers = {v for v, row in zip(values["observer"], observer)
                          if v in state_rows and np.array_equal(row, state_rows[v])}

    @classmethod
    def of_index(cls, generation, reader) -> ArrayFacetTable:
        """From the file the build wrote, else from Whoosh's postings."""
        read = read_facet_rows(generation.facet_units_path)
        if read is None:
            read = _rows_of(units_from_whoosh(reader), reader.doc_count_all())
        return cls(*read)

    def _packed(self, block: np.ndarray) -> np.ndarray:
        """Rows of bytes → rows of ``uint64`` words (zero padded)."""
        packed = np.zeros((len(block), self._words * 8), dtype=np.uint8)
        packed[:, :block.shape[1]] = block
        return packed.view("<u8")

    def units_with(self, facet: str, values: list[str]) -> np.ndarray:
        """Mask of the units carrying any of ``values``."""
        rows = [self.units[facet][value] for value in values if value in self.units[facet]]
        if facet in self._ids:
            return np.isin(self._ids[facet], rows)
        words = np.bitwise_or.reduce(self._matrix[facet][rows], axis=0) if rows else np.zeros(self._words, "<u8")
        return np.unpackbits(words.view(np.uint8), count=self.size, bitorder="little").view(bool)

    def counts(self, facet: str, units: np.ndarray, selected: list[str]) -> list[FacetCount]:
        return self.counts_among(units, [facet], {facet: selected})[facet]

    def counts_among(self, units: np.ndarray, facets: list[str], selected: dict[str, list[str]]) -> dict[str, list[FacetCount]]:
        """The work shared by the facets counted on one set: its units' docnums, its packed words."""
        docnums = packed = None
        counted = {}
        for facet in facets:
            if facet in self._ids:
                if docnums is None:
                    docnums = np.flatnonzero(units)
                counts = np.bincount(self._ids[facet][docnums], minlength=len(self.units[facet]) + 1)
            else:
                if packed is None:
                    packed = self._packed(np.packbits(units, bitorder="little")[None])[0]
                counts = np.bitwise_count(self._matrix[facet] & packed).sum(axis=1, dtype=np.int64)
            counted[facet] = self._listed(facet, counts, selected.get(facet, []))
        return counted

    def _listed(self, facet: str, counts: np.ndarray, selected: list[str]) -> list[FacetCount]:
        names, ranks = self._names[facet], self.units[facet]
        counts = counts[:len(names)]
        shown = np.flatnonzero(counts)
        zero = [ranks[value] for value in selected if value in ranks and not counts[ranks[value]]]
        if zero:  # selected values are listed even when none of the units has them
            shown = np.union1d(shown, zero)
        shown = shown[np.argsort(-counts[shown], kind="stable")]  # stable: alphabetical among equal counts
        chosen, observers = set(selected), self.observers
        rows = [FacetCount(name, count, name in chosen, name in observers)
                for name, count in zip(map(names.__getitem__, shown.tolist()), counts[shown].tolist())]
        return self.with_unknown(facet, rows, selected)


def _value_ids(block: np.ndarray, size: int) -> np.ndarray:
    """Each unit's row in ``block`` (a facet with at most one value per unit), ``len(block)`` for none."""
    ids = np.full(size, len(block), dtype=np.int32)
    rows, columns = _nonzero_bytes(block)
    if len(rows):
        bits = np.unpackbits(block[rows, columns][:, None], axis=1, bitorder="little").astype(bool)
        which, bit = np.nonzero(bits)
        ids[columns[which] * 8 + bit] = rows[which]
    return ids


def _nonzero_bytes(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of the bytes of ``block`` that are not 0, found eight at a time: one value's
    units are a small part of all, so most words are 0 (a thousand reports: 20 MB, a few ms)."""
    flat = np.ascontiguousarray(block).reshape(-1)
    whole = len(flat) // 8 * 8
    words = np.flatnonzero(flat[:whole].view(np.uint64))
    positions = np.concatenate([(words[:, None] * 8 + np.arange(8)).ravel(), np.arange(whole, len(flat))])
    positions = positions[flat[positions] != 0]
    return np.divmod(positions, max(block.shape[1], 1))


def _rows_of(table: dict[str, dict[str, int]], size: int) -> tuple[dict[str, list[str]], int, np.ndarray]:
    """``read_facet_rows``'s answer from integer bitsets (an index without ``facet_units.bin``)."""
    width = (size + 7) // 8
    values = {facet.name: sorted(table[facet.name]) for facet in REGISTRY}
    data = b"".join(table[name][value].to_bytes(width, "little") for name, names in values.items() for value in names)
    count = sum(len(names) for names in values.values())
    return values, size, np.frombuffer(data, dtype=np.uint8).reshape(count, width)
