"""Serving a sharded index from Ray actors: one per shard, queried all at once.

`ActorPool` is index/shard_search.py's `ShardPool` on a cluster: each shard's `ShardSearcher`
lives in a `ShardActor` that opens the shard generation itself (memory-mapped, from the
folder every node reads) and stays up while the archive is open. Each round of a query is
scattered to every actor with `.remote` and gathered with `ray.get`; the merge, the rows and
the answers are `ShardedSnapshot`'s, exactly as with in-process shards.

An actor that dies (its node lost, its process killed) is restarted by Ray, which reopens
the shard, and the call it was serving is retried: the query is answered, only later. Past
`RESTARTS`, the query fails with a ClusterError. Actors are spread over the nodes; they hold
no CPU while idle. The archive's handles own them: closing the archive, or a newer
generation replacing this one, ends them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import ray

from archive.cluster.connection import connect, gather
from index.manifest import read_manifest
from index.query import CollectionStats, ShardQuery, ShardStatistics
from index.shard_search import ShardHits, ShardSearcher, VectorKind
from index.sharded import PoolFactory
from index.snapshot import Snapshot

RESTARTS = 3  # times an actor is brought back, and a call retried, before a query fails


@ray.remote(max_restarts=RESTARTS, max_task_retries=RESTARTS)
class ShardActor:
    """One shard's searcher, in its own process on some node of the cluster."""

    def __init__(self, folder: str) -> None:
        self.searcher = ShardSearcher(Snapshot(Path(folder)))

    def statistics(self, terms: tuple[str, ...], store: bool) -> ShardStatistics:
        return self.searcher.statistics(terms, store)

    def best_bm25(self, query: ShardQuery, stats: CollectionStats | None) -> float:
        return self.searcher.best_bm25(query, stats)

    def prepare_dense(self, query: ShardQuery) -> None:
        self.searcher.prepare_dense(query)

    def search(self, query: ShardQuery, stats: CollectionStats | None, best_bm25: float | None) -> ShardHits:
        return self.searcher.search(query, stats, best_bm25)

    def vectors(self, kind: VectorKind, rows: list[int]) -> npt.NDArray[np.float32]:
        if kind == "passage":
            return self.searcher.passage_vectors(rows)
        return self.searcher.sentence_vectors(rows)


class ActorPool:
    """Every shard's actor; each call goes to all of them at once and returns in shard order."""

    def __init__(self, folders: Sequence[Path]) -> None:
        self.folders = list(folders)
        self.actors: list[Any] = [
            ShardActor.options(scheduling_strategy="SPREAD").remote(str(folder))  # type: ignore[attr-defined]
            for folder in self.folders
        ]
        # Vectors of a shard asked for no rows are an empty block of this width.
        self.dimension = read_manifest(self.folders[0]).dimension if self.folders else 0

    @property
    def size(self) -> int:
        return len(self.actors)

    def statistics(self, terms: tuple[str, ...], store: bool = False) -> list[ShardStatistics]:
        return gather([a.statistics.remote(terms, store) for a in self.actors], "A shard's term statistics")

    def best_bm25(self, query: ShardQuery, stats: CollectionStats | None) -> list[float]:
        return gather([a.best_bm25.remote(query, stats) for a in self.actors], "A shard's best BM25 score")

    def prepare_dense(self, query: ShardQuery) -> None:
        gather([a.prepare_dense.remote(query) for a in self.actors], "A shard's coarse candidates")

    def search(self, query: ShardQuery, stats: CollectionStats | None, best_bm25: float | None) -> list[ShardHits]:
        return gather([a.search.remote(query, stats, best_bm25) for a in self.actors], "A shard's search")

    def vectors(self, kind: VectorKind, rows: Sequence[Sequence[int]]) -> list[npt.NDArray[np.float32]]:
        """Each shard's vectors of its rows; shards with no rows are not called."""
        asked = [
            (i, a.vectors.remote(kind, list(mine)))
            for i, (a, mine) in enumerate(zip(self.actors, rows, strict=True))
            if mine
        ]
        got = dict(
            zip((i for i, _ in asked), gather([ref for _, ref in asked], f"A shard's {kind} vectors"), strict=True)
        )
        empty = np.zeros((0, self.dimension), dtype=np.float32)
        return [got.get(i, empty) for i in range(len(self.actors))]

    def close(self) -> None:
        for actor in self.actors:
            ray.kill(actor)
        self.actors = []


def actor_pools(address: str) -> PoolFactory:
    """A `ShardedSnapshot` pool factory: the shards' actors on the cluster at `address`."""
    connect(address)
    return ActorPool
