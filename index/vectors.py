"""Ranking rows by score: the dense leg's top-k over unit vectors, with an optional row mask."""

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
        if k == 0:
            return []
    k = min(k, scores.shape[0])
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.argsort(-scores[best], kind="stable")]
    return [(int(row), float(scores[row])) for row in best]
