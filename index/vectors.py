"""The vector sidecar: aligned numpy arrays saved without pickle, memory-mapped on open."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from archive.errors import IndexCorruptError

PASSAGE_VECTORS = "passage_vectors.npy"
SENTENCE_VECTORS = "sentence_vectors.npy"
# Per passage: first sentence, end sentence (exclusive, both within the article), char start, char end.
PASSAGE_SPANS = "passage_spans.npy"
# Per sentence: char start, char end within the article text.
SENTENCE_SPANS = "sentence_spans.npy"
# Per article: MinHash signature for near-duplicate detection (archive/reprints.py).
MINHASH = "minhash.npy"


def save_array(folder: Path, name: str, array: npt.NDArray[np.generic]) -> None:
    path = folder / name
    with path.open("wb") as handle:
        np.save(handle, np.ascontiguousarray(array), allow_pickle=False)
        handle.flush()
        os.fsync(handle.fileno())


def load_array(folder: Path, name: str, rows: int, columns: int | None, dtype: type[np.generic]) -> npt.NDArray[Any]:
    """Memory-map an array and check its shape and type against what the manifest promises.

    `columns=None` expects a one-dimensional array of `rows` values.
    """
    path = folder / name
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"Index file {path} cannot be read ({exc}); rebuild with `archive build`.") from exc
    shape = (rows,) if columns is None else (rows, columns)
    if array.shape != shape or array.dtype != np.dtype(dtype):
        raise IndexCorruptError(
            f"Index file {path} holds {array.dtype}{array.shape}, expected {np.dtype(dtype)}{shape}; "
            "rebuild with `archive build`."
        )
    result: npt.NDArray[Any] = array
    return result


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
