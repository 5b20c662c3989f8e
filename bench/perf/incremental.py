"""Incremental builds against a full build, on the same corpus, in the same run.

A corpus of K copies of the bundled report (one report each) is built in full; then, each from
a copy of that index, one report is added (at the end of the report order, then in the middle),
one removed (in the middle), one edited (in the middle), and the build that follows is timed.
The full build and the four changes take turns, ``runs`` times: medians and ratios side by side.
"""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECOND = ROOT / "tests" / "fixtures" / "second_report.txt"


def _added_at_end(corpus: Path, k: int) -> None:
    shutil.copy(SECOND, corpus / f"rapport-{k + 1:04d}.txt")


def _added_in_middle(corpus: Path, k: int) -> None:
    shutil.copy(SECOND, corpus / f"rapport-{k // 2:04d}b.txt")


def _removed_in_middle(corpus: Path, k: int) -> None:
    (corpus / f"rapport-{k // 2:04d}.txt").unlink()


def _edited_in_middle(corpus: Path, k: int) -> None:
    path = corpus / f"rapport-{k // 2:04d}.txt"
    path.write_text(path.read_text("utf-8").replace("INTERPOL", "Interpol"), "utf-8")


CHANGES = {"one report added (end)": _added_at_end, "one report added (middle)": _added_in_middle,
           "one report removed (middle)": _removed_in_middle, "one report edited (middle)": _edited_in_middle}


def measure(corpus: str, work: str, runs: str) -> dict:
    from indexer.build import build_index

    corpus, work, k = Path(corpus), Path(work), len(list(Path(corpus).iterdir()))
    seconds: dict[str, list[float]] = {"full build": [], **{name: [] for name in CHANGES}}
    segments: dict[str, int] = {}
    units = 0
    for run in range(int(runs)):
        full = work / f"full-{run}"
        start = time.perf_counter()
        units = build_index(corpus, full).unit_count
        seconds["full build"].append(time.perf_counter() - start)
        for name, change in CHANGES.items():
            changed, index = work / "changed-corpus", work / "changed-index"
            shutil.copytree(corpus, changed)
            shutil.copytree(full, index)
            change(changed, k)
            start = time.perf_counter()
            build_index(changed, index)
            seconds[name].append(time.perf_counter() - start)
            current = index / (index / "CURRENT").read_text().strip()
            segments[name] = len(list(current.glob("*.seg")))
            shutil.rmtree(changed)
            shutil.rmtree(index)
        segments["full build"] = len(list((full / (full / "CURRENT").read_text().strip()).glob("*.seg")))
        shutil.rmtree(full)
    return {"reports": k, "units": units, "runs": int(runs), "segments": segments,
            "median_s": {name: statistics.median(times) for name, times in seconds.items()},
            "seconds": seconds}


def table(result: dict) -> str:
    full = result["median_s"]["full build"]
    lines = [f"{result['reports']} reports, {result['units']:,} units; medians of {result['runs']} runs, "
             "each change built from a copy of the full build's index:", "",
             "| build | seconds (median) | ratio to the full build | segments after |", "|---|---|---|---|"]
    for name, median in result["median_s"].items():
        ratio = "1" if name == "full build" else f"**{median / full:.3f}×**"
        lines.append(f"| {name} | {median:.2f} | {ratio} | {result['segments'][name]} |")
    return "\n".join(lines)
