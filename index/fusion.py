"""Fusing the BM25 and dense legs: pure functions over scores or ranked lists."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from index.defaults import DEFAULT_RRF_K as RRF_K


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]], k: int = RRF_K, weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """Fuse ranked id lists (best first): score(id) = sum of weight / (k + rank), rank from 1.

    Returns (id, score) pairs, best first; ties keep the order in which ids were first seen,
    so the result is deterministic.
    """
    if k < 0:
        raise ValueError("k must not be negative")
    weights = [1.0] * len(rankings) if weights is None else list(weights)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])


def score_fusion(
    cosines: npt.NDArray[np.float64], bm25: npt.NDArray[np.float64] | None, best_bm25: float, bm25_weight: float
) -> npt.NDArray[np.float64]:
    """The default hybrid score: cosine + `bm25_weight` x BM25 / the query's best BM25.

    MiniLM's cosines live in a narrow band, so the BM25 part stays a tie-breaker among
    passages the model finds similar unless the query's rare words pick one out clearly.
    `cosines` is updated in place and returned; without BM25 matches it is the cosine alone.
    """
    if bm25 is not None and best_bm25 > 0.0:
        cosines += bm25_weight * (bm25 / best_bm25)
    return cosines
