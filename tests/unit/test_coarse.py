"""The dense leg's coarse pass: a projection that keeps the exact best rows among its candidates."""

from __future__ import annotations

import numpy as np

from index import coarse


def clustered_unit_vectors(rows: int, seed: int = 1) -> np.ndarray:
    """Vectors whose variance lies mostly in a 48-dimension subspace, as sentence embeddings' does.

    Topic centres and each vector's own variation live in the subspace; a little isotropic
    noise fills the other dimensions.
    """
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(np.random.default_rng(0).standard_normal((384, 48)))[0].T  # same subspace for every call
    topics = rng.standard_normal((50, 48))
    inside = topics[rng.integers(0, 50, rows)] + 0.7 * rng.standard_normal((rows, 48))
    vectors = inside @ basis + 0.02 * rng.standard_normal((rows, 384))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_the_projection_has_orthonormal_columns() -> None:
    projection = coarse.fit_projection(clustered_unit_vectors(3000))
    assert projection.shape == (384, coarse.COARSE_DIMENSION)
    assert np.allclose(projection.T @ projection, np.eye(coarse.COARSE_DIMENSION), atol=1e-4)


def test_candidates_hold_the_exact_best_rows() -> None:
    vectors = clustered_unit_vectors(20_000)
    projection = coarse.fit_projection(vectors)
    projected = coarse.project(vectors, projection)
    queries = clustered_unit_vectors(30, seed=2)
    found = []
    for query in queries:
        exact_top = set(np.argsort(-(vectors @ query))[:10].tolist())
        rows, _ = coarse.candidates(projected, projection, query, 500, None)
        assert len(rows) == 500 and np.all(np.diff(rows) > 0)
        found.append(len(exact_top & set(rows.tolist())) / 10)
    assert np.mean(found) >= 0.95


def test_candidates_respect_the_mask_and_small_archives() -> None:
    vectors = clustered_unit_vectors(100)
    projection = coarse.fit_projection(vectors)
    projected = coarse.project(vectors, projection)
    mask = np.zeros(100, dtype=bool)
    mask[[3, 50, 99]] = True
    assert coarse.candidates(projected, projection, vectors[0], 10, mask)[0].tolist() == [3, 50, 99]
    assert len(coarse.candidates(projected, projection, vectors[0], 500, None)[0]) == 100
    assert len(coarse.candidates(projected, projection, vectors[0], 10, np.zeros(100, dtype=bool))[0]) == 0


def test_projection_spans_the_samples_top_principal_directions() -> None:
    """The Gram-matrix fit finds the subspace numpy's SVD of the same sample finds (an independent oracle)."""
    sample = clustered_unit_vectors(3000)
    projection = coarse.fit_sample(sample)
    _, _, rows = np.linalg.svd(sample.astype(np.float64), full_matrices=False)
    signal = rows[:48].T  # the 48 directions the vectors were made in: well separated from the noise
    # Each lies in the fitted span: projecting it onto our 64 directions keeps its whole length.
    kept = np.linalg.norm(projection.T.astype(np.float64) @ signal, axis=0)
    assert kept.min() > 0.9999


def test_a_sample_of_few_rows_fits_only_as_many_directions() -> None:
    sample = clustered_unit_vectors(10)
    projection = coarse.fit_sample(sample)
    assert np.count_nonzero(np.abs(projection).sum(axis=0)) == 10
    assert np.allclose(projection[:, :10].T @ projection[:, :10], np.eye(10), atol=1e-5)
    # Each direction's sign is fixed: its largest component is positive.
    columns = projection[:, :10]
    assert (columns[np.abs(columns).argmax(axis=0), np.arange(10)] > 0).all()


def test_a_long_scan_split_over_two_threads_scores_every_row_as_one_product() -> None:
    """Past SPLIT_ROWS the scan runs in two halves at once; the scores and the rows picked do not change."""
    rng = np.random.default_rng(7)
    rows = coarse.SPLIT_ROWS + 1001
    projected = rng.standard_normal((rows, 64)).astype(np.float32)
    projection = np.linalg.qr(rng.standard_normal((384, 64)))[0].astype(np.float32)
    query = rng.standard_normal(384).astype(np.float32)
    whole = projected @ (query @ projection)  # one product over every row, as before the split
    expected = np.sort(np.lexsort((np.arange(rows), -whole))[:500])
    picked, scores = coarse.candidates(projected, projection, query, 500, None)
    assert np.array_equal(picked, expected)
    assert np.array_equal(scores, whole[expected].astype(np.float64))
    # Ties across the halves go to the lower row, as in one scan: row 3 and the second half's first row.
    projected[coarse.SPLIT_ROWS // 2 + 600] = projected[3] = 10 * projection.T @ query
    whole = projected @ (query @ projection)
    picked, _ = coarse.candidates(projected, projection, query, 1, None)
    assert picked.tolist() == [3]
    # With a filter: only rows inside the mask, fewer than asked for when the mask holds fewer.
    mask = rng.random(rows) < 0.3
    inside = np.flatnonzero(mask)
    expected = np.sort(inside[np.lexsort((inside, -whole[inside]))[:500]])
    assert np.array_equal(coarse.candidates(projected, projection, query, 500, mask)[0], expected)
    few = np.zeros(rows, dtype=bool)
    few[[5, coarse.SPLIT_ROWS]] = True
    assert coarse.candidates(projected, projection, query, 500, few)[0].tolist() == [5, coarse.SPLIT_ROWS]
