"""Engines: how a query is matched and ranked over one index generation.

The query is understood once (``search.query``: a tree of Whoosh query objects, used as
the engine-neutral form: terms, phrases, prefixes, groups, exclusions, constant-score
fields); each engine evaluates that tree its own way and answers the same two questions:

- ``match(query, memo)``: the set of the units the query matches;
- ``rank(scoring, strict, found, needed, memo)``: the first ``needed`` units of the set
  ``found``, those that also match ``strict`` first, each tier by score then document
  order, as ``(docnum, score)`` pairs.

A set of units is the engine's own kind: a Python integer bitset (``indexer.bitsets``) by
default, a NumPy boolean mask for the arrays engine. Both take ``&``, ``|`` and ``~`` (``a & ~b``
is a difference); anything else goes through the engine (``count``, ``first``, ``all_units``),
and the facet table the engine opens (``facet_table``) counts that kind.

``memo`` is a dict that lives for one search: the loose, strict and scoring queries share
their parts (the same node objects), and an engine may remember what it computed for each.

Everything else a search needs (facet counts, stored fields, spelling) is the
snapshot's (``search.snapshot``), the same for every engine. One module per engine;
nothing outside this package asks which engine it is talking to.
"""

from __future__ import annotations

from importlib import import_module

ENGINES = ("whoosh", "arrays")
#: Engines that answer from a cluster instead of a local generation (``search.opensearch_snapshot``).
REMOTE_ENGINES = ("opensearch",)
#: From this many units, queries are matched and scored on NumPy arrays (``arrays``);
#: below, Whoosh itself is quicker than importing NumPy (a tenth of a second) for a one-off search.
ARRAYS_FROM = 5_000


class Engine:
    """What every engine implements (see the module docstring)."""

    name = ""

    # --- sets of units: integer bitsets unless an engine says otherwise ----------------

    @staticmethod
    def all_units(size: int):
        return (1 << size) - 1  # a generation is written once: docnums are 0…n-1, none deleted

    @staticmethod
    def count(units) -> int:
        return units.bit_count()

    @staticmethod
    def first(units, limit: int) -> list[int]:
        """The first ``limit`` docnums of ``units``, in document order."""
        from indexer.bitsets import iter_bits

        return list(iter_bits(units, limit))

    @staticmethod
    def facet_table(generation, reader):
        """The facet table that counts this engine's sets (``search.facets``)."""
        from search.facets import FacetTable

        return FacetTable.of_index(generation, reader)

    def match(self, query, memo: dict | None = None) -> int:
        raise NotImplementedError

    def rank(self, scoring, strict, found: int, needed: int, memo: dict | None = None) -> list[tuple[int, float]]:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the engine holds (open files…)."""


def choose(requested: str | None, unit_count: int, has_arrays: bool) -> str:
    """The engine named, else arrays for a large index that has them, else Whoosh."""
    if requested is not None:
        return requested
    return "arrays" if unit_count >= ARRAYS_FROM and has_arrays else "whoosh"


def open_engine(name: str, generation, readers, unit_count: int) -> Engine:
    """The engine ``name`` on ``generation``; ``readers`` lends Whoosh searchers (``search.snapshot``).
    Imported only when used: the arrays engine imports NumPy, slow to import."""
    return import_module(f"search.engines.{name}").ENGINE(generation, readers, unit_count)
