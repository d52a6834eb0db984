"""One shard's part of every search: the seam a Ray actor wraps (docs/sharding.md).

A `ShardSearcher` answers, for the passages of one generation, the questions the retriever
asks of every shard, in up to three rounds: its statistics for the query's terms, its best
BM25 score under the collection's statistics (score fusion divides by the best over all
shards), and its candidates. Arguments and results are plain picklable values (index/query.py,
`Ranked`, `ShardHits`); rows are the shard's own, and index/merge.py maps them to the
archive's rows and ranks them. An unsharded index is searched as one shard, through the same
code. This module never decides the final ranking and never reads another shard.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np
import numpy.typing as npt

from index import coarse, vectors
from index.fusion import score_fusion
from index.query import COARSE_CANDIDATES, CollectionStats, ShardQuery, ShardStatistics
from index.sparse import BM25Stats, best_matches

if TYPE_CHECKING:
    from index.snapshot import Snapshot

VectorKind = Literal["passage", "sentence"]
Rows = npt.NDArray[np.int64]
Scores = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Ranked:
    """Rows and their scores, best first; with `coarse`, rows are candidates still to be cut.

    Past `exact_scan_rows` the dense leg scores exactly only the best rows of the coarse pass
    (and, fused, of BM25), chosen over the whole archive: so a shard returns its own best of
    each, `coarse` holding each candidate's coarse score (-inf: not among the shard's coarse
    best) and `bm25_pick` its BM25 score where it is among the shard's BM25 best (else 0).
    """

    rows: Rows
    scores: Scores
    coarse: Scores | None = None
    bm25_pick: Scores | None = None


@dataclass(frozen=True)
class ShardHits:
    """A shard's answer to a query: the rankings its plan asks for (index/query.py `ShardQuery.plan`)."""

    bm25: Ranked | None = None
    dense: Ranked | None = None
    fused: Ranked | None = None


