"""Hybrid passage retrieval: BM25F and cosine over passages, fused.

The BM25 leg runs on the numpy sidecar (index/sparse.py) by default; `bm25_engine="whoosh"`
runs Whoosh's own BM25F OR query instead (slower as the archive grows, kept to compare).

Fusion, by default, adds to each passage's cosine its BM25 score divided by the query's
best BM25 score, times `bm25_weight`, over every passage: both legs score the whole
archive in a few numpy passes, so no candidate is lost to a depth cut. Cosines of
MiniLM live in a narrow band, so the BM25 part stays a tie-breaker among passages the
model finds similar unless the query's rare words pick a passage out clearly. On SciFact
this beats reciprocal-rank fusion (nDCG@10 0.741 against 0.723; bench/RESULTS.md).
`fusion="rrf"` fuses each leg's top `candidates` by rank instead (the only choice for
the Whoosh engine, whose scores are not available for every passage).

Above `exact_scan_rows` passages the dense leg first scans a 64-dimension projection of the
vectors (index/coarse.py) and computes exact cosines only for its 2,000 best rows and for
the BM25 leg's 2,000 best: an exact scan reads every vector, 0.5 GB a query at 350,000
passages.

Filters (source, date range) are applied inside each leg before it ranks, so a
filtered search returns its best k, not the survivors of an unfiltered top k.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from index import analysis, coarse, vectors
from index.defaults import (
    DEFAULT_BM25_ENGINE,
    DEFAULT_BM25_WEIGHT,
    DEFAULT_CANDIDATES,
    DEFAULT_EXACT_SCAN_ROWS,
    DEFAULT_FUSION,
    DEFAULT_RRF_K,
    BM25Engine,
    Fusion,
)
from index.embedder import Embedder
from index.fusion import reciprocal_rank_fusion, score_fusion
from index.records import SearchMode
from index.snapshot import Snapshot
from index.sparse import DEFAULT_BM25, BM25Params, best_matches

COARSE_CANDIDATES = 2000  # rows per leg given exact cosines on a large archive


@dataclass(frozen=True)
class RetrievalOptions:
    """The retriever's knobs; the defaults live in index/defaults.py (archive/settings.py reads them too)."""

    candidates: int = DEFAULT_CANDIDATES  # per leg, for rank fusion and the Whoosh engine
    rrf_k: int = DEFAULT_RRF_K
    bm25_engine: BM25Engine = DEFAULT_BM25_ENGINE
    fusion: Fusion = DEFAULT_FUSION
    bm25_weight: float = DEFAULT_BM25_WEIGHT  # score fusion: weight of BM25 / best BM25 next to the cosine
    bm25: BM25Params = DEFAULT_BM25
    exact_scan_rows: int = DEFAULT_EXACT_SCAN_ROWS  # above this many passages the dense leg starts coarse


@dataclass(frozen=True)
class RankedPassage:
    row: int
    score: float


@dataclass(frozen=True)
class Retrieval:
    """Ranked passages, best first, and the query vector when the dense leg ran."""

    passages: tuple[RankedPassage, ...]
    query_vector: npt.NDArray[np.float32] | None
    mode: SearchMode


