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

Every index is searched as shards (docs/sharding.md): an unsharded one is a single shard.
Each shard ranks its own passages under the whole archive's statistics (index/shard_search.py)
and index/merge.py ranks their answers as one; this module plans the rounds.
"""

from __future__ import annotations

from concurrent import futures
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import numpy.typing as npt

from index import analysis
from index.blas import one_blas_thread
from index.embedder import Embedder
from index.errors import IndexIncompatibleError
from index.merge import merge_hits
from index.query import COARSE_CANDIDATES, Filters, RetrievalOptions, ShardQuery, merge_statistics
from index.reader import Reader
from index.records import SearchMode

__all__ = ["COARSE_CANDIDATES", "RankedPassage", "Retrieval", "RetrievalOptions", "retrieve"]


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


@one_blas_thread()  # index/blas.py: a query's products are faster on one thread
def retrieve(
    reader: Reader,
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
    filters = Filters(source, since, until)
    if embedder is None and mode != "bm25":
        mode = "bm25"
    pool = reader.pool
    plan, depth = _plan(mode, k, options)
    if options.bm25_engine == "whoosh" and plan != "dense" and pool.size > 1:
        raise IndexIncompatibleError(
            f"The Whoosh BM25 engine (kept to compare engines) scores each store on its own statistics, so it "
            f"cannot search an index of {pool.size} shards as one; use the default engine, sidecar."
        )
    coarse = reader.coarse_ready and reader.manifest.passages > options.exact_scan_rows
    terms = tuple(analysis.unique_terms(text))
    query = ShardQuery(text, terms, None, plan, depth, coarse, options, filters)

    # The question's forward pass runs on its own thread (ONNX Runtime and torch release the GIL)
    # while the shards score BM25, which needs no vector: each keeps its scores for the search.
    # The same thread then runs the coarse pass (BLAS releases the GIL too), kept for the search.
    def encode() -> npt.NDArray[np.float32]:
        assert embedder is not None
        vector = embedder.encode_one(text)
        if coarse:
            pool.prepare_dense(replace(query, vector=vector))
        return vector

    encoding = _encoder().submit(encode) if mode != "bm25" and embedder is not None else None
    try:
        # One shard scores with its own statistics: no round for the collection's.
        stats = merge_statistics(pool.statistics(terms)) if pool.size > 1 and plan != "dense" else None
        best = max(pool.best_bm25(query, stats), default=0.0) if plan == "fused" else None
    except BaseException:
        if encoding is not None:
            futures.wait([encoding])
        raise
    query_vector = encoding.result() if encoding is not None else None
    query = replace(query, vector=query_vector)
    ranked = merge_hits(query, pool.search(query, stats, best), reader.row_maps)
    return Retrieval(tuple(RankedPassage(row, score) for row, score in ranked[:k]), query_vector, mode)


_encoders: futures.ThreadPoolExecutor | None = None


def _encoder() -> futures.ThreadPoolExecutor:
    """The threads questions are encoded on, made on first use (a few queries of a terminal app at once)."""
    global _encoders
    if _encoders is None:
        _encoders = futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="encode-question")
    return _encoders


def _plan(mode: SearchMode, k: int, options: RetrievalOptions) -> tuple[str, int]:
    """What every shard computes for `mode`, and how deep."""
    if mode == "bm25":
        return "bm25", max(k, options.candidates)
    if mode == "dense":
        return "dense", k
    if options.fusion == "score" and options.bm25_engine == "sidecar":
        return "fused", k
    return "legs", max(k, options.candidates)
