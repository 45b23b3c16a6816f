"""nDCG@k (Järvelin & Kekäläinen 2002, with exponential gain 2^g − 1 and log2(rank + 1)
discount), the measure the labelled matching set is reported in (docs/matching.md)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

__all__ = ["ndcg_at"]


def _dcg(grades: Sequence[int]) -> float:
    return float(sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades)))


def ndcg_at(ranked: Sequence[int], grades: Mapping[int, int], k: int = 10) -> float:
    """nDCG@k of a ranking (keys, best first) against graded judgments (key → grade, unlisted
    keys grade 0); 0.0 when nothing is relevant."""
    ideal = _dcg(sorted((g for g in grades.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return _dcg([grades.get(key, 0) for key in ranked[:k]]) / ideal
