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
from indexer.facet_units import FacetRows, read_facet_rows
from indexer.facets import BY_NAME, FACETS
from search.facets import FacetCount, FacetTable, units_from_whoosh


#: A facet with one value per unit is counted as a matrix too when it has at most this many values
#: (agenda, report): a few rows of words are quicker than the docnums of the units counted, and small.
MATRIX_MOST = 64


class ArrayFacetTable(FacetTable):
    """``FacetTable``'s answers, on boolean masks of ``size`` units."""

    def __init__(self, table: FacetRows):
        """``table``: the bitset rows of every value (``indexer.facet_units``)."""
        self.size = size = table.units
        self._words = (size + 63) // 64
        self.units, self._ids, self._matrix, self._by_key = {}, {}, {}, {}
        values = table.values
        for facet in FACETS:
            names = values[facet]
            keys = [normalize(name) for name in names]
            order = np.array(sorted(range(len(names)), key=keys.__getitem__), dtype=np.int64)
            self.units[facet] = {names[i]: rank for rank, i in enumerate(order.tolist())}  # value → its row
            self._by_key[facet] = {keys[i]: names[i] for i in order.tolist()}
            if BY_NAME[facet].multiple or len(names) <= MATRIX_MOST:
                self._matrix[facet] = self._packed(table.rows(facet)[order])
            else:  # ids in file order, then ranks (the ``len(names)`` of a unit without a value stays)
                rank = np.empty(len(names) + 1, dtype=np.int32)
                rank[order], rank[-1] = np.arange(len(names), dtype=np.int32), len(names)
                self._ids[facet] = rank[_value_ids(table, facet)]
        self._names = {facet: list(ranks) for facet, ranks in self.units.items()}
        # A state is shown as an observer when every unit it spoke in lists it as one.
        observers, states = table.rows("observer"), self._matrix["state"]
        state_row = self.units["state"]
        self.observers = {v for v, row in zip(values["observer"], observers)
                          if v in state_row and np.array_equal(self._packed(row[None])[0], states[state_row[v]])}

    @classmethod
    def of_index(cls, generation, reader) -> ArrayFacetTable:
        """From the file the build wrote, else from Whoosh's postings."""
        table = read_facet_rows(generation.facet_units_path)
        if table is None:
            table = FacetRows.of_table(units_from_whoosh(reader), reader.doc_count_all())
        return cls(table)

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
                counts = _bits_per_row(self._matrix[facet] & packed)
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


#: Bits set in each byte: counting without ``np.bitwise_count`` (NumPy before 2.0).
_BYTE_BITS = np.array([bin(byte).count("1") for byte in range(256)], dtype=np.uint8)
BITWISE_COUNT = hasattr(np, "bitwise_count")


def _bits_per_row(words: np.ndarray) -> np.ndarray:
    if BITWISE_COUNT:
        return np.bitwise_count(words).sum(axis=1, dtype=np.int64)
    return _BYTE_BITS[words.view(np.uint8)].sum(axis=1, dtype=np.int64)


def _value_ids(table: FacetRows, facet: str) -> np.ndarray:
    """Each unit's value (its index in the file's order) for a facet with at most one value per
    unit; ``len(values)`` for none. The rows are read a few at a time."""
    ids = np.full(table.units, len(table.values[facet]), dtype=np.int32)
    for first, block in table.chunks(facet):
        rows, columns = _nonzero_bytes(block)
        if len(rows):
            bits = np.unpackbits(block[rows, columns][:, None], axis=1, bitorder="little").astype(bool)
            which, bit = np.nonzero(bits)
            ids[columns[which] * 8 + bit] = rows[which] + first
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
