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
    read = _read(path)
    if read is None:
        return None
    data, offset, values, units = read
    width = (units + 7) // 8
    table = {}
    for name, names in values.items():
        table[name] = {}
        for value in names:
            table[name][value] = int.from_bytes(data[offset:offset + width], "little")
            offset += width
    return table


def read_facet_rows(path: Path):
    """The same table for NumPy (``search.facet_arrays``): ``(values, units, rows)``, ``rows`` a
    read-only ``uint8`` matrix, one row of ``(units + 7) // 8`` bytes per value, the values of
    each facet in ``values`` order, facet after facet. None for an index without the file."""
    import numpy as np

    read = _read(path)
    if read is None:
        return None
    data, offset, values, units = read
    count, width = sum(len(names) for names in values.values()), (units + 7) // 8
    rows = np.frombuffer(data, dtype=np.uint8, count=count * width, offset=offset).reshape(count, width)
    return values, units, rows


def _read(path: Path):
    """(file bytes, where the bitsets begin, the values of each facet, the unit count), checked."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    end = data.find(b"\n")
    try:
        header = json.loads(data[:end]) if end >= 0 else None
        units = int(header["units"])
        values, width = header["values"], (units + 7) // 8
        ok = header.get("format") == FORMAT and set(values) == {facet.name for facet in REGISTRY}
        count = sum(len(names) for names in values.values())
    except (ValueError, KeyError, TypeError, AttributeError):
        ok = False
    if not ok or len(data) != end + 1 + count * width:
        raise ValueError(f"{Path(path).name} is damaged")
    return data, end + 1, values, units
