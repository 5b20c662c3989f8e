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
from indexer.model import Unit

FILE = "facet_units.pickle"
#: The Whoosh fields of the schema that hold facet values, and a unit's values for each.
FIELDS = {
    "agenda": lambda unit: [unit.agenda] if unit.agenda else [],
    "state": lambda unit: unit.states + unit.observers,
    "observer": lambda unit: unit.observers,
    "theme": lambda unit: unit.themes,
    "org": lambda unit: unit.organisations,
    "doc": lambda unit: [unit.doc],
}


def write_facet_units(folder: Path, units: list[Unit]) -> None:
    docnums: dict[str, dict[str, list[int]]] = {field: {} for field in FIELDS}
    for docnum, unit in enumerate(units):  # docnums follow the units
        for field, values_of in FIELDS.items():
            for value in dict.fromkeys(values_of(unit)):
                docnums[field].setdefault(value, []).append(docnum)
    table = {field: {value: to_bits(found) for value, found in sorted(values.items())}
             for field, values in docnums.items()}
    with open(Path(folder) / FILE, "wb") as out:
        pickle.dump(table, out, protocol=pickle.HIGHEST_PROTOCOL)


def read_facet_units(folder: Path) -> dict[str, dict[str, int]] | None:
    """The table, or None for an index without the file (Whoosh's postings then)."""
    try:
        with open(Path(folder) / FILE, "rb") as data:
            table = pickle.load(data)
    except FileNotFoundError:
        return None
    if not isinstance(table, dict) or set(table) != set(FIELDS):
        raise ValueError(f"{FILE} is damaged")
    return table

