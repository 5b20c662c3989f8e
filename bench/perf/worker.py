"""One measurement in a process of its own, so that its peak memory is its own.

``python -m bench.perf.worker TASK ARGS…`` prints one JSON object.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path

QUERIES = ["criminalité", "traite des personnes", '"armes à feu"', "criminalite"]
FILTERS = [{}, {"state": ["Brésil"]}, {"state": ["Brésil"], "agenda": ["5"]}]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file()) / 2**20


def build_ours(corpus: str, index: str) -> dict:
    from indexer.build import build_index
    start = time.perf_counter()
    manifest = build_index(Path(corpus), Path(index))
    seconds = time.perf_counter() - start
    return {"units": manifest.unit_count, "seconds": seconds, "size_mb": folder_mb(index), "peak_mb": peak_mb()}


def build_plain(corpus: str, index: str, procs: str = "1") -> dict:
    from bench.perf.plain import build
    from indexer.build import load_units
    units = load_units(Path(corpus))  # parsing is ours; the reference times Whoosh's writer alone
    Path(index).mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    build(units, index, int(procs))
    seconds = time.perf_counter() - start
    return {"units": len(units), "seconds": seconds, "size_mb": folder_mb(index), "peak_mb": peak_mb()}


def build_tantivy(corpus: str, index: str) -> dict:
    from bench.perf.tantivy_ref import build
    from indexer.build import load_units
    units = load_units(Path(corpus))
    Path(index).mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    build(units, index)
    seconds = time.perf_counter() - start
    return {"units": len(units), "seconds": seconds, "size_mb": folder_mb(index), "peak_mb": peak_mb()}


def _point_5_label(corpus: str) -> str:
    """The label of point 5, as the references store it."""
    from indexer.agenda import agenda_of
    from indexer.parse import parse_report
    report = sorted(Path(corpus).glob("*.txt"))[0]
    labels = (agenda_of(unit.headings) for unit in parse_report(report.read_text("utf-8"), report.stem))
    return next(label for key, label in labels if key == "5")


def _latencies(run, rounds: int) -> dict:
    for query in QUERIES:  # warm-up: first use of each query
        for filters in FILTERS:
            run(query, filters)
    samples = []
    for _ in range(rounds):
        for query in QUERIES:
            for filters in FILTERS:
                start = time.perf_counter()
                run(query, filters)
                samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"median_ms": statistics.median(samples), "p95_ms": samples[int(0.95 * (len(samples) - 1))],
            "queries": len(samples), "peak_mb": peak_mb()}


def search_ours(index: str, corpus: str, rounds: str) -> dict:
    from search import Searcher
    searcher = Searcher(index, corpus, auto_build=False)
    return _latencies(lambda q, f: searcher.search(q, filters=f, limit=10), int(rounds))


def search_plain(index: str, corpus: str, rounds: str) -> dict:
    from bench.perf.plain import PlainSearcher
    agenda_5, searcher = _point_5_label(corpus), PlainSearcher(index)
    return _latencies(lambda q, f: searcher.search(q, {k: [agenda_5] if k == "agenda" else v for k, v in f.items()}),
                      int(rounds))


def search_tantivy(index: str, corpus: str, rounds: str, work: str = "minimal") -> dict:
    """``work``: ``minimal`` (top 10, one facet) or ``same`` (what the project answers)."""
    from bench.perf.tantivy_ref import TantivySearcher
    agenda_5, searcher = _point_5_label(corpus), TantivySearcher(index)
    search = searcher.search_same_work if work == "same" else searcher.search
    return _latencies(lambda q, f: search(q, {k: [agenda_5] if k == "agenda" else v for k, v in f.items()}),
                      int(rounds))


def build_incremental(corpus: str, work: str, runs: str) -> dict:
    from bench.perf.incremental import measure
    return measure(corpus, work, runs)


TASKS = {"build-ours": build_ours, "build-incremental": build_incremental, "build-plain": build_plain, "build-tantivy": build_tantivy,
         "search-ours": search_ours, "search-plain": search_plain, "search-tantivy": search_tantivy}

if __name__ == "__main__":
    print(json.dumps(TASKS[sys.argv[1]](*sys.argv[2:])))
