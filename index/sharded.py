"""A sharded index opened as one: the coordinator that answers like an unsharded `Snapshot`.

It reads the set (index/shardset.py) and, from each shard, only what locates rows: the
manifest's entries, the span arrays and the article store. It numbers every passage and
sentence as an unsharded build of the same articles would (articles in build order, each
article's rows together), so rankings, ties and answers come out the same. Searches and
vectors come from the shards through a `ShardPool` (index/shard_search.py): in-process
searchers by default, or whatever `pool_factory` makes (Ray actors, docs/sharding.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index import schema
from index.catalogue import ArticleCatalogue
from index.errors import IndexCorruptError
from index.manifest import ArticleEntry, Manifest, check_files, read_manifest
from index.query import merge_statistics
from index.records import Article
from index.shard_search import LocalPool, ShardPool, ShardSearcher, VectorKind
from index.shardset import ShardSet, read_shard_set
from index.snapshot import PassageRef, Snapshot

PoolFactory = Callable[[Sequence[Path]], ShardPool]  # shard generation folders -> their searchers
Rows = npt.NDArray[np.int64]


def local_pool(folders: Sequence[Path]) -> LocalPool:
    """Every shard's searcher in this process."""
    snapshots: list[Snapshot] = []
    try:
        for folder in folders:
            snapshots.append(Snapshot(folder))
    except BaseException:
        for snapshot in snapshots:
            snapshot.close()
        raise
    return LocalPool([ShardSearcher(s) for s in snapshots])


class _Shard:
    """What the coordinator keeps of one shard: its manifest, span arrays and article store."""

    def __init__(self, folder: Path, manifest: Manifest) -> None:
        self.folder, self.manifest = folder, manifest
        sizes = manifest.sizes()
        self.passage_spans = schema.load(folder, schema.PASSAGE_SPANS, sizes)
        self.sentence_spans = schema.load(folder, schema.SENTENCE_SPANS, sizes)
        self.articles_file = (folder / schema.ARTICLES).open("rb")