class ShardSearcher:
    """Search one generation's passages as one shard of an archive."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        # The last query's BM25 scores: round 2 (best BM25) and round 3 (search) score the same query.
        self._last: tuple[Hashable, Scores | None] | None = None
        # The last query vector's coarse candidates, picked by `prepare_dense` while BM25 scores.
        self._last_coarse: tuple[Hashable, tuple[Rows, Scores]] | None = None
        self._lock = threading.Lock()

    def statistics(self, terms: tuple[str, ...], store: bool = False) -> ShardStatistics:
        """The shard's BM25 statistics for `terms`; with `store`, the Whoosh store's too (the answer's IDF)."""
        bm25 = self.snapshot.bm25
        documents, store_df = self.snapshot.store.term_counts(terms) if store else (0, {})
        return ShardStatistics(
            bm25.passages,
            bm25.length_totals,
            {t: bm25.document_frequency(t) for t in terms},
            documents,
            store_df,
        )

    def best_bm25(self, query: ShardQuery, stats: CollectionStats | None) -> float:
        """The shard's best BM25 score among the filtered rows (0 when nothing matches); `stats` the
        archive's (None: this shard's own). The scores are kept for the search of the same query."""
        scores = self._bm25_scores(query, stats, self._mask(query))
        return float(scores.max()) if scores is not None and len(scores) else 0.0

    def prepare_dense(self, query: ShardQuery) -> None:
        """Pick the coarse pass's candidates for the query's vector now, for the search of the same query.

        The retriever calls this on the question's thread as soon as the vector exists, while
        the other thread is still scoring BM25 (rounds 1-2), so the two biggest steps of a
        large archive's query overlap instead of following each other.
        """
        if query.coarse and query.plan != "bm25":
            self._coarse_rows(query, self._mask(query))

    def search(self, query: ShardQuery, stats: CollectionStats | None, best_bm25: float | None) -> ShardHits:
        """The shard's candidates for `query`; `stats` and `best_bm25` are the archive's (None: this shard's own)."""
        mask = self._mask(query)
        if query.plan == "bm25":
            return ShardHits(bm25=self._bm25_leg(query, stats, mask))
        if query.plan == "dense":
            return ShardHits(dense=self._dense_leg(query, mask))
        if query.plan == "legs":
            return ShardHits(bm25=self._bm25_leg(query, stats, mask), dense=self._dense_leg(query, mask))
        return ShardHits(fused=self._fused(query, stats, mask, best_bm25))

    def passage_vectors(self, rows: Sequence[int]) -> npt.NDArray[np.float32]:
        return np.asarray(self.snapshot.passage_vectors[list(rows)], dtype=np.float32).reshape(len(rows), -1)

    def sentence_vectors(self, rows: Sequence[int]) -> npt.NDArray[np.float32]:
        return np.asarray(self.snapshot.sentence_vectors[list(rows)], dtype=np.float32).reshape(len(rows), -1)

    def close(self) -> None:
        self.snapshot.close()

    # ----- the legs -------------------------------------------------------------------

    def _mask(self, query: ShardQuery) -> npt.NDArray[np.bool_] | None:
        f = query.filters
        return self.snapshot.passage_mask(f.source, f.since, f.until)

    def _bm25_scores(
        self, query: ShardQuery, stats: CollectionStats | None, mask: npt.NDArray[np.bool_] | None
    ) -> Scores | None:
        """Every row's BM25 score under `stats` (0 outside `mask`); read-only, as it may be reused."""
        bm25 = _bm25(stats)
        key = (query.terms, query.options.bm25, query.filters, None if bm25 is None else bm25.key())
        with self._lock:
            last = self._last
        if last is not None and last[0] == key:
            return last[1]
        scores = self.snapshot.bm25.scores(query.terms, query.options.bm25, bm25)
        if scores is not None and mask is not None:
            scores[~mask] = 0.0
        if scores is not None:
            scores.flags.writeable = False
        with self._lock:
            self._last = (key, scores)
        return scores

    def _bm25_leg(self, query: ShardQuery, stats: CollectionStats | None, mask: npt.NDArray[np.bool_] | None) -> Ranked:
        snapshot = self.snapshot
        if query.options.bm25_engine == "whoosh":
            f = query.filters
            hits = snapshot.store.search(query.text, query.depth, f.source, f.since, f.until)
            return _ranked([(snapshot.passage_row(h.article_id, h.passage), h.score) for h in hits])
        return _ranked(snapshot.bm25.search(query.terms, query.depth, mask, query.options.bm25, _bm25(stats)))

    def _dense_leg(self, query: ShardQuery, mask: npt.NDArray[np.bool_] | None) -> Ranked:
        vector = _vector(query)
        if not query.coarse:
            return _ranked(vectors.top_k(self.snapshot.passage_vectors, vector, query.depth, mask))
        rows, coarse_scores = self._coarse_rows(query, mask)
        exact = np.asarray(self.snapshot.passage_vectors[rows] @ vector, dtype=np.float64)
        return Ranked(rows, exact, coarse_scores)

    def _fused(
        self, query: ShardQuery, stats: CollectionStats | None, mask: npt.NDArray[np.bool_] | None, best: float | None
    ) -> Ranked:
        vector, weight = _vector(query), query.options.bm25_weight
        bm25 = self._bm25_scores(query, stats, mask)
        if best is None:
            best = float(bm25.max()) if bm25 is not None and len(bm25) else 0.0
        if not query.coarse:
            cosines = np.asarray(self.snapshot.passage_vectors @ vector, dtype=np.float64)
            return _ranked(vectors.top_rows(score_fusion(cosines, bm25, best, weight), query.depth, mask))
        # Large archive: exact scores for the coarse pass's best rows and BM25's best rows only.
        coarse_rows, coarse_scores = self._coarse_rows(query, mask)
        picked = best_matches(bm25, COARSE_CANDIDATES) if bm25 is not None and best > 0.0 else np.zeros(0, np.intp)
        rows = np.union1d(coarse_rows, picked).astype(np.int64)
        cosines = np.asarray(self.snapshot.passage_vectors[rows] @ vector, dtype=np.float64)
        fused = score_fusion(cosines, bm25[rows] if bm25 is not None else None, best, weight)
        coarse_of = np.full(len(rows), -np.inf)
        coarse_of[np.searchsorted(rows, coarse_rows)] = coarse_scores
        pick_of = np.zeros(len(rows))
        if bm25 is not None:
            at = np.searchsorted(rows, picked)
            pick_of[at] = bm25[picked]
        return Ranked(rows, fused, coarse_of, pick_of)

    def _coarse_rows(self, query: ShardQuery, mask: npt.NDArray[np.bool_] | None) -> tuple[Rows, Scores]:
        snapshot = self.snapshot
        assert snapshot.passage_coarse is not None and snapshot.coarse_projection is not None
        count = max(query.depth, COARSE_CANDIDATES)
        vector = _vector(query)
        key = (vector.tobytes(), query.filters, count)
        with self._lock:
            last = self._last_coarse
        if last is not None and last[0] == key:
            return last[1]
        picked = coarse.candidates(snapshot.passage_coarse, snapshot.coarse_projection, vector, count, mask)
        with self._lock:
            self._last_coarse = (key, picked)
        return picked


def _bm25(stats: CollectionStats | None) -> BM25Stats | None:
    return stats.bm25 if stats is not None else None


def _vector(query: ShardQuery) -> npt.NDArray[np.float32]:
    if query.vector is None:
        raise ValueError("the dense leg needs the query vector")
    return query.vector


def _ranked(pairs: Sequence[tuple[int, float]]) -> Ranked:
    rows = np.fromiter((r for r, _ in pairs), dtype=np.int64, count=len(pairs))
    scores = np.fromiter((s for _, s in pairs), dtype=np.float64, count=len(pairs))
    return Ranked(rows, scores)


class ShardPool(Protocol):
    """Every shard's searcher, called together; results in shard order.

    `LocalPool` calls in-process searchers one after another; a pool of Ray actors (issue 15,
    section 3) scatters the same calls with `.remote` and gathers them with `ray.get`.
    """

    @property
    def size(self) -> int: ...

    def statistics(self, terms: tuple[str, ...], store: bool = False) -> list[ShardStatistics]: ...

    def best_bm25(self, query: ShardQuery, stats: CollectionStats | None) -> list[float]: ...

    def prepare_dense(self, query: ShardQuery) -> None:
        """Each shard picks its coarse candidates for the query's vector and keeps them for its search."""
        ...

    def search(self, query: ShardQuery, stats: CollectionStats | None, best_bm25: float | None) -> list[ShardHits]: ...

    def vectors(self, kind: VectorKind, rows: Sequence[Sequence[int]]) -> list[npt.NDArray[np.float32]]:
        """Each shard's `kind` vectors of its `rows[shard]` (empty rows: no call)."""
        ...

    def close(self) -> None: ...


class LocalPool:
    """The shards' searchers in this process."""

    def __init__(self, searchers: Sequence[ShardSearcher]) -> None:
        self.searchers = list(searchers)

    @property
    def size(self) -> int:
        return len(self.searchers)

    def statistics(self, terms: tuple[str, ...], store: bool = False) -> list[ShardStatistics]:
        return [s.statistics(terms, store) for s in self.searchers]

    def best_bm25(self, query: ShardQuery, stats: CollectionStats | None) -> list[float]:
        return [s.best_bm25(query, stats) for s in self.searchers]

    def prepare_dense(self, query: ShardQuery) -> None:
        for searcher in self.searchers:
            searcher.prepare_dense(query)

    def search(self, query: ShardQuery, stats: CollectionStats | None, best_bm25: float | None) -> list[ShardHits]:
        return [s.search(query, stats, best_bm25) for s in self.searchers]

    def vectors(self, kind: VectorKind, rows: Sequence[Sequence[int]]) -> list[npt.NDArray[np.float32]]:
        out = []
        for searcher, mine in zip(self.searchers, rows, strict=True):
            if not mine:
                out.append(np.zeros((0, searcher.snapshot.manifest.dimension), dtype=np.float32))
            elif kind == "passage":
                out.append(searcher.passage_vectors(mine))
            else:
                out.append(searcher.sentence_vectors(mine))
        return out

    def close(self) -> None:
        for searcher in self.searchers:
            searcher.close()
