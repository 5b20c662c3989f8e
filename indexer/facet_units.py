"""Each facet value's units, as bitsets, written beside the Whoosh segments.

The same sets are in Whoosh's postings, but reading them means one posting list per
value at every opening: a tenth of a cold ``congres search``. One file holds them all
and loads in well under a millisecond for the bundled corpus, without unpickling
anything (an index folder is something people copy and share): a first line of JSON
names the values of each facet in order, then come their bitsets (``indexer.bitsets``),
each ``(units + 7) // 8`` bytes, little-endian, one after the other.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from indexer.bitsets import to_bits
from indexer.facets import REGISTRY
from indexer.model import Unit

FORMAT = 1


def write_facet_units(path: Path, units: list[Unit]) -> None:
    docnums: dict[str, dict[str, list[int]]] = {facet.name: {} for facet in REGISTRY}
    for docnum, unit in enumerate(units):  # docnums follow the units
        for facet in REGISTRY:
            for value in dict.fromkeys(facet.values_of(unit)):
                docnums[facet.name].setdefault(value, []).append(docnum)
    width = (len(units) + 7) // 8
    values = {name: sorted(found) for name, found in docnums.items()}
    header = {"format": FORMAT, "units": len(units), "values": values}
    with open(path, "wb") as out:
        out.write(json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n")
        for name, names in values.items():
            for value in names:
                out.write(to_bits(docnums[name][value]).to_bytes(width, "little"))


def read_facet_units(path: Path) -> dict[str, dict[str, int]] | None:
    """The table, or None for an index without the file (Whoosh's postings then)."""
    found = _open(path)
    if found is None:
        return None
    values, units, file = found
    width = (units + 7) // 8
    with file:
        data = file.read()
    table, offset = {}, 0
    for name, names in values.items():
        table[name] = {}
        for value in names:
            table[name][value] = int.from_bytes(data[offset:offset + width], "little")
            offset += width
    return table


class FacetRows:
    """The same bitsets for NumPy (``search.facet_arrays``), read a few rows at a time: a
    thousand reports make 20 MB of rows at 161,000 units, never all in memory at once."""

    def __init__(self, path: Path | None, values: dict[str, list[str]], units: int, offset: int, data: bytes = b""):
        self.path, self.values, self.units, self._offset, self._data = path and Path(path), values, units, offset, data
        self.width = (units + 7) // 8
        self._first, first = {}, 0
        for name, names in values.items():
            self._first[name], first = first, first + len(names)

    @classmethod
    def of_table(cls, table: dict[str, dict[str, int]], units: int) -> FacetRows:
        """From integer bitsets (``read_facet_units``'s table; an index without the file: Whoosh's)."""
        values = {facet.name: sorted(table[facet.name]) for facet in REGISTRY}
        width = (units + 7) // 8
        data = b"".join(table[name][value].to_bytes(width, "little") for name, names in values.items() for value in names)
        return cls(None, values, units, 0, data)

    def rows(self, facet: str, start: int = 0, stop: int | None = None):
        """The bitsets of values ``start``…``stop`` of ``facet`` (file order): a ``uint8`` matrix."""
        import numpy as np

        stop = len(self.values[facet]) if stop is None else min(stop, len(self.values[facet]))
        count = max(stop - start, 0)
        offset = self._offset + (self._first[facet] + start) * self.width
        if self.path is None:
            data = np.frombuffer(self._data, dtype=np.uint8, count=count * self.width, offset=offset)
        else:
            data = np.fromfile(self.path, dtype=np.uint8, count=count * self.width, offset=offset)
        if len(data) != count * self.width:  # the file changed since it was opened
            raise ValueError(f"{self.path.name} is damaged")
        return data.reshape(count, self.width)

    def chunks(self, facet: str, most_bytes: int = 1 << 20):
        """(first value, its rows and the next ones'), about ``most_bytes`` at a time."""
        step = max(1, most_bytes // max(self.width, 1))
        for start in range(0, len(self.values[facet]), step):
            yield start, self.rows(facet, start, start + step)


def read_facet_rows(path: Path) -> FacetRows | None:
    """The file for NumPy, or None for an index without it."""
    found = _open(path)
    if found is None:
        return None
    values, units, file = found
    with file:
        offset = file.tell()
    return FacetRows(path, values, units, offset)


def _open(path: Path):
    """(the values of each facet, the unit count, the file at its first bitset), checked."""
    try:
        file = open(path, "rb")
    except FileNotFoundError:
        return None
    try:
        line = file.readline()
        header = json.loads(line) if line.endswith(b"\n") else None
        units = int(header["units"])
        values, width = header["values"], (units + 7) // 8
        ok = (header.get("format") == FORMAT and set(values) == {facet.name for facet in REGISTRY} and units >= 0
              and all(isinstance(names, list) for names in values.values()))
        count = sum(len(names) for names in values.values()) if ok else 0
    except (ValueError, KeyError, TypeError, AttributeError):
        ok = False
    if not ok or os.fstat(file.fileno()).st_size != len(line) + count * width:
        file.close()
        raise ValueError(f"{Path(path).name} is damaged")
    return values, units, file
