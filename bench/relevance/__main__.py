"""``python -m bench.relevance [--write docs/relevance.md]``: score the project and the baselines.

Every engine indexes the same units in this process and answers graded queries; the tables
give nDCG@10, MRR@10 and Recall@20, overall and per kind of query.

- Round 1, ``bench/relevance/queries.json``: 71 queries on the bundled report, judged by reading
  for the query's words (the project was tuned on them).
- Round 2, ``bench/relevance/judged/*.json``: 150 queries on the bundled report and the second
  report of the fixtures, judged by topic (every unit a reader researching it would want,
  whatever its words) by judges who saw only the report and the query; split by
  ``split_of`` into ``dev`` (tune on it) and ``test`` (report it, never tune on it).
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import tempfile
from pathlib import Path

from bench.relevance.baselines import Bm25s, PlainWhoosh, SqliteFts5
from bench.relevance.metrics import mrr_at, ndcg_at, recall_at
from indexer.build import build_index, load_units
from search import Searcher

ROOT = Path(__file__).resolve().parents[2]
QUERIES = Path(__file__).resolve().parent / "queries.json"
JUDGED = Path(__file__).resolve().parent / "judged"
SECOND_REPORT = ROOT / "tests" / "fixtures" / "second_report.txt"
SPLITS = ("dev", "test")
METRICS = (("nDCG@10", ndcg_at), ("MRR@10", mrr_at), ("R@20", recall_at))


class Project:
    name = "congres"

    def __init__(self, corpus: Path, keyed: bool = False):
        self._folder = tempfile.TemporaryDirectory()
        build_index(corpus, Path(self._folder.name))
        self._searcher = Searcher(self._folder.name, corpus)
        self._keyed = keyed

    def search(self, query: str, limit: int) -> list[str]:
        hits = self._searcher.search(query, limit=limit).hits
        return [f"{hit.doc}:{hit.id}" if self._keyed else hit.id for hit in hits]


def judged_queries() -> list[dict]:
    """Round 2's queries, judgments keyed ``doc:id``, each with its split."""
    queries = []
    for path in sorted(JUDGED.glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        for q in data["queries"]:
            queries.append({**q, "document": data["document"],
                            "judgments": {f"{data['document']}:{unit}": g for unit, g in q["judgments"].items()}})
    for q in queries:
        q["split"] = split_of(q, queries)
    return queries


def split_of(query: dict, queries: list[dict]) -> str:
    """Every other query of its report and kind, in id order: half of each kind in each split."""
    peers = sorted(q["id"] for q in queries if (q["document"], q["kind"]) == (query["document"], query["kind"]))
    return SPLITS[peers.index(query["id"]) % 2]


def two_report_corpus(folder: Path) -> Path:
    """The bundled report and the second report of the fixtures, in one corpus folder."""
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "indexer" / "data" / "corpus" / "san-jose-2025.txt", folder)
    shutil.copy(SECOND_REPORT, folder / "second_report.txt")
    return folder


def evaluate(engines, queries) -> dict:
    """scores[engine][kind][metric] = mean over the queries of that kind (kind "all" too)."""
    scores = {}
    for engine in engines:
        per_kind: dict[str, dict[str, list[float]]] = {}
        for q in queries:
            ranked = engine.search(q["query"], limit=20)
            for kind in (q["kind"], "all"):
                bucket = per_kind.setdefault(kind, {name: [] for name, _ in METRICS})
                for name, metric in METRICS:
                    bucket[name].append(metric(ranked, q["judgments"]))
        scores[engine.name] = {kind: {m: statistics.mean(v) for m, v in bucket.items()}
                               for kind, bucket in per_kind.items()}
    return scores


def table(scores: dict, queries) -> str:
    kinds = ["all"] + sorted({q["kind"] for q in queries})
    counts = {kind: sum(1 for q in queries if kind in ("all", q["kind"])) for kind in kinds}
    engines = list(scores)
    header = "| kind (queries) | " + " | ".join(f"{e} {m}" for e in engines for m, _ in METRICS) + " |"
    lines = [header, "|" + "---|" * (1 + len(engines) * len(METRICS))]
    for kind in kinds:
        cells = [f"{scores[e][kind][m]:.3f}" for e in engines for m, _ in METRICS]
        lines.append(f"| {kind} ({counts[kind]}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="also write the tables, dated, into this Markdown file")
    args = parser.parse_args()
    queries = json.loads(QUERIES.read_text("utf-8"))["queries"]
    corpus = ROOT / "indexer" / "data" / "corpus"
    units = load_units(corpus)
    engines = [Project(corpus), PlainWhoosh(units), SqliteFts5(units), Bm25s(units)]
    scores = evaluate(engines, queries)
    round1 = table(scores, queries)
    summary = _summary(scores, engines)

    with tempfile.TemporaryDirectory() as folder:
        both = two_report_corpus(Path(folder) / "corpus")
        both_units = load_units(both)
        engines2 = [Project(both, keyed=True), PlainWhoosh(both_units, keyed=True),
                    SqliteFts5(both_units, keyed=True), Bm25s(both_units, keyed=True)]
        judged = judged_queries()
        round2 = {}
        for split in SPLITS:
            chosen = [q for q in judged if q["split"] == split]
            split_scores = evaluate(engines2, chosen)
            round2[split] = (table(split_scores, chosen), _summary(split_scores, engines2), len(chosen))
    text = [f"## Round 1: {len(queries)} queries judged by their words (bundled report, {len(units)} units)\n",
            round1, "", summary, ""]
    for split, (result, split_summary, count) in round2.items():
        text += [f"## Round 2, {split}: {count} queries judged by topic (two reports, {len(both_units)} units)\n",
                 result, "", split_summary, ""]
    print("\n".join(text))
    if args.write:
        today = datetime.date.today().isoformat()
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(f"# Relevance benchmark\n\nMeasured on {today} with `python -m bench.relevance "
                              f"--write {args.write}`.\n\n" + "\n".join(text), "utf-8")


def _summary(scores: dict, engines) -> str:
    best = max(scores[e.name]["all"]["nDCG@10"] for e in engines[1:])
    ours = scores["congres"]["all"]["nDCG@10"]
    return f"congres nDCG@10 {ours:.3f} vs best baseline {best:.3f} ({ours - best:+.3f})"


if __name__ == "__main__":
    main()
