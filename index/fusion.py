"""Fusing ranked lists from the BM25 and dense legs: pure functions."""

from __future__ import annotations

from collections.abc import Sequence

# Reciprocal-rank fusion constant from Cormack et al. (2009); larger values flatten
# the advantage of the very top ranks.
RRF_K = 60


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


def normalized_score_fusion(
    scored: Sequence[Sequence[tuple[int, float]]], weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """Convex combination of min-max normalised scores; an id missing from a list scores 0 there."""
    weights = [1.0 / len(scored)] * len(scored) if weights is None else list(weights)
    if len(weights) != len(scored):
        raise ValueError("one weight per list")
    fused: dict[int, float] = {}
    for pairs, weight in zip(scored, weights, strict=True):
        if not pairs:
            continue
        values = [score for _, score in pairs]
        low, high = min(values), max(values)
        span = high - low
        for item, score in pairs:
            normalized = (score - low) / span if span > 0 else 1.0
            fused[item] = fused.get(item, 0.0) + weight * normalized
    return sorted(fused.items(), key=lambda pair: -pair[1])
