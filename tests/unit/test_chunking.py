from hypothesis import given
from hypothesis import strategies as st

from archive.chunking import chunk_sentences


def test_packs_sentences_up_to_the_budget_with_overlap() -> None:
    assert chunk_sentences([40, 40, 40, 40, 40], max_tokens=100, overlap=1) == [
        (0, 2),
        (1, 3),
        (2, 4),
        (3, 5),
    ]


def test_without_overlap_passages_tile_the_article() -> None:
    assert chunk_sentences([30, 30, 30, 30, 30], max_tokens=100, overlap=0) == [(0, 3), (3, 5)]


def test_a_sentence_longer_than_the_budget_is_a_passage_of_its_own() -> None:
    assert chunk_sentences([10, 500, 10], max_tokens=100, overlap=1) == [(0, 1), (1, 2), (2, 3)]


def test_no_sentences_no_passages() -> None:
    assert chunk_sentences([], max_tokens=100, overlap=1) == []


@given(
    counts=st.lists(st.integers(min_value=1, max_value=300), max_size=60),
    max_tokens=st.integers(min_value=1, max_value=400),
    overlap=st.integers(min_value=0, max_value=4),
)
def test_every_sentence_is_covered_and_passages_advance(counts: list[int], max_tokens: int, overlap: int) -> None:
    passages = chunk_sentences(counts, max_tokens, overlap)
    covered = {i for first, end in passages for i in range(first, end)}
    assert covered == set(range(len(counts)))
    starts = [first for first, _ in passages]
    assert starts == sorted(set(starts))
    for first, end in passages:
        assert end > first
        assert end - first == 1 or sum(counts[first:end]) <= max_tokens
