"""Warm queries side by side in one run: this checkout, an earlier one, and tantivy.

``python -m bench.perf --versus [--sizes 100 1000] [--before DIR] [--rounds 10] [--runs 3]``
builds the project's index and tantivy's of K copies of the bundled report, then the searches
take turns, ``runs`` times, each in a process of its own (``bench.perf.worker``): this
checkout's; the checkout in ``--before`` (``git archive REV | tar -x -C DIR``), on the same
index (the format did not change); tantivy with the least work (top 10 without their stored
fields, one facet's counts: as the first comparisons measured it); tantivy with the project's
work (top 10 with stored fields, the total, every value of the six facets, disjunctively).
The machine is shared: only the ratios within one run count. Medians of each run's median
and p95 over ``rounds`` rounds of the 12-query mix.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

SIDES = ("ours", "before", "tantivy", "tantivy_same")


def _search(task: str, cwd: Path, *args) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.perf.worker", task, *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(sizes: list[int], rounds: int, runs: int, before: Path | None, work: Path, root: Path) -> dict:
    from bench.perf.__main__ import run, synthetic_corpus

    results = {"sizes": {}, "runs": runs, "rounds": rounds, "before": str(before) if before else None}
    for k in sizes:
        corpus, ours, tantivy = work / f"corpus-{k}", work / f"index-{k}", work / f"tantivy-{k}"
        if not corpus.exists():
            synthetic_corpus(corpus, k)
        if not ours.exists():
            run("build-ours", corpus, ours)
        if not tantivy.exists():
            run("build-tantivy", corpus, tantivy)
        samples: dict[str, list[dict]] = {side: [] for side in SIDES}
        for _ in range(runs):  # the sides take turns
            samples["ours"].append(_search("search-ours", root, ours, corpus, rounds))
            if before:
                samples["before"].append(_search("search-ours", before, ours, corpus, rounds))
            samples["tantivy"].append(_search("search-tantivy", root, tantivy, corpus, rounds, "minimal"))
            samples["tantivy_same"].append(_search("search-tantivy", root, tantivy, corpus, rounds, "same"))
        results["sizes"][k] = {
            side: {"median_ms": statistics.median(s["median_ms"] for s in runs_),
                   "p95_ms": statistics.median(s["p95_ms"] for s in runs_),
                   "peak_mb": max(s["peak_mb"] for s in runs_), "units": 161 * k}
            for side, runs_ in samples.items() if runs_}
    return results


def table(results: dict) -> str:
    has_before = results["before"] is not None
    head = "| units | ours median / p95 ms | "
    head += "before median / p95 ms (ours ÷ before) | " if has_before else ""
    head += ("tantivy, least work: median / p95 ms (ours ÷ tantivy) | tantivy, same work: median / p95 ms "
             "(ours ÷ tantivy) | search peak MB (ours / before) |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for row in results["sizes"].values():
        ours = row["ours"]

        def cell(side):
            other = row[side]
            return (f"{other['median_ms']:.2f} / {other['p95_ms']:.2f} "
                    f"(**{ours['median_ms'] / other['median_ms']:.2f}× / {ours['p95_ms'] / other['p95_ms']:.2f}×**)")

        cells = [f"{ours['units']:,}", f"{ours['median_ms']:.2f} / {ours['p95_ms']:.2f}"]
        cells += [cell("before")] if has_before else []
        cells += [cell("tantivy"), cell("tantivy_same"),
                  f"{ours['peak_mb']:.0f}" + (f" / {row['before']['peak_mb']:.0f}" if has_before else "")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
