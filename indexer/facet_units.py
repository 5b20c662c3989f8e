"""Each facet value's units, as bitsets, written beside the Whoosh segments.

The same sets are in Whoosh's postings, but reading them means one posting list per
value at every opening: a tenth of a cold ``congres search``. One pickled mapping of
Python integers (a bit per docnum, see ``indexer.bitsets``) loads in well under a
millisecond for the bundled corpus.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from indexer.bitsets import to_bits
from indexer.facets import REGISTRY
from indexer.model import Unit


def write_facet_units(path: Path, units: list[Unit]) -> None:
    docnums: dict[str, dict[str, list[int]]] = {facet.name: {} for facet in REGISTRY}
    for docnum, unit in enumerate(units):  # docnums follow the units
        for facet in REGISTRY:
            for value in dict.fromkeys(facet.values_of(unit)):
                docnums[facet.name].setdefault(value, []).append(docnum)
    table = {name: {value: to_bits(found) for value, found in sorted(values.items())}
             for name, values in docnums.items()}
    with open(path, "wb") as out:
        pickle.dump(table, out, protocol=pickle.HIGHEST_PROTOCOL)


def read_facet_units(path: Path) -> dict[str, dict[str, int]] | None:
    """The table, or None for an index without the file (Whoosh's postings then)."""
    try:
        with open(path, "rb") as data:
            table = pickle.load(data)
    except FileNotFoundError:
        return None
    if not isinstance(table, dict) or set(table) != {facet.name for facet in REGISTRY}:
        raise ValueError(f"{Path(path).name} is damaged")
    return table
