"""Ranking metrics over graded judgments (2 = wanted on top, 1 = relevant in passing)."""

from __future__ import annotations

import math


def ndcg_at(ranked: list[str], judgments: dict[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain of the first ``k`` results (gain 2^grade − 1)."""
    def dcg(grades):
        return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:k]))

    ideal = dcg(sorted(judgments.values(), reverse=True))
    return dcg([judgments.get(unit, 0) for unit in ranked]) / ideal if ideal else 0.0


def mrr_at(ranked: list[str], judgments: dict[str, int], k: int = 10) -> float:
    """1/rank of the first relevant result (grade ≥ 1) in the first ``k``, else 0."""
    for i, unit in enumerate(ranked[:k]):
        if judgments.get(unit, 0) > 0:
            return 1 / (i + 1)
    return 0.0


def recall_at(ranked: list[str], judgments: dict[str, int], k: int = 20) -> float:
    """Share of the relevant units (grade ≥ 1) found in the first ``k``."""
    relevant = {unit for unit, grade in judgments.items() if grade > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0
