"""Merging the shards' answers into the archive's ranking: pure functions over plain arrays.

Each shard returns its best rows (index/shard_search.py); mapped to the archive's rows they
are ranked as one index would rank them, ties broken by row. Past `exact_scan_rows`, the
candidates are first cut as one index cuts them: the best coarse scores over all shards,
and (score fusion) the best BM25 scores over all shards.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from index.fusion import reciprocal_rank_fusion
from index.query import COARSE_CANDIDATES, ShardQuery
from index.shard_search import Ranked, ShardHits

RowMap = npt.NDArray[np.int64] | None  # a shard's row -> the archive's row; None: the same row


def merge_hits(query: ShardQuery, hits: Sequence[ShardHits], row_maps: Sequence[RowMap]) -> list[tuple[int, float]]:
    """The archive's ranking for `query` from every shard's hits: (row, score), best first, at most `depth`."""
    if query.plan == "legs":
        bm25 = merge_ranked([h.bm25 for h in hits], row_maps, query.depth)
        dense = merge_ranked([h.dense for h in hits], row_maps, query.depth)
        return reciprocal_rank_fusion([[r for r, _ in bm25], [r for r, _ in dense]], k=query.options.rrf_k)
    leg = {"bm25": [h.bm25 for h in hits], "dense": [h.dense for h in hits], "fused": [h.fused for h in hits]}
    return merge_ranked(leg[query.plan], row_maps, query.depth)


def merge_ranked(
    parts: Sequence[Ranked | None], row_maps: Sequence[RowMap], depth: int, cut: int = COARSE_CANDIDATES
) -> list[tuple[int, float]]:
    """One ranking from the shards' rankings of the same leg: the best `depth`, ties by the archive's row.

    Coarse candidates are first cut to the `cut` best coarse rows and `cut` best BM25 rows.
    """
    found = [(p, m) for p, m in zip(parts, row_maps, strict=True) if p is not None]
    if not found:
        return []
    rows = np.concatenate([p.rows if m is None else m[p.rows] for p, m in found]).astype(np.int64)
    scores = np.concatenate([p.scores for p, _ in found])
    keep = np.arange(len(rows))
    if found[0][0].coarse is not None:
        keep = _cut(found, rows, depth, cut)
    order = keep[np.lexsort((rows[keep], -scores[keep]))][:depth]
    return [(int(rows[i]), float(scores[i])) for i in order]


def _cut(
    found: Sequence[tuple[Ranked, RowMap]], rows: npt.NDArray[np.int64], depth: int, cut: int
) -> npt.NDArray[np.intp]:
    """Candidates an unsharded index would score exactly: its coarse best, and its BM25 best when fused."""
    coarse = np.concatenate([p.coarse if p.coarse is not None else np.full(len(p.rows), -np.inf) for p, _ in found])
    chosen = _best(coarse, rows, max(depth, cut), np.isfinite(coarse))
    if found[0][0].bm25_pick is not None:
        picks = np.concatenate([p.bm25_pick if p.bm25_pick is not None else np.zeros(len(p.rows)) for p, _ in found])
        chosen = np.union1d(chosen, _best(picks, rows, cut, picks > 0.0))
    return chosen.astype(np.intp)


def _best(
    scores: npt.NDArray[np.float64], rows: npt.NDArray[np.int64], count: int, eligible: npt.NDArray[np.bool_]
) -> npt.NDArray[np.intp]:
    """Positions of the `count` best eligible scores, ties by row."""
    positions = np.flatnonzero(eligible)
    order = np.lexsort((rows[positions], -scores[positions]))[:count]
    return positions[order]
