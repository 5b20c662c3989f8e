"""The relevance benchmark's acceptance: better than plain Whoosh and SQLite FTS5 on every kind of query."""

import json

import pytest

from bench.relevance.__main__ import QUERIES, Project, evaluate
from bench.relevance.baselines import PlainWhoosh, SqliteFts5
from bench.relevance.metrics import mrr_at, ndcg_at, recall_at
from tests.conftest import CORPUS


def test_metrics_on_a_small_example():
    judgments = {"a": 2, "b": 1}
    assert ndcg_at(["a", "b"], judgments) == 1.0
    assert ndcg_at(["x", "a"], judgments) == pytest.approx(3 / 1.5849625 / (3 + 1 / 1.5849625))
    assert mrr_at(["x", "b"], judgments) == 0.5
    assert recall_at(["a", "x"], judgments) == 0.5


@pytest.mark.slow
def test_the_project_beats_both_baselines(corpus_units):
    queries = json.loads(QUERIES.read_text("utf-8"))["queries"]
    assert len(queries) >= 40
    units = list(corpus_units.values())
    scores = evaluate([Project(CORPUS), PlainWhoosh(units), SqliteFts5(units)], queries)
    ours, whoosh, fts5 = (scores[name] for name in ("congres", PlainWhoosh.name, SqliteFts5.name))
    assert ours["all"]["nDCG@10"] >= 0.85
    assert ours["all"]["nDCG@10"] >= max(whoosh["all"]["nDCG@10"], fts5["all"]["nDCG@10"]) + 0.15
    for kind in ours:
        assert ours[kind]["nDCG@10"] >= max(whoosh[kind]["nDCG@10"], fts5[kind]["nDCG@10"]), kind
