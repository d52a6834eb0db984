import pytest

from index.fusion import reciprocal_rank_fusion, score_fusion


def test_rrf_rewards_items_ranked_well_by_both_legs() -> None:
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1, 4]], k=60)
    order = [item for item, _ in fused]
    assert order[0] == 1  # ranks 1 and 2 beat 3 (ranks 3 and 1)
    assert set(order) == {1, 2, 3, 4}
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)


def test_rrf_weights_tilt_the_order() -> None:
    plain = [i for i, _ in reciprocal_rank_fusion([[1, 2], [2, 1]], k=0)]
    tilted = [i for i, _ in reciprocal_rank_fusion([[1, 2], [2, 1]], k=0, weights=[1.0, 2.0])]
    assert plain[0] == 1  # tie broken by first appearance
    assert tilted[0] == 2


def test_rrf_rejects_mismatched_weights() -> None:
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([[1]], weights=[1.0, 1.0])


def test_score_fusion_adds_weighted_bm25_relative_to_the_best() -> None:
    import numpy as np

    cosines = np.array([0.5, 0.4, 0.3])
    bm25 = np.array([0.0, 10.0, 5.0])
    fused = score_fusion(cosines.copy(), bm25, 10.0, 0.3)
    assert fused == pytest.approx([0.5, 0.7, 0.45])
    # No BM25 match at all: the cosine alone.
    assert score_fusion(cosines.copy(), None, 0.0, 0.3) == pytest.approx(cosines)


def test_top_rows_orders_by_score_and_honours_the_mask() -> None:
    import numpy as np

    from index.vectors import top_rows

    scores = np.array([0.2, 0.9, 0.5, 0.9, 0.1])
    assert [row for row, _ in top_rows(scores, 3)] == [1, 3, 2]  # ties keep row order
    mask = np.array([True, False, True, False, True])
    assert top_rows(scores, 5, mask) == [(2, 0.5), (0, 0.2), (4, 0.1)]
    assert top_rows(scores, 2, np.zeros(5, dtype=bool)) == []
