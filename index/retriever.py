"""Hybrid passage retrieval: BM25F and cosine over passages, fused by rank.

The BM25 leg runs on the numpy sidecar (index/sparse.py) by default; `bm25_engine="whoosh"`
runs Whoosh's own BM25F OR query instead (slower as the archive grows, kept to compare).

Filters (source, date range) are applied inside each leg before it ranks, so a
filtered search returns its best k, not the survivors of an unfiltered top k.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from archive.models import SearchMode
from index import analysis, vectors
from index.embedder import Embedder
from index.fusion import reciprocal_rank_fusion
from index.snapshot import Snapshot
from index.sparse import DEFAULT_BM25, BM25Params

BM25_ENGINES = ("sidecar", "whoosh")


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
    candidates: int,
    rrf_k: int,
    source: str | None = None,
    since: date | None = None,
    until: date | None = None,
    bm25_engine: str = "sidecar",
    bm25_params: BM25Params = DEFAULT_BM25,
) -> Retrieval:
    """Top `k` passages for `text`; `embedder=None` means the model is not available (BM25 only)."""
    if embedder is None and mode != "bm25":
        mode = "bm25"
    depth = max(k, candidates)
    bm25: list[tuple[int, float]] = []
    dense: list[tuple[int, float]] = []
    query_vector = None
    mask = snapshot.passage_mask(source, since, until)
    if mode in ("bm25", "hybrid"):
        if bm25_engine == "whoosh":
            hits = snapshot.store.search(text, depth, source, since, until)
            bm25 = [(snapshot.passage_row(h.article_id, h.passage), h.score) for h in hits]
        else:
            bm25 = snapshot.bm25.search(analysis.unique_terms(text), depth, mask, bm25_params)
    if mode in ("dense", "hybrid") and embedder is not None:
        query_vector = embedder.encode_one(text)
        dense = vectors.top_k(snapshot.passage_vectors, query_vector, depth, mask)
    if mode == "bm25":
        ranked = bm25
    elif mode == "dense":
        ranked = dense
    else:
        ranked = reciprocal_rank_fusion([[r for r, _ in bm25], [r for r, _ in dense]], k=rrf_k)
    return Retrieval(tuple(RankedPassage(row, score) for row, score in ranked[:k]), query_vector, mode)
