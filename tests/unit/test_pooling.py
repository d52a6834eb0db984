"""Late chunking's pooling (index/pooling.py): which tokens a span takes, when a span was cut, how passages combine."""

from __future__ import annotations

import numpy as np

from index.pooling import combine, pool_spans, under_title

# "ab cd ef" as [CLS] ab cd ef [SEP]: special tokens carry the empty span (0, 0).
OFFSETS = [(0, 0), (0, 2), (3, 5), (6, 8), (0, 0)]
HIDDEN = np.array(
    [
        [9.0, 9.0],  # [CLS]: never inside a span
        [3.0, 0.0],
        [0.0, 4.0],
        [0.0, -2.0],
        [9.0, -9.0],  # [SEP]
    ],
    dtype=np.float32,
)


def test_a_span_pools_the_tokens_inside_it_to_unit_length() -> None:
    pooled = pool_spans(HIDDEN, OFFSETS, [(0, 5), (6, 8)])
    # (3, 0) and (0, 4) average to (1.5, 2), length 2.5; the second span is the one token (0, -2).
    np.testing.assert_allclose(pooled.vectors, [[0.6, 0.8], [0.0, -1.0]], atol=1e-6)
    assert pooled.whole.tolist() == [True, True]


def test_special_tokens_never_count_even_for_a_span_from_zero() -> None:
    pooled = pool_spans(HIDDEN, OFFSETS, [(0, 2)])
    np.testing.assert_allclose(pooled.vectors, [[1.0, 0.0]], atol=1e-6)


def test_a_span_past_the_last_token_of_a_truncated_text_is_cut() -> None:
    # The window ended after "cd": a span running to 11 lost its tail, one ending at 5 did not.
    pooled = pool_spans(HIDDEN[:3], OFFSETS[:3], [(0, 5), (3, 11)], truncated=True)
    assert pooled.whole.tolist() == [True, False]
    np.testing.assert_allclose(pooled.vectors[1], [0.0, 1.0], atol=1e-6)  # what was left of it


def test_a_span_with_no_token_gets_a_zero_vector() -> None:
    pooled = pool_spans(HIDDEN, OFFSETS, [(9, 12)])
    assert pooled.vectors.tolist() == [[0.0, 0.0]]


def test_a_sentence_in_two_passages_averages_the_whole_ones() -> None:
    first = np.array([1.0, 0.0], dtype=np.float32)
    second = np.array([0.0, 1.0], dtype=np.float32)
    cut = np.array([-1.0, 0.0], dtype=np.float32)
    np.testing.assert_allclose(combine([(first, True), (second, True), (cut, False)], 2), [0.7071068, 0.7071068])
    # Only cut copies: they stand in rather than leave the sentence without a vector.
    np.testing.assert_allclose(combine([(cut, False)], 2), [-1.0, 0.0])
    assert combine([], 2).tolist() == [0.0, 0.0]


def test_a_title_joins_each_passage_by_its_share_of_word_pieces() -> None:
    passages = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    titles = np.array([[0.0, -1.0], [0.0, -1.0]], dtype=np.float32)
    # 3 pieces of passage to 1 of title: (3, 0) + (0, -1), scaled to unit length (0.949, -0.316);
    # the second passage (0, 1) has 4 pieces: (0, 4 - 1) = (0, 1).
    joined = under_title(passages, [3, 4], titles, [1, 1])
    np.testing.assert_allclose(joined, [[0.9486833, -0.3162278], [0.0, 1.0]], atol=1e-6)
    # A title of as many pieces as the passage weighs the same.
    same = under_title(passages[:1], [2], np.array([[0.0, 1.0]], np.float32), [2])
    np.testing.assert_allclose(same, [[0.7071068, 0.7071068]])
