"""The shard seam's pure parts: stable assignment, collection statistics, and the merge of shards' rankings."""

import numpy as np

from index.merge import merge_ranked
from index.query import ShardStatistics, merge_statistics
from index.shard_search import Ranked
from index.shardset import shard_of
from index.vectors import top_indices


def test_articles_go_to_shards_by_a_hash_that_never_changes() -> None:
    # Recorded once: a change here would move every article of every sharded index.
    assert [shard_of(a, 4) for a in ("a", "b", "c", "xquad-00", "Ωmega")] == [0, 0, 3, 0, 2]
    assert [shard_of(a, 7) for a in ("a", "b", "c", "xquad-00", "Ωmega")] == [4, 0, 2, 0, 2]


def test_statistics_are_summed_over_shards() -> None:
    stats = merge_statistics(
        [
            ShardStatistics(10, (100.0, 20.0), {"cat": 2, "dog": 0}, 12, {"cat": 1}),
            ShardStatistics(30, (500.0, 60.0), {"cat": 1, "dog": 4}, 30, {"cat": 3, "dog": 2}),
        ]
    )
    assert stats.bm25.passages == 40
    assert stats.bm25.average_lengths == (15.0, 2.0)
    assert dict(stats.bm25.document_frequency) == {"cat": 3, "dog": 4}
    assert stats.store_documents == 42 and dict(stats.store_df) == {"cat": 4, "dog": 2}
    # Whoosh's idf: log(N / (df + 1)) + 1
    assert abs(stats.store_idf("cat") - (np.log(42 / 5) + 1)) < 1e-12


def test_ties_are_broken_by_row_whatever_the_order_scores_arrive_in() -> None:
    scores = np.array([0.5, 0.9, 0.5, 0.5, 0.1])
    assert top_indices(scores, 3).tolist() == [1, 0, 2]
    assert top_indices(scores[::-1].copy(), 3).tolist() == [3, 1, 2]
    assert top_indices(scores, 0).tolist() == []


def test_merging_maps_shard_rows_to_archive_rows_and_ranks_them_as_one() -> None:
    # Shard 0 holds archive rows 0, 2, 4; shard 1 holds rows 1, 3.
    maps = [np.array([0, 2, 4]), np.array([1, 3])]
    parts = [
        Ranked(np.array([2, 0]), np.array([0.8, 0.3])),  # local rows 2 and 0: archive rows 4 and 0
        Ranked(np.array([1, 0]), np.array([0.8, 0.5])),  # archive rows 3 and 1
    ]
    assert merge_ranked(parts, maps, 3) == [(3, 0.8), (4, 0.8), (1, 0.5)]


def test_coarse_candidates_are_cut_over_the_whole_archive_before_ranking() -> None:
    """Only the archive's best coarse rows are scored: a shard's extra candidate never enters."""
    parts = [
        Ranked(np.array([0, 1]), np.array([0.2, 0.99]), coarse=np.array([0.9, 0.1])),
        Ranked(np.array([0, 1]), np.array([0.4, 0.3]), coarse=np.array([0.8, 0.7])),
    ]
    # The best two coarse rows over both shards: rows 0 (0.9) and 10 (0.8); row 1's exact 0.99 is never seen.
    assert merge_ranked(parts, [None, np.array([10, 11])], 2, cut=2) == [(10, 0.4), (0, 0.2)]