def retrieve(
    snapshot: Snapshot,
    embedder: Embedder | None,
    text: str,
    k: int,
    mode: SearchMode,
    options: RetrievalOptions,
    source: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Retrieval:
    """Top `k` passages for `text`; `embedder=None` means the model is not available (BM25 only)."""
    if embedder is None and mode != "bm25":
        mode = "bm25"
    mask = snapshot.passage_mask(source, since, until)
    filters = _Filters(source, since, until, mask)
    query_vector = embedder.encode_one(text) if mode != "bm25" and embedder is not None else None
    if mode == "bm25":
        ranked = _bm25_leg(snapshot, text, max(k, options.candidates), filters, options)
    elif mode == "dense":
        assert query_vector is not None
        ranked = _dense_leg(snapshot, query_vector, k, mask, options)
    elif options.fusion == "score" and options.bm25_engine == "sidecar":
        assert query_vector is not None
        ranked = _score_fusion(snapshot, text, query_vector, k, mask, options)
    else:
        assert query_vector is not None
        depth = max(k, options.candidates)
        bm25 = _bm25_leg(snapshot, text, depth, filters, options)
        dense = _dense_leg(snapshot, query_vector, depth, mask, options)
        ranked = reciprocal_rank_fusion([[r for r, _ in bm25], [r for r, _ in dense]], k=options.rrf_k)
    return Retrieval(tuple(RankedPassage(row, score) for row, score in ranked[:k]), query_vector, mode)


@dataclass(frozen=True)
class _Filters:
    source: str | None
    since: date | None
    until: date | None
    mask: npt.NDArray[np.bool_] | None  # the same filters as passage rows


def _bm25_leg(
    snapshot: Snapshot, text: str, depth: int, filters: _Filters, options: RetrievalOptions
) -> list[tuple[int, float]]:
    if options.bm25_engine == "whoosh":
        hits = snapshot.store.search(text, depth, filters.source, filters.since, filters.until)
        return [(snapshot.passage_row(h.article_id, h.passage), h.score) for h in hits]
    return snapshot.bm25.search(analysis.unique_terms(text), depth, filters.mask, options.bm25)


def _dense_leg(
    snapshot: Snapshot,
    query_vector: npt.NDArray[np.float32],
    k: int,
    mask: npt.NDArray[np.bool_] | None,
    options: RetrievalOptions,
) -> list[tuple[int, float]]:
    if not _coarse_first(snapshot, options):
        return vectors.top_k(snapshot.passage_vectors, query_vector, k, mask)
    rows = _coarse_rows(snapshot, query_vector, max(k, COARSE_CANDIDATES), mask)
    exact = np.asarray(snapshot.passage_vectors[rows] @ query_vector)
    return [(int(rows[i]), score) for i, score in vectors.top_rows(exact, k)]


def _coarse_rows(
    snapshot: Snapshot, query_vector: npt.NDArray[np.float32], count: int, mask: npt.NDArray[np.bool_] | None
) -> npt.NDArray[np.int64]:
    assert snapshot.passage_coarse is not None and snapshot.coarse_projection is not None
    return coarse.candidates(snapshot.passage_coarse, snapshot.coarse_projection, query_vector, count, mask)


def _coarse_first(snapshot: Snapshot, options: RetrievalOptions) -> bool:
    return snapshot.passage_coarse is not None and snapshot.manifest.passages > options.exact_scan_rows


def _score_fusion(
    snapshot: Snapshot,
    text: str,
    query_vector: npt.NDArray[np.float32],
    k: int,
    mask: npt.NDArray[np.bool_] | None,
    options: RetrievalOptions,
) -> list[tuple[int, float]]:
    bm25 = snapshot.bm25.scores(analysis.unique_terms(text), options.bm25)
    if bm25 is not None and mask is not None:
        bm25[~mask] = 0.0
    best = float(bm25.max()) if bm25 is not None else 0.0
    if not _coarse_first(snapshot, options):
        cosines = np.asarray(snapshot.passage_vectors @ query_vector, dtype=np.float64)
        return vectors.top_rows(score_fusion(cosines, bm25, best, options.bm25_weight), k, mask)
    # Large archive: exact scores for the coarse pass's best rows and BM25's best rows only.
    rows = _coarse_rows(snapshot, query_vector, max(k, COARSE_CANDIDATES), mask)
    if bm25 is not None and best > 0.0:
        rows = np.union1d(rows, best_matches(bm25, COARSE_CANDIDATES))
    cosines = np.asarray(snapshot.passage_vectors[rows] @ query_vector, dtype=np.float64)
    fused = score_fusion(cosines, bm25[rows] if bm25 is not None else None, best, options.bm25_weight)
    return [(int(rows[i]), score) for i, score in vectors.top_rows(fused, k)]
