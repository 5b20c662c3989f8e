"""The Whoosh engine: Whoosh's own matchers and BM25F scoring. Quickest on small indexes."""

from __future__ import annotations

from whoosh.collectors import FilterCollector, UnlimitedCollector

from indexer.bitsets import iter_bits, to_bits
from search.engines import Engine


class WhooshEngine(Engine):
    name = "whoosh"

    def __init__(self, generation, readers, unit_count: int):
        self._readers = readers

    def match(self, query, memo: dict | None = None) -> int:
        with self._readers.searcher() as searcher:
            return to_bits(searcher.docs_for_query(query))

    def rank(self, scoring, strict, found: int, needed: int, memo: dict | None = None) -> list[tuple[int, float]]:
        """One scoring pass over the units of ``found`` (a small index: every one is scored
        anyway, as Whoosh's top-k collector does without its lossy matcher replacement, which
        can skip units that belong in the top when a query repeats a word), then the tiers."""
        units = set(iter_bits(found))
        with self._readers.searcher() as searcher:
            complete = units.intersection(searcher.docs_for_query(strict))
            collector = FilterCollector(UnlimitedCollector(), units)
            searcher.search_with_collector(scoring, collector)
            scored = [(hit.docnum, hit.score) for hit in collector.results()]
        scored.sort(key=lambda pair: (pair[0] not in complete, -pair[1], pair[0]))
        return scored[:needed]

ENGINE = WhooshEngine
