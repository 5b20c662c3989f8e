"""``python -m deploy.opensearch.bench [--sizes 100 1000] [--rounds 5]``: the OpenSearch engine beside
the embedded ones, in one run.

For each K, K copies of the bundled report are indexed locally (``bench.perf``'s synthetic
corpus), then published to the node at ``$CONGRES_OPENSEARCH_URL`` (bulk load of the stored
units, refresh, alias swap: units/s); the same warm query mix as ``bench.perf`` (four queries,
each with 0, 1 and 2 facet filters, the five facets' counts in every answer) is timed on the
whoosh, arrays and opensearch engines: p50 and p95. The node's heap is printed with the rows.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import httpx

from bench.perf.__main__ import synthetic_corpus
from bench.perf.worker import _latencies
from indexer.build import build_index
from indexer.opensearch_load import DEFAULT_URL, URL_ENV, publish
from indexer.store import Generation
from search import Searcher


def heap_mb(url: str) -> str:
    nodes = httpx.get(f"{url}/_nodes/jvm", timeout=10).json()["nodes"].values()
    return ", ".join(f"{n['name']} {n['jvm']['mem']['heap_max_in_bytes'] // 2**20} MiB" for n in nodes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    url = os.environ.get(URL_ENV, DEFAULT_URL)
    print(f"node heap: {heap_mb(url)}")
    print("| K | units | engine | bulk units/s | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|")
    for k in args.sizes:
        with tempfile.TemporaryDirectory() as work:
            corpus = synthetic_corpus(Path(work) / "corpus", k)
            manifest = build_index(corpus, Path(work) / "index")
            start = time.perf_counter()
            publish(Generation.current(Path(work) / "index"), url)
            rate = manifest.unit_count / (time.perf_counter() - start)
            for engine in ("whoosh", "arrays", "opensearch"):
                if engine == "opensearch":
                    searcher = Searcher(engine=engine, url=url)
                else:
                    searcher = Searcher(Path(work) / "index", corpus, engine=engine, auto_build=False)
                with searcher:
                    timing = _latencies(lambda q, f: searcher.search(q, filters=f, limit=10), args.rounds)
                bulk = f"{rate:,.0f}" if engine == "opensearch" else "—"
                print(f"| {k} | {manifest.unit_count:,} | {engine} | {bulk} | {timing['median_ms']:.1f} | "
                      f"{timing['p95_ms']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
