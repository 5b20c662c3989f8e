"""The Whoosh engine: Whoosh's own matchers and BM25F scoring. Quickest on small indexes."""

from __future__ import annotations

from whoosh.collectors import FilterCollector, TopCollector

from indexer.bitsets import iter_bits, to_bits
from search.engines import Engine


class WhooshEngine(Engine):
    name = "whoosh"

    def __init__(self, generation, readers, unit_count: int):
        self._readers = readers

    def match(self, query) -> int:
        with self._readers.searcher() as searcher:
            return to_bits(searcher.docs_for_query(query))

    def rank(self, scoring, strict, found: int, needed: int) -> list[tuple[int, float]]:
        tier_units = set(iter_bits(found))
        with self._readers.searcher() as searcher:
            complete = tier_units.intersection(searcher.docs_for_query(strict))
            ranked: list[tuple[int, float]] = []
            for tier in (complete, tier_units - complete):
                if tier and len(ranked) < needed:
                    # Without Whoosh's matcher replacement, which can skip units that belong in the top
                    # when a query repeats a word ("personnes personnes corruption").
                    collector = FilterCollector(TopCollector(needed - len(ranked), usequality=False, replace=0), tier)
                    searcher.search_with_collector(scoring, collector)
                    ranked += sorted(((hit.docnum, hit.score) for hit in collector.results()),
                                     key=lambda pair: (-pair[1], pair[0]))
        return ranked


ENGINE = WhooshEngine
