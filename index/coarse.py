"""A coarse first pass for the dense leg of large archives: a 64-dimension projection.

An exact dense scan reads every passage vector (384 float32, 1.5 KiB) per query: 0.5 GB at
350,000 passages, which no cache holds and memory bandwidth makes 40-80 ms on these
machines. The passages' vectors projected on their top 64 principal directions take a
sixth of that; scanning those picks a few thousand candidates whose exact cosines are then
computed from the full vectors. On SciFact (21,855 passages) the projected top 2,000 holds
99.7% of the exact top 100 and hybrid nDCG@10 is unchanged (bench/RESULTS.md).

Files (index/schema.py): `COARSE_PROJECTION` (dimension, 64) and `COARSE_VECTORS` (passages,
64), the passage vectors times the projection. An update reuses the previous projection,
so carried rows keep their values.
"""

from __future__ import annotations

from concurrent import futures

import numpy as np
import numpy.typing as npt

from index.vectors import top_indices

COARSE_DIMENSION = 64
FIT_SAMPLE = 20_000  # passages the principal directions are fitted on
_GRAM_CHUNK = 4096  # rows cast to float64 at a time
SPLIT_ROWS = 100_000  # a scan of this many rows or more runs in two halves at once

Matrix = npt.NDArray[np.float32]


def fit_projection(vectors: Matrix, dimension: int = COARSE_DIMENSION) -> Matrix:
    """The top principal directions (uncentred: cosines are about the origin) of a sample of rows."""
    if len(vectors) == 0:
        return fit_sample(np.zeros((0, vectors.shape[1]), dtype=np.float32), dimension)
    return fit_sample(np.asarray(vectors[sample_rows(len(vectors))]), dimension)


def sample_rows(total: int) -> npt.NDArray[np.int64]:
    """The rows (ascending) of `total` that the projection is fitted on: a sharded build gathers just these."""
    rng = np.random.default_rng(0)
    return np.sort(rng.choice(total, size=min(total, FIT_SAMPLE), replace=False)).astype(np.int64)


def fit_sample(sample: Matrix, dimension: int = COARSE_DIMENSION) -> Matrix:
    """The projection fitted on the sampled rows (`sample_rows`) of the passage vectors.

    The directions are the top eigenvectors of the sample's Gram matrix (columns x columns),
    summed a chunk of rows at a time: the same subspace as the sample's SVD, without its
    (rows x columns) float64 factors and workspace, which were a build's peak memory.
    """
    columns = sample.shape[1]
    dimension = min(dimension, columns)
    found = min(dimension, len(sample))  # a sample of fewer rows spans fewer directions; the rest stay zero
    projection = np.zeros((columns, dimension), dtype=np.float32)
    if found == 0:
        return np.eye(columns, dimension, dtype=np.float32)
    gram = np.zeros((columns, columns), dtype=np.float64)
    for start in range(0, len(sample), _GRAM_CHUNK):
        chunk = np.asarray(sample[start : start + _GRAM_CHUNK], dtype=np.float64)
        gram += chunk.T @ chunk
    values, vectors = np.linalg.eigh(gram)  # ascending
    top = vectors[:, np.argsort(values)[::-1][:found]]
    # An eigenvector's sign is arbitrary; fix it (largest component positive) so that equal input gives equal files.
    signs = np.sign(top[np.abs(top).argmax(axis=0), np.arange(found)])
    projection[:, :found] = top * np.where(signs == 0, 1.0, signs)
    return projection


def project(vectors: Matrix, projection: Matrix) -> Matrix:
    return np.ascontiguousarray(np.asarray(vectors, dtype=np.float32) @ projection)


def candidates(
    coarse: Matrix, projection: Matrix, query: Matrix, count: int, mask: npt.NDArray[np.bool_] | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Rows (ascending) of the `count` best projected scores (ties by row), and those scores; never outside `mask`."""
    projected = query @ projection
    if mask is not None:
        count = min(count, int(mask.sum()))
    if len(coarse) < SPLIT_ROWS:
        rows, scores = _best(coarse, projected, count, mask)
    else:
        rows, scores = _best_of_halves(coarse, projected, count, mask)
    order = np.argsort(rows)
    return rows[order].astype(np.int64), scores[order].astype(np.float64)


def _best(
    block: Matrix, projected: Matrix, count: int, mask: npt.NDArray[np.bool_] | None
) -> tuple[npt.NDArray[np.intp], Matrix]:
    """The `count` best rows of `block` (ties by row) and their scores; masked-out rows score -inf."""
    scores = np.asarray(block @ projected, dtype=np.float32)
    if mask is not None:
        scores = np.where(mask, scores, np.float32(-np.inf))
    best = top_indices(scores, count)
    return best, scores[best]


_scanners: futures.ThreadPoolExecutor | None = None


def _best_of_halves(
    coarse: Matrix, projected: Matrix, count: int, mask: npt.NDArray[np.bool_] | None
) -> tuple[npt.NDArray[np.intp], Matrix]:
    """`_best` of a long scan, each half on its own thread, then the best of the two halves' best.

    The scan reads every coarse row (89 MB at 350,000 passages) on one BLAS thread, as all of
    a query's products do (index/blas.py), and memory bandwidth bounds it: ~10 ms on one core
    of these machines, plus ~2.5 ms to pick the best. By then the question's BM25 rounds are
    done, so the other core is idle. BLAS and numpy's partition release the GIL; each row's dot
    product is computed alike in either half, and every row of the overall best is among its
    half's best, so the result is the single scan's.
    """
    global _scanners
    if _scanners is None:
        _scanners = futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="coarse-scan")
    half = len(coarse) // 2
    second = _scanners.submit(_best, coarse[half:], projected, count, None if mask is None else mask[half:])
    first_rows, first_scores = _best(coarse[:half], projected, count, None if mask is None else mask[:half])
    second_rows, second_scores = second.result()
    rows = np.concatenate([first_rows, second_rows + half])
    scores = np.concatenate([first_scores, second_scores])
    by_row = np.argsort(rows)  # top_indices breaks ties by position: make that the row
    best = by_row[top_indices(scores[by_row], count)]
    return rows[best], scores[best]