class ShardedSnapshot(ArticleCatalogue):
    """Every shard of a set, read as one index; immutable once opened."""

    def __init__(self, folder: Path, pool_factory: PoolFactory | None = None) -> None:
        self.folder = folder
        self.shard_set: ShardSet = read_shard_set(folder)
        folders = [folder.parent / ref.folder for ref in self.shard_set.shards]
        self._shards: list[_Shard] = []
        try:
            for ref, shard_folder in zip(self.shard_set.shards, folders, strict=True):
                manifest = read_manifest(shard_folder)
                check_files(shard_folder, manifest)
                if (len(manifest.articles), manifest.passages, manifest.sentences) != (
                    ref.articles,
                    ref.passages,
                    ref.sentences,
                ):
                    raise IndexCorruptError(
                        f"{shard_folder} does not hold what {folder.name} says; rebuild with `archive build`."
                    )
                self._shards.append(_Shard(shard_folder, manifest))
            self._number_rows()
            self._pool = (pool_factory or local_pool)(folders)
        except BaseException:
            self._close_files()
            raise

    def _number_rows(self) -> None:
        """Global rows: articles in build order (the set's `order`), each article's rows together."""
        order = np.asarray(self.shard_set.order, dtype=np.int64)
        ordinals = [np.flatnonzero(order == s) for s in range(len(self._shards))]
        p_counts = np.zeros(len(order), dtype=np.int64)
        s_counts = np.zeros(len(order), dtype=np.int64)
        for shard, mine in zip(self._shards, ordinals, strict=True):
            p_counts[mine] = [e.passage_count for e in shard.manifest.articles]
            s_counts[mine] = [e.sentence_count for e in shard.manifest.articles]
        p_starts = np.concatenate([[0], np.cumsum(p_counts)]).astype(np.int64)
        s_starts = np.concatenate([[0], np.cumsum(s_counts)]).astype(np.int64)
        self.passage_maps: list[Rows] = []
        self.sentence_maps: list[Rows] = []
        self._passage_home = np.zeros((int(p_starts[-1]), 2), dtype=np.int64)  # global row -> (shard, local row)
        self._sentence_home = np.zeros((int(s_starts[-1]), 2), dtype=np.int64)
        entries: list[ArticleEntry | None] = [None] * len(order)
        self._article_shard = order
        stories = self.shard_set.stories
        for number, (shard, mine) in enumerate(zip(self._shards, ordinals, strict=True)):
            local = shard.manifest.articles
            self.passage_maps.append(_row_map(p_starts[mine], [e.passage_row for e in local], p_counts[mine]))
            self.sentence_maps.append(_row_map(s_starts[mine], [e.sentence_row for e in local], s_counts[mine]))
            for maps, home in ((self.passage_maps, self._passage_home), (self.sentence_maps, self._sentence_home)):
                home[maps[-1], 0] = number
                home[maps[-1], 1] = np.arange(len(maps[-1]))
            for ordinal, entry in zip(mine.tolist(), local, strict=True):
                entries[ordinal] = replace(
                    entry,
                    passage_row=int(p_starts[ordinal]),
                    sentence_row=int(s_starts[ordinal]),
                    story=stories.get(entry.article_id, entry.article_id),
                )
        first = self._shards[0].manifest if self._shards else None
        s = self.shard_set
        self.manifest = Manifest(
            package_version=s.package_version,
            model_name=s.model_name,
            model_fingerprint=s.model_fingerprint,
            dimension=s.dimension,
            passage_tokens=s.passage_tokens,
            passage_overlap=s.passage_overlap,
            splitter=s.splitter,
            built_at=s.built_at,
            articles=tuple(e for e in entries if e is not None),
            passages=int(p_starts[-1]),
            sentences=int(s_starts[-1]),
            coarse_dimension=first.coarse_dimension if first is not None else 0,
        )
        super().__init__(self.manifest.articles)
        self._passage_article = np.repeat(np.arange(len(order), dtype=np.int64), p_counts)

    # ----- searched through the pool ----------------------------------------------------

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def pool(self) -> ShardPool:
        return self._pool

    @property
    def row_maps(self) -> list[Rows]:
        return self.passage_maps

    @property
    def coarse_ready(self) -> bool:
        return all(s.manifest.coarse_dimension for s in self._shards)

    # ----- the Reader surface (index/reader.py) ------------------------------------------

    def passage(self, row: int) -> PassageRef:
        entry = self.manifest.articles[int(self._passage_article[row])]
        shard, local = (int(x) for x in self._passage_home[row])
        first, end, start, stop = (int(x) for x in self._shards[shard].passage_spans[local])
        return PassageRef(row, entry, row - entry.passage_row, first, end, start, stop)

    def article(self, article_id: str) -> Article:
        entry = self.entry(article_id)
        shard = self._shards[int(self._article_shard[self.by_id[article_id]])]
        return schema.read_article(shard.articles_file, shard.folder, entry.offset, entry.length, article_id)

    def sentence_span(self, row: int) -> tuple[int, int]:
        shard, local = (int(x) for x in self._sentence_home[row])
        start, end = (int(x) for x in self._shards[shard].sentence_spans[local])
        return start, end

    def sentence_rows(self, article_id: str) -> range:
        entry = self.entry(article_id)
        return range(entry.sentence_row, entry.sentence_row + entry.sentence_count)

    def sentence_cosines(self, rows: list[int], vector: npt.NDArray[np.float32]) -> list[float]:
        return [float(x) for x in self._vectors("sentence", rows) @ vector]

    def passage_cosines(self, rows: list[int], vector: npt.NDArray[np.float32]) -> list[float]:
        return [float(x) for x in self._vectors("passage", rows) @ vector]

    def sentence_similarity(self, rows: list[int]) -> npt.NDArray[np.float32]:
        matrix = self._vectors("sentence", rows)
        similarity: npt.NDArray[np.float32] = matrix @ matrix.T
        return similarity

    def term_idfs(self, terms: list[str]) -> dict[str, float]:
        stats = merge_statistics(self._pool.statistics(tuple(terms), store=True))
        return {term: stats.store_idf(term) for term in terms}

    def close(self) -> None:
        self._pool.close()
        self._close_files()

    def _close_files(self) -> None:
        for shard in getattr(self, "_shards", ()):
            shard.articles_file.close()

    def __del__(self) -> None:
        # Like Snapshot: a set replaced by a newer one is dropped, not closed (a query in another
        # thread may still use it); its files go with the last reference.
        self._close_files()

    def _vectors(self, kind: VectorKind, rows: list[int]) -> npt.NDArray[np.float32]:
        """The vectors of global `rows`, in that order: the same matrix an unsharded index would gather."""
        home = (self._passage_home if kind == "passage" else self._sentence_home)[np.asarray(rows, dtype=np.int64)]
        home = home.reshape(-1, 2)
        wanted = [home[home[:, 0] == s, 1].tolist() for s in range(len(self._shards))]
        parts = self._pool.vectors(kind, wanted)
        matrix = np.empty((len(rows), self.manifest.dimension), dtype=np.float32)
        for s, part in enumerate(parts):
            matrix[home[:, 0] == s] = part
        return matrix


def _row_map(global_starts: Rows, local_starts: Sequence[int], counts: Rows) -> Rows:
    """Each local row's global row, for a shard whose articles start at `local_starts` and `global_starts`."""
    shift = np.repeat(global_starts - np.asarray(local_starts, dtype=np.int64), counts)
    return (np.arange(int(counts.sum()), dtype=np.int64) + shift).astype(np.int64)
