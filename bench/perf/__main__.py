"""``python -m bench.perf [--sizes 1 100 1000] [--write]``: speed at 1×, 100× and 1000× the corpus.

For each size K, a synthetic corpus of K copies of the bundled report (distinct
documents, so distinct unit ids) is indexed by the project and by plain Whoosh;
both then answer the same warm query mix (one word, several words, a phrase, an
unaccented word; each with 0, 1 and 2 facet filters). Every measurement runs in a
process of its own (peak memory is that process's). The cold time of a whole
`congres search` process on the bundled corpus is compared with
`python -c "import whoosh.index, click"`. Medians over several runs; ratios side by side.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TANTIVY = importlib.util.find_spec("tantivy") is not None  # from the bench extra
REPORT = ROOT / "indexer" / "data" / "corpus" / "san-jose-2025.txt"
README = Path(__file__).resolve().parents[1] / "README.md"


def run(task: str, *args) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.perf.worker", task, *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def synthetic_corpus(folder: Path, copies: int) -> Path:
    folder.mkdir(parents=True)
    for i in range(copies):
        shutil.copy(REPORT, folder / f"rapport-{i + 1:04d}.txt")
    return folder


#: The floor for a cold search: Whoosh opening the same index and answering one query
#: (top 10 with stored fields), with nothing of ours but the analyzer the schema names.
WHOOSH_ALONE = """
import sys, click, whoosh.index
from whoosh import query
from whoosh.filedb.filestore import FileStorage
folder = sys.argv[1] + "/" + open(sys.argv[1] + "/CURRENT").read().strip()
with FileStorage(folder, readonly=True).open_index().searcher() as searcher:
    q = query.And([query.Term("text", "trait"), query.Term("text", "person"), query.Term("state", "Brésil")])
    for hit in searcher.search(q, limit=10):
        print(hit["id"], hit["text"][:200])
