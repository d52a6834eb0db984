"""What a query carries to every shard: the retriever's options, the query, the collection's statistics.

Plain frozen values (str, int, float, tuples, dicts, numpy arrays), so a query can be sent
to a shard in another process (a Ray actor, docs/sharding.md) and each shard answers it
exactly as one index of all the shards' passages would.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

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
from index.sparse import DEFAULT_BM25, BM25Params, BM25Stats

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
class Filters:
    """A search's filters; each shard turns them into its own row mask."""

    source: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class ShardQuery:
    """One query as every shard runs it.

    `plan` is what the shards compute: "bm25" (the BM25 leg's best `depth`), "dense" (the
    dense leg's), "fused" (score fusion's best `depth`) or "legs" (both legs, for rank fusion).
    `coarse` is decided once for the whole archive (its passages against `exact_scan_rows`).
    """

    text: str
    terms: tuple[str, ...]  # the analysed query terms (index/analysis.py)
    vector: npt.NDArray[np.float32] | None
    plan: str
    depth: int
    coarse: bool
    options: RetrievalOptions
    filters: Filters = Filters()


@dataclass(frozen=True)
class ShardStatistics:
    """What one shard contributes to the collection statistics, for a query's terms."""

    passages: int
    length_totals: tuple[float, float]  # BM25 field lengths summed: text, title
    bm25_df: Mapping[str, int]  # BM25 sidecar: passages holding the term (text or title)
    store_documents: int  # the Whoosh store's documents, deleted ones included (as its idf counts them)
    store_df: Mapping[str, int] = field(default_factory=dict)  # Whoosh: documents holding the term in the text


@dataclass(frozen=True)
class CollectionStats:
    """The whole archive's statistics for a query's terms: BM25's, and the Whoosh store's for the answer's IDF."""

    bm25: BM25Stats
    store_documents: int
    store_df: Mapping[str, int]

    def store_idf(self, term: str) -> float:
        """The Whoosh store's idf of a term in the passage text (whoosh.scoring.WeightingModel.idf)."""
        return math.log(self.store_documents / (self.store_df.get(term, 0) + 1)) + 1


def merge_statistics(parts: list[ShardStatistics]) -> CollectionStats:
    """Sum the shards' statistics: the statistics of one index holding all their passages."""
    passages = sum(p.passages for p in parts)
    totals = np.array([p.length_totals for p in parts], dtype=np.float64).reshape(-1, 2).sum(axis=0)
    average = np.maximum(totals / max(passages, 1), 1.0)
    bm25_df: dict[str, int] = {}
    store_df: dict[str, int] = {}
    for part in parts:
        for term, df in part.bm25_df.items():
            bm25_df[term] = bm25_df.get(term, 0) + df
        for term, df in part.store_df.items():
            store_df[term] = store_df.get(term, 0) + df
    bm25 = BM25Stats(passages, (float(average[0]), float(average[1])), bm25_df)
    return CollectionStats(bm25, sum(p.store_documents for p in parts), store_df)
