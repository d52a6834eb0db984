"""What the archive layer reads an index through, sharded or not, and opening whichever CURRENT names.

`Snapshot` (one generation) and `ShardedSnapshot` (a set of shards, index/sharded.py) both
have this surface; `archive/` is written against it and never asks which one it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from index import layout
from index.manifest import ArticleEntry, Manifest
from index.merge import RowMap
from index.records import Article
from index.shard_search import ShardPool
from index.sharded import PoolFactory, ShardedSnapshot
from index.snapshot import PassageRef, Snapshot


class Reader(Protocol):
    """An open index, read-only: rows are the archive's (a sharded index's are an unsharded one's)."""

    manifest: Manifest

    @property
    def name(self) -> str: ...

    @property
    def pool(self) -> ShardPool: ...

    @property
    def row_maps(self) -> Sequence[RowMap]: ...

    @property
    def coarse_ready(self) -> bool: ...

    def passage(self, row: int) -> PassageRef: ...

    def entry(self, article_id: str) -> ArticleEntry: ...

    def article(self, article_id: str) -> Article: ...

    def sources(self) -> tuple[str, ...]: ...

    def sentence_span(self, row: int) -> tuple[int, int]: ...

    def sentence_rows(self, article_id: str) -> range: ...

    def sentence_cosines(self, rows: list[int], vector: npt.NDArray[np.float32]) -> list[float]: ...

    def passage_cosines(self, rows: list[int], vector: npt.NDArray[np.float32]) -> list[float]: ...

    def sentence_similarity(self, rows: list[int]) -> npt.NDArray[np.float32]: ...

    def term_idfs(self, terms: list[str]) -> dict[str, float]: ...

    def story_of(self, article_id: str) -> str: ...

    def outlet_of(self, article_id: str) -> str: ...

    def reprints_of(self, article_id: str) -> tuple[str, ...]: ...

    def close(self) -> None: ...


def open_reader(index_dir: Path, pool_factory: PoolFactory | None = None) -> Reader:
    """The live index at `index_dir`: a `Snapshot`, or a `ShardedSnapshot` searched through `pool_factory`'s pool."""
    top = layout.current_top(index_dir)
    if layout.is_shard_set(top):
        return ShardedSnapshot(top, pool_factory)
    return Snapshot(top)