"""


def cold_seconds(commands: list[list[str]], runs: int, env: dict) -> list[float]:
    """Median wall time of each command as a new process, the commands taking turns."""
    samples: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for command, times in zip(commands, samples):
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
            times.append(time.perf_counter() - start)
    return [statistics.median(times) for times in samples]


def measure(sizes: list[int], rounds: int, runs: int) -> dict:
    results = {"sizes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for k in sizes:
            corpus = synthetic_corpus(tmp / f"corpus-{k}", k)
            row = {}
            repeats = runs if k < 100 else 1  # the large builds take minutes: once each
            builds_ours = [run("build-ours", corpus, tmp / f"ours-{k}-{i}") for i in range(repeats)]
            builds_plain = [run("build-plain", corpus, tmp / f"plain-{k}-{i}") for i in range(repeats)]
            row["units"] = builds_ours[0]["units"]
            row["build_ours_s"] = statistics.median(b["seconds"] for b in builds_ours)
            row["build_plain_s"] = statistics.median(b["seconds"] for b in builds_plain)
            row["size_ours_mb"], row["size_plain_mb"] = builds_ours[0]["size_mb"], builds_plain[0]["size_mb"]
            row["build_peak_ours_mb"] = max(b["peak_mb"] for b in builds_ours)
            row["build_plain_mp"] = run("build-plain", corpus, tmp / f"plain-mp-{k}", os.cpu_count())
            shutil.rmtree(tmp / f"plain-mp-{k}", ignore_errors=True)
            row["search_ours"] = run("search-ours", tmp / f"ours-{k}-0", corpus, rounds)
            row["search_plain"] = run("search-plain", tmp / f"plain-{k}-0", corpus, rounds)
            if TANTIVY:
                row["build_tantivy"] = run("build-tantivy", corpus, tmp / f"tantivy-{k}")
                row["search_tantivy"] = run("search-tantivy", tmp / f"tantivy-{k}", corpus, rounds)
            results["sizes"][k] = row
            for i in range(1, runs):
                shutil.rmtree(tmp / f"ours-{k}-{i}", ignore_errors=True)
                shutil.rmtree(tmp / f"plain-{k}-{i}", ignore_errors=True)
        # Python as installed by default, caching bytecode: this machine sets PYTHONDONTWRITEBYTECODE,
        # which would recompile the project (and not Whoosh, compiled by pip) at every run.
        env = {**os.environ, "CONGRES_INDEX": str(tmp / "cold-index")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        script = Path(sys.executable).with_name("congres")  # the installed command, not a pyenv shim
        congres = [str(script)] if script.exists() else [sys.executable, "-m", "search"]
        congres += ["search", "traite des personnes", "--state", "Brésil"]
        subprocess.run(congres, cwd=ROOT, env=env, capture_output=True, check=True)  # build the index first
        results["cold_congres_s"], results["cold_import_s"], results["cold_whoosh_s"] = cold_seconds(
            [congres, [sys.executable, "-c", "import whoosh.index, click"],
             [sys.executable, "-c", WHOOSH_ALONE, str(tmp / "cold-index")]], max(11, runs * 2 + 1), env)
    return results


def table(results: dict) -> str:
    lines = [
        "| units | build units/s (ours / plain Whoosh = ratio) | index MB (ours / plain) | build peak MB | "
        "query median ms (ours 3 facets / plain 1 facet = ratio) | query p95 ms (ratio) | search peak MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for k, row in results["sizes"].items():
        ours_rate, plain_rate = row["units"] / row["build_ours_s"], row["units"] / row["build_plain_s"]
        so, sp = row["search_ours"], row["search_plain"]
        lines.append(
            f"| {row['units']:,} | {ours_rate:,.0f} / {plain_rate:,.0f} = **{ours_rate / plain_rate:.2f}×** | "
            f"{row['size_ours_mb']:.1f} / {row['size_plain_mb']:.1f} | {row['build_peak_ours_mb']:.0f} | "
            f"{so['median_ms']:.1f} / {sp['median_ms']:.1f} = **{so['median_ms'] / sp['median_ms']:.2f}×** | "
            f"{so['p95_ms']:.1f} / {sp['p95_ms']:.1f} = **{so['p95_ms'] / sp['p95_ms']:.2f}×** | {so['peak_mb']:.0f} |"
        )
    lines += ["", f"Whoosh's own multiprocessing writer ({os.cpu_count()} processes, one segment each; "
              "the same plain schema, parsing not timed), for comparison with the project's parallel build:", "",
              "| units | build units/s (ours / Whoosh multiprocessing = ratio) |", "|---|---|"]
    for row in results["sizes"].values():
        ours_rate, mp_rate = row["units"] / row["build_ours_s"], row["units"] / row["build_plain_mp"]["seconds"]
        lines.append(f"| {row['units']:,} | {ours_rate:,.0f} / {mp_rate:,.0f} = {ours_rate / mp_rate:.2f}× |")
    if any("search_tantivy" in row for row in results["sizes"].values()):
        lines += ["", "tantivy (Rust, French stemmer; top 10 + one facet's counts), same units and mix:", "",
                  "| units | build units/s (ratio to ours) | query median ms (ours / tantivy) | query p95 ms |",
                  "|---|---|---|---|"]
        for row in results["sizes"].values():
            bt, st, so = row["build_tantivy"], row["search_tantivy"], row["search_ours"]
            rate = row["units"] / bt["seconds"]
            lines.append(f"| {row['units']:,} | {rate:,.0f} ({rate / (row['units'] / row['build_ours_s']):.0f}×) | "
                         f"{so['median_ms']:.1f} / {st['median_ms']:.2f} | {so['p95_ms']:.1f} / {st['p95_ms']:.2f} |")
    cold, base, alone = results["cold_congres_s"], results["cold_import_s"], results["cold_whoosh_s"]
    lines.append("")
    lines.append(f"Cold `congres search \"traite des personnes\" --state Brésil` (bundled corpus, index built): "
                 f"{cold * 1000:.0f} ms vs `python -c \"import whoosh.index, click\"` {base * 1000:.0f} ms "
                 f"= **{cold / base:.2f}×**; Whoosh alone opening the index and answering one query: "
                 f"{alone * 1000:.0f} ms = {alone / base:.2f}×")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.perf", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1, 100, 1000],
                        help="copies of the report (none: only the cold start)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the 12-query mix per engine")
    parser.add_argument("--runs", type=int, default=3,
                        help="small builds (K < 100) and cold starts (twice as many) to take the median of")
    parser.add_argument("--write", action="store_true", help="write the table, dated, into bench/README.md")
    parser.add_argument("--incremental", type=int, metavar="K",
                        help="instead: full against incremental builds at K reports (bench.perf.incremental)")
    parser.add_argument("--versus", action="store_true",
                        help="instead: warm queries against tantivy (and --before), side by side (bench.perf.versus)")
    parser.add_argument("--before", type=Path, metavar="DIR", help="with --versus: a checkout of an earlier commit")
    parser.add_argument("--work", type=Path, metavar="DIR",
                        help="with --versus: where corpora and indexes are built, and kept for the next run")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.incremental:
        return incremental(args.incremental, args.runs, args.write, started)
    if args.versus:
        return versus(args, started)
    results = measure(args.sizes, args.rounds, args.runs)
    text = table(results)
    print(text)
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s)")
    if args.write:  # between the markers: the sections after the table stay
        _write_between("results", f"Measured on {datetime.date.today().isoformat()} "
                       f"(`python -m bench.perf --write`, {os.cpu_count()} cores):\n\n{text}\n")


def versus(args, started: float) -> None:
    from bench.perf import versus as side_by_side

    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        before = args.before.resolve() if args.before else None
        text = side_by_side.table(side_by_side.measure(args.sizes, args.rounds, args.runs, before, work, ROOT))
        large = work / "index-100" if (work / "index-100").is_dir() else None
        text += "\n\n" + side_by_side.cold_table(side_by_side.cold(max(11, args.runs * 2 + 1), before, work, ROOT, large))
    print(text)
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s)")
    if args.write:
        _write_between("versus", f"Measured on {datetime.date.today().isoformat()} (`python -m bench.perf --versus "
                       f"--sizes {' '.join(map(str, args.sizes))} --rounds {args.rounds} --runs {args.runs}"
                       f"{' --before DIR' if before else ''} --write`, {os.cpu_count()} cores):\n\n{text}\n")


def _write_between(name: str, text: str) -> None:
    """Replace what bench/README.md holds between ``<!-- name -->`` and ``<!-- /name -->``."""
    marker, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    readme = README.read_text("utf-8")
    head, _, rest = readme.partition(marker)
    tail = rest.partition(end)[2]
    README.write_text(f"{head}{marker}\n{text}{end}{tail}", "utf-8")


def incremental(reports: int, runs: int, write: bool, started: float) -> None:
    from bench.perf.incremental import table as incremental_table

    with tempfile.TemporaryDirectory() as tmp:
        corpus = synthetic_corpus(Path(tmp) / "corpus", reports)
        (Path(tmp) / "work").mkdir()
        text = incremental_table(run("build-incremental", corpus, Path(tmp) / "work", runs))
    print(text)
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s)")
    if write:
        _write_between("incremental", f"Measured on {datetime.date.today().isoformat()} (`python -m bench.perf "
                       f"--incremental {reports} --runs {runs} --write`, {os.cpu_count()} cores):\n\n{text}\n")


if __name__ == "__main__":
    main()
