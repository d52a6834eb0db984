"""The BM25 sidecar on disk: scores against the BM25F formula, filters, carrying postings over."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from archive.errors import IndexCorruptError
from index.schema import Sizes
from index.sparse import DEFAULT_BM25, BM25Index, BM25Params, PostingsWriter

PASSAGES = [
    (["rocket", "fire", "border", "rocket"], ["border", "talk"]),
    (["ceasefir", "talk", "border"], ["border", "talk"]),
    (["detaine", "releas", "five"], ["prison"]),
    (["weather", "rain"], []),
]


def sizes(passages: int, terms: int, postings: int) -> Sizes:
    """The manifest figures the sidecar's arrays are checked against (others do not matter here)."""
    return Sizes(articles=0, passages=passages, sentences=0, dimension=0, bm25_terms=terms, bm25_postings=postings)


def write(folder: Path, passages: list[tuple[list[str], list[str]]], previous: BM25Index | None = None) -> BM25Index:
    writer = PostingsWriter(previous)
    for text, title in passages:
        writer.add(text, title)
    terms, postings = writer.save(folder)
    return BM25Index(folder, sizes(len(passages), terms, postings))


def bm25f_by_hand(passages: list[tuple[list[str], list[str]]], query: list[str], p: BM25Params) -> list[float]:
    """The formula written out term by term, independent of the array layout."""
    n = len(passages)
    avg_text = max(sum(len(t) for t, _ in passages) / n, 1.0)
    avg_title = max(sum(len(h) for _, h in passages) / n, 1.0)
    scores = []
    for text, title in passages:
        total = 0.0
        for term in set(query):
            df = sum(1 for t, h in passages if term in t or term in h)
            if df == 0 or (term not in text and term not in title):
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            weight = text.count(term) / (1 - p.b + p.b * len(text) / avg_text) + p.title_weight * title.count(term) / (
                1 - p.b + p.b * len(title) / avg_title
            )
            total += idf * weight * (p.k1 + 1) / (weight + p.k1)
        scores.append(total)
    return scores


@pytest.mark.parametrize("query", [["rocket"], ["border", "talk"], ["detaine", "five", "rocket"], ["rain", "talk"]])
def test_scores_follow_the_bm25f_formula(tmp_path: Path, query: list[str]) -> None:
    index = write(tmp_path, PASSAGES)
    expected = bm25f_by_hand(PASSAGES, query, DEFAULT_BM25)
    ranked = index.search(query, k=10)
    assert [row for row, _ in ranked] == sorted(
        (row for row, score in enumerate(expected) if score > 0), key=lambda row: (-expected[row], row)
    )
    for row, score in ranked:
        assert score == pytest.approx(expected[row])


def test_unknown_terms_and_empty_queries_match_nothing(tmp_path: Path) -> None:
    index = write(tmp_path, PASSAGES)
    assert index.search(["zebra"], k=5) == []
    assert index.search([], k=5) == []
    assert index.document_frequency("zebra") == 0


def test_mask_keeps_filtered_rows_out_and_k_limits(tmp_path: Path) -> None:
    index = write(tmp_path, PASSAGES)
    mask = np.array([False, True, True, True])
    assert [row for row, _ in index.search(["border"], k=10, mask=mask)] == [1]
    assert len(index.search(["border", "talk", "rain"], k=2)) == 2


def test_carried_postings_equal_a_fresh_build(tmp_path: Path) -> None:
    for name in ("old", "new", "fresh"):
        (tmp_path / name).mkdir()
    old = write(tmp_path / "old", PASSAGES)
    # New generation: passage 2 dropped, 0-1 carried in a new place, 3 carried, one new passage first.
    writer = PostingsWriter(old)
    writer.add(["rocket", "strike"], ["news"])
    writer.carry(3, 1)
    writer.carry(0, 2)
    terms, postings = writer.save(tmp_path / "new")
    carried = BM25Index(tmp_path / "new", sizes(4, terms, postings))
    fresh = write(tmp_path / "fresh", [(["rocket", "strike"], ["news"]), PASSAGES[3], PASSAGES[0], PASSAGES[1]])
    for query in (["rocket"], ["border", "talk"], ["strike", "rain"], ["detaine"]):
        assert carried.search(query, k=10) == pytest.approx(fresh.search(query, k=10))
    assert carried.document_frequency("detaine") == 0  # the dropped passage's term has no postings left


@pytest.mark.parametrize("limit", [1, 3, 7, 100])
def test_postings_spilled_in_runs_write_the_same_files(tmp_path: Path, limit: int) -> None:
    """A build that streams spills sorted runs every `limit` postings and merges them: the files are unchanged.

    With 100, everything fits under the limit: nothing is spilled, the carried postings included."""
    passages = [*PASSAGES, (["rocket", "zebra"], ["zoo"]), (["talk"], ["border", "zebra"])]
    (tmp_path / "old").mkdir()
    old = write(tmp_path / "old", PASSAGES)
    made = {}
    for name, spill in (("held", None), ("spilled", tmp_path / "runs")):
        writer = PostingsWriter(old, spill=spill, limit=limit)
        writer.carry(2, 2)  # carried rows mixed with new ones, out of their old order
        for text, title in passages[4:]:
            writer.add(text, title)
        writer.carry(0, 1)
        writer.add(*PASSAGES[1])
        (tmp_path / name).mkdir()
        made[name] = writer.save(tmp_path / name)
    assert made["held"] == made["spilled"] == (13, 19)  # the old vocabulary of 11 terms, then zebra and zoo
    for path in sorted((tmp_path / "held").iterdir()):
        assert path.read_bytes() == (tmp_path / "spilled" / path.name).read_bytes(), path.name
    runs = tmp_path / "runs"
    assert list(runs.iterdir()) == [] if limit < 100 else not runs.exists()  # the runs are gone once merged
    index = BM25Index(tmp_path / "spilled", sizes(6, 13, 19))
    # Rows: 0-1 carried from old rows 2-3, 2-3 new, 4 carried from old row 0, 5 new (old passage 1's terms).
    assert sorted(row for row, _ in index.search(["zebra"], k=10)) == [2, 3]
    assert sorted(row for row, _ in index.search(["border"], k=10)) == [3, 4, 5]
    assert sorted(row for row, _ in index.search(["detaine", "rain"], k=10)) == [0, 1]


def test_a_vocabulary_of_the_wrong_size_is_reported(tmp_path: Path) -> None:
    index = write(tmp_path, PASSAGES)
    with pytest.raises(IndexCorruptError, match=r"bm25_vocab\.json"):
        BM25Index(tmp_path, sizes(len(PASSAGES), len(index.vocab) + 1, len(index.rows)))


def test_neighbouring_carries_write_what_one_carry_writes(tmp_path: Path) -> None:
    """An update carries article by article; neighbours then and now become one move, same files."""
    (tmp_path / "old").mkdir()
    old = write(tmp_path / "old", PASSAGES)
    for name, carries in (("one", [(0, 3)]), ("three", [(0, 1), (1, 1), (2, 1)])):
        writer = PostingsWriter(old)
        for first, count in carries:
            writer.carry(first, count)
        writer.add(["zebra"], [])
        (tmp_path / name).mkdir()
        writer.save(tmp_path / name)
    for path in sorted((tmp_path / "one").iterdir()):
        assert path.read_bytes() == (tmp_path / "three" / path.name).read_bytes(), path.name
    index = BM25Index(tmp_path / "three", sizes(4, 12, len(np.load(tmp_path / "three" / "bm25_rows.npy"))))
    assert [row for row, _ in index.search(["zebra"], k=5)] == [3]
