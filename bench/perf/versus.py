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
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SIDES = ("ours", "before", "tantivy", "tantivy_same")

#: Opening an index in a new process, after its imports: the whole ``Searcher``, and the part
#: of it that checks the generation's files against its signed digests (``indexer.trust``).
OPEN = """
import json, statistics, sys, time
import numpy, search.engines.arrays
from search import Searcher
from indexer.store import MANIFEST, Generation
from indexer.trust import verify
index, corpus = sys.argv[1:3]
start = time.perf_counter()
Searcher(index, corpus, auto_build=False).close()
opened = time.perf_counter() - start
generation = Generation.current(index)
manifest = generation.read_manifest()
start = time.perf_counter()
verify(generation.path, manifest.files, manifest.signature, generation.path.parent, leave_out=MANIFEST)
print(json.dumps({"open_ms": opened * 1000, "verify_ms": (time.perf_counter() - start) * 1000}))
"""


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
        opens: dict[str, list[dict]] = {"ours": [], "before": []}
        for _ in range(runs):  # the sides take turns
            for side, cwd in (("ours", root), ("before", before)):
                if cwd:
                    opens[side].append(_python(OPEN, cwd, ours, corpus))
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
        results["sizes"][k]["open"] = {side: {key: statistics.median(o[key] for o in found) for key in found[0]}
                                       for side, found in opens.items() if found}
    return results


COLD_QUERY = ["search", "traite des personnes", "--state", "Brésil"]


def cold(runs: int, before: Path | None, work: Path, root: Path, large: Path | None) -> dict:
    """Medians of whole ``python -m search search …`` processes, the commands taking turns: this
    checkout and ``before`` on the bundled corpus (each its own index, built first), this checkout
    on ``large`` (an index of 16,100 units), and ``python -c "import whoosh.index, click"``.
    Bytecode is cached, as Python does by default (this machine sets PYTHONDONTWRITEBYTECODE)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "CONGRES_CORPUS")}
    commands = {"ours": ([sys.executable, "-m", "search", *COLD_QUERY], root, dict(env, CONGRES_INDEX=str(work / "cold-ours")))}
    if before:
        commands["before"] = ([sys.executable, "-m", "search", *COLD_QUERY], before,
                              dict(env, CONGRES_INDEX=str(work / "cold-before")))
    if large:
        commands["ours_large"] = ([sys.executable, "-m", "search", *COLD_QUERY], root, dict(env, CONGRES_INDEX=str(large)))
    commands["floor"] = ([sys.executable, "-c", "import whoosh.index, click"], root, env)
    for command, cwd, command_env in commands.values():  # builds the small indexes, fills the caches
        subprocess.run(command, cwd=cwd, env=command_env, capture_output=True, check=True)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, cwd, command_env) in commands.items():
            start = time.perf_counter()
            subprocess.run(command, cwd=cwd, env=command_env, capture_output=True, check=True)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(found) * 1000 for name, found in times.items()}


def cold_table(found: dict) -> str:
    floor = found["floor"]
    cells = [f"ours {found['ours']:.0f} ms = **{found['ours'] / floor:.2f}×**"]
    if "before" in found:
        cells.append(f"before {found['before']:.0f} ms = {found['before'] / floor:.2f}× (ours ÷ before "
                     f"{found['ours'] / found['before']:.2f}×)")
    if "ours_large" in found:
        cells.append(f"ours on the 16,100-unit index {found['ours_large']:.0f} ms = **{found['ours_large'] / floor:.2f}×**")
    return (f"Cold `python -m search search \"traite des personnes\" --state Brésil` against `python -c \"import "
            f"whoosh.index, click\"` ({floor:.0f} ms), medians: " + "; ".join(cells))


def _python(code: str, cwd: Path, *args) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


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
    lines += ["", "Opening the index (a new process, imports done; medians): the whole `Searcher`, of which checking "
              "every file of the generation against its signed digests (`indexer.trust.verify`):", "",
              "| units | ours: open / verify ms | before: open / verify ms |", "|---|---|---|"]
    for row in results["sizes"].values():
        cells = [f"{row['ours']['units']:,}"]
        for side in ("ours", "before"):
            found = row["open"].get(side)
            cells.append(f"{found['open_ms']:.0f} / {found['verify_ms']:.0f}" if found else "—")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
