"""``python -m bench.relevance [--write docs/relevance.md]``: score the project and two baselines.

Every engine indexes the same units of the bundled corpus in this process and answers the
graded queries of ``bench/relevance/queries.json``; the table gives nDCG@10, MRR@10 and
Recall@20, overall and per kind of query.
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import tempfile
from pathlib import Path

from bench.relevance.baselines import PlainWhoosh, SqliteFts5
from bench.relevance.metrics import mrr_at, ndcg_at, recall_at
from indexer.build import build_index, load_units
from search import Searcher

ROOT = Path(__file__).resolve().parents[2]
QUERIES = Path(__file__).resolve().parent / "queries.json"
METRICS = (("nDCG@10", ndcg_at), ("MRR@10", mrr_at), ("R@20", recall_at))


class Project:
    name = "congres"

    def __init__(self, corpus: Path):
        self._folder = tempfile.TemporaryDirectory()
        build_index(corpus, Path(self._folder.name))
        self._searcher = Searcher(self._folder.name, corpus)

    def search(self, query: str, limit: int) -> list[str]:
        return [hit.id for hit in self._searcher.search(query, limit=limit).hits]


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
    parser.add_argument("--write", type=Path, help="also write the table, dated, into this Markdown file")
    args = parser.parse_args()
    queries = json.loads(QUERIES.read_text("utf-8"))["queries"]
    corpus = ROOT / "indexer" / "data" / "corpus"
    units = load_units(corpus)
    engines = [Project(corpus), PlainWhoosh(units), SqliteFts5(units)]
    scores = evaluate(engines, queries)
    result = table(scores, queries)
    best_baseline = max(scores[e.name]["all"]["nDCG@10"] for e in engines[1:])
    summary = (f"congres nDCG@10 {scores['congres']['all']['nDCG@10']:.3f} vs best baseline {best_baseline:.3f} "
               f"(+{scores['congres']['all']['nDCG@10'] - best_baseline:.3f})")
    print(result)
    print()
    print(summary)
    if args.write:
        today = datetime.date.today().isoformat()
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(
            f"# Relevance benchmark\n\nMeasured on {today} with `python -m bench.relevance --write {args.write}`: "
            f"{len(queries)} graded queries of `bench/relevance/queries.json` on the bundled corpus "
            f"({len(units)} units).\n\n{result}\n\n{summary}\n", "utf-8")


if __name__ == "__main__":
    main()
