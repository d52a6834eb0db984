"""Ranking rows by score: the dense leg's top-k over unit vectors, with an optional row mask; ties by row."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


def top_k(
    vectors: npt.NDArray[np.float32],
    query: npt.NDArray[np.float32],
    k: int,
    mask: npt.NDArray[np.bool_] | None = None,
) -> list[tuple[int, float]]:
    """Rows with the highest dot product with `query` (cosine, as both sides are normalised)."""
    if vectors.shape[0] == 0 or k <= 0:
        return []
    return top_rows(vectors @ query, k, mask)


def top_rows(
    scores: npt.NDArray[np.floating[Any]], k: int, mask: npt.NDArray[np.bool_] | None = None
) -> list[tuple[int, float]]:
    """The `k` highest-scoring rows as (row, score), best first; rows outside `mask` never."""
    if scores.shape[0] == 0 or k <= 0:
        return []
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
        k = min(k, int(mask.sum()))
    best = top_indices(scores, k)
    return [(int(row), float(scores[row])) for row in best]


def top_indices(scores: npt.NDArray[Any], k: int) -> npt.NDArray[np.intp]:
    """Positions of the `k` highest scores, best first, ties broken by position: deterministic.

    Which of several equal scores make the cut never depends on argpartition's internals,
    so an index split into shards ranks its rows exactly as the whole index does.
    """
    count = min(k, len(scores))
    if count <= 0:
        return np.zeros(0, dtype=np.intp)
    if count < len(scores):
        kth = scores[np.argpartition(-scores, count - 1)[count - 1]]
        chosen = np.flatnonzero(scores >= kth)
    else:
        chosen = np.arange(len(scores))
    order = np.lexsort((chosen, -scores[chosen]))[:count]
    return chosen[order].astype(np.intp)
