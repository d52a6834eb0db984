"""Build or update a sharded index (docs/sharding.md): read, assign, plan and embed per shard, publish one set.

Every folder is read, as for an unsharded build; each article goes to the shard its id
hashes to (`index.shardset.shard_of`). A shard whose articles are all unchanged since the
live set (same ids in the same order, same text, title, source, date, path and source
mtime) is not written again: the new set names its previous generation. The others are
planned and embedded on their own (`prepare_shard`, reusing the previous shard's rows of
unchanged articles) and written as ordinary generations (`write_shard`); what only the
whole knows (near-duplicate stories, the coarse projection, the build order) is made here
and recorded in the set, which `index.layout` publishes by swapping CURRENT last.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

import archive
from archive import planning, reprints
from archive.building import (
    Vectors,
    assemble_vectors,
    build_report,
    check_roots,
    encode_new,
    open_encoder,
    read_articles,
    signatures,
)
from archive.errors import InvalidRequestError
from archive.models import BuildReport
from archive.sentences import SPLITTER
from archive.settings import Settings
from index import coarse, fileio, layout, schema
from index.coarse_file import carried_projection
from index.embedder import Embedder
from index.encoding import Encoder
from index.manifest import ArticleEntry
from index.records import Article, Progress, no_progress
from index.sharded import ShardedSnapshot
from index.shardset import SET_PREFIX, ShardRef, ShardSet, shard_folder_name, shard_of, write_shard_set
from index.snapshot import Snapshot
from index.writer import BuildInfo, PlannedArticle, StoreChanges, write_generation

log = logging.getLogger(__name__)

MAX_SHARDS = 256
SPILLED = ("passages.npy", "sentences.npy")  # a prepared shard's vectors, waiting to be written


@dataclass
class PreparedShard:
    """One shard's articles planned and embedded (or, `kept`, its previous generation named again).

    Its vectors wait on disk in `spill` (two .npy files, memory-mapped when written), so a build
    holds one shard's vectors in memory at a time, whatever the number of shards.
    """

    number: int
    articles: list[Article]
    previous: Snapshot | None  # the shard's previous generation, when it can lend rows
    kept: ShardRef | None = None
    planned: list[PlannedArticle] | None = None
    spill: Path | None = None
    minhash: npt.NDArray[np.uint64] | None = None

    def vectors(self) -> tuple[Vectors, Vectors]:
        """The shard's passage and sentence vectors, in row order (memory-mapped)."""
        if self.spill is None:
            assert self.previous is not None
            return self.previous.passage_vectors, self.previous.sentence_vectors
        return (
            np.load(self.spill / SPILLED[0], mmap_mode="r", allow_pickle=False),
            np.load(self.spill / SPILLED[1], mmap_mode="r", allow_pickle=False),
        )


@dataclass(frozen=True)
class ShardJob:
    """One shard to plan and embed: its articles in build order, and its previous generation to lend rows."""

    number: int
    articles: list[Article]
    previous: Snapshot | None
    spill: Path  # where its vectors wait to be written (a folder not made yet)


class ShardRunner(Protocol):
    """Where the shards are embedded and written: this process (`LocalRunner`) or a Ray cluster (archive/cluster/).

    `prepare` returns each job's `prepare_shard` result, in job order, with `previous` as the job
    gave it; `write` each shard's `write_shard` result, in order. `embedded` and `cache_hits`
    count the texts embedded and taken from the cache, over every `prepare`.
    """

    embedded: int
    cache_hits: int

    def prepare(self, jobs: Sequence[ShardJob]) -> list[PreparedShard]: ...

    def write(
        self, shards: Sequence[PreparedShard], projection: Vectors, info: BuildInfo, incremental: bool
    ) -> list[ShardRef]: ...


class LocalRunner:
    """Every shard embedded and written here, one after another, through one embedding cache."""

    def __init__(self, settings: Settings, index_dir: Path, embedder: Embedder, progress: Progress) -> None:
        self.settings, self.index_dir, self.embedder, self.progress = settings, index_dir, embedder, progress
        self.embedded = self.cache_hits = 0

    def prepare(self, jobs: Sequence[ShardJob]) -> list[PreparedShard]:
        encoder = open_encoder(self.settings, self.index_dir, self.embedder, self.progress)
        try:
            return [
                prepare_shard(job.number, job.articles, job.previous, self.embedder, encoder, self.settings, job.spill)
                for job in jobs
            ]
        finally:
            encoder.close()
            self.embedded += encoder.embedded
            self.cache_hits += encoder.cache_hits

    def write(
        self, shards: Sequence[PreparedShard], projection: Vectors, info: BuildInfo, incremental: bool
    ) -> list[ShardRef]:
        return [write_shard(self.index_dir, p, projection, info, incremental, self.progress) for p in shards]


def build_sharded(
    roots: Sequence[str | Path],
    index_dir: Path,
    settings: Settings,
    embedder: Embedder,
    previous: ShardedSnapshot | None,
    shards: int,
    incremental: bool,
    progress: Progress = no_progress,
    lock_wait: float = 0.0,
    runner: ShardRunner | None = None,
) -> BuildReport:
    """Index `roots` into `shards` shards; with `previous` (a live set of as many shards) reuse what did not change.

    `runner` embeds and writes the shards (default: in this process, `LocalRunner`).
    """
    if not 1 <= shards <= MAX_SHARDS:
        raise InvalidRequestError(f"The number of shards must be between 1 and {MAX_SHARDS} (got {shards}).")
    started = time.perf_counter()
    check_roots(roots)
    with layout.build_lock(index_dir, wait_seconds=lock_wait):
        layout.remove_stale(index_dir)
        outcome, articles = read_articles(roots, settings, progress)
        order = [shard_of(a.article_id, shards) for a in articles]
        olds = _previous_shards(index_dir, previous, shards)
        runner = runner or LocalRunner(settings, index_dir, embedder, progress)
        spill = layout.new_staging(index_dir)  # removed below, or as stale by the next build if killed
        try:
            embed_started = time.perf_counter()
            jobs = [
                ShardJob(
                    number,
                    [a for a, s in zip(articles, order, strict=True) if s == number],
                    olds[number],
                    spill / f"{number:02d}",
                )
                for number in range(shards)
            ]
            prepared = runner.prepare(jobs)
            embed_seconds = time.perf_counter() - embed_started
            stories = _stories(articles, order, prepared)
            projection = _projection(order, prepared, embedder.dimension)
            info = BuildInfo(
                archive.__version__,
                embedder.name,
                embedder.fingerprint,
                settings.passage_tokens,
                settings.passage_overlap,
                SPLITTER.name,
            )
            shard_set = _publish(index_dir, prepared, order, stories, projection, info, incremental, runner)
        finally:
            for old in olds:
                if old is not None:
                    old.close()
            shutil.rmtree(spill, ignore_errors=True)
    changes = planning.diff(articles, previous.manifest.articles if previous is not None else ())
    log.info("published a set of %d shards, %d rewritten", shards, sum(p.kept is None for p in prepared))
    return build_report(
        changes,
        outcome,
        (shard_set.articles, shard_set.passages, shard_set.sentences),
        time.perf_counter() - started,
        (embed_seconds, runner.embedded, runner.cache_hits),
    )


def prepare_shard(
    number: int,
    articles: list[Article],
    previous: Snapshot | None,
    embedder: Embedder,
    encoder: Encoder,
    settings: Settings,
    spill: Path,
) -> PreparedShard:
    """Plan and embed one shard's articles (vectors saved in `spill`), or keep its previous generation."""
    tokens, overlap = settings.passage_tokens, settings.passage_overlap
    lender = previous if planning.reusable(previous, embedder.fingerprint, tokens, overlap) else None
    if lender is not None and _unchanged(articles, lender.entries):
        m = lender.manifest
        kept = ShardRef(f"{lender.folder.parent.name}/{lender.folder.name}", len(m.articles), m.passages, m.sentences)
        return PreparedShard(number, articles, lender, kept=kept, minhash=lender.minhash())
    planned = planning.plan(articles, lender, embedder, tokens, overlap)
    passages, sentences = assemble_vectors(planned, lender, encode_new(planned, encoder))
    spill.mkdir()
    fileio.save_array(spill / SPILLED[0], passages)
    fileio.save_array(spill / SPILLED[1], sentences)
    return PreparedShard(number, articles, lender, planned=planned, spill=spill, minhash=signatures(planned, lender))


def write_shard(
    index_dir: Path,
    prepared: PreparedShard,
    projection: Vectors,
    info: BuildInfo,
    incremental: bool,
    progress: Progress,
) -> ShardRef:
    """Write a prepared shard as a generation in its shard folder (named by no set yet)."""
    assert prepared.planned is not None and prepared.minhash is not None
    shard_dir = index_dir / shard_folder_name(prepared.number)
    lender = prepared.previous
    store_changes = None
    if incremental and lender is not None:
        changes = planning.diff(prepared.articles, lender.entries)
        store_changes = StoreChanges(frozenset(changes.added + changes.changed), changes.changed + changes.removed)
    staging = layout.new_staging(shard_dir)
    try:
        written = write_generation(
            staging,
            prepared.planned,
            prepared.vectors(),
            prepared.minhash,
            info,
            lender,
            store_changes,
            progress,
            projection,
        )
        final = layout.settle(shard_dir, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ShardRef(f"{shard_dir.name}/{final.name}", written.articles, written.passages, written.sentences)


def _previous_shards(index_dir: Path, previous: ShardedSnapshot | None, shards: int) -> list[Snapshot | None]:
    """The live set's shard generations, opened to lend rows (none when the shard count changes)."""
    if previous is None or len(previous.shard_set.shards) != shards:
        return [None] * shards
    olds: list[Snapshot | None] = []
    try:
        for ref in previous.shard_set.shards:
            olds.append(Snapshot(index_dir / ref.folder))
    except BaseException:
        for old in olds:
            if old is not None:
                old.close()
        raise
    return olds


def _unchanged(articles: Sequence[Article], entries: Sequence[ArticleEntry]) -> bool:
    """Whether a shard would be written exactly as before: the same articles, in order, from the same files."""
    if len(articles) != len(entries):
        return False
    for article, entry in zip(articles, entries, strict=True):
        seen = (entry.article_id, entry.content_hash, entry.title, entry.source, entry.date, entry.path)
        now = (
            article.article_id,
            article.content_hash,
            article.title,
            article.source,
            article.date.isoformat() if article.date else "",
            article.path,
        )
        if seen != now or entry.source_mtime != _mtime(article.path):
            return False
    return True


def _mtime(path: str) -> float:
    try:
        return Path(path).stat().st_mtime if path else 0.0
    except OSError:
        return 0.0


def _in_build_order(order: Sequence[int], shards: int) -> list[tuple[int, int]]:
    """(shard, index within the shard) of each article, in build order."""
    cursors = [0] * shards
    result = []
    for shard in order:
        result.append((shard, cursors[shard]))
        cursors[shard] += 1
    return result


def _stories(articles: Sequence[Article], order: Sequence[int], prepared: Sequence[PreparedShard]) -> dict[str, str]:
    """Near-duplicate stories over every shard, in build order: article id -> story id, for copies only."""
    places = _in_build_order(order, len(prepared))
    minhash = [p.minhash for p in prepared]
    signatures_in_order = []
    for shard, index in places:
        shard_minhash = minhash[shard]
        assert shard_minhash is not None
        signatures_in_order.append(shard_minhash[index])
    matrix = np.array(signatures_in_order, dtype=np.uint64).reshape(-1, schema.MINHASH_PERMUTATIONS)
    roots = reprints.find_stories([a.text for a in articles], matrix)
    return {
        a.article_id: articles[r].article_id
        for a, r in zip(articles, roots.tolist(), strict=True)
        if articles[r] is not a
    }


def _projection(order: Sequence[int], prepared: Sequence[PreparedShard], dimension: int) -> Vectors:
    """The archive's coarse projection: the live one when there is one, else fitted on the rows an
    unsharded build of the same articles would sample (`coarse.sample_rows`), gathered from the shards."""
    for p in prepared:
        carried = carried_projection(p.previous, dimension)
        if carried is not None:
            return carried
    counts = [_passage_counts(p) for p in prepared]
    starts = [np.concatenate([[0], np.cumsum(c)]).astype(np.int64) for c in counts]
    places = _in_build_order(order, len(counts))
    total = sum(int(c[-1]) for c in starts)
    home = np.empty((total, 2), dtype=np.int64)  # global passage row -> (shard, local row)
    row = 0
    for shard, index in places:
        first, end = starts[shard][index], starts[shard][index + 1]
        home[row : row + end - first] = np.column_stack([np.full(end - first, shard), np.arange(first, end)])
        row += end - first
    wanted = home[coarse.sample_rows(total)]
    sample = np.empty((len(wanted), dimension), dtype=np.float32)
    for p in prepared:
        pick = wanted[:, 0] == p.number
        sample[pick] = p.vectors()[0][wanted[pick, 1]]
    return coarse.fit_sample(sample)


def _passage_counts(prepared: PreparedShard) -> list[int]:
    if prepared.planned is not None:
        return [len(item.passages) for item in prepared.planned]
    assert prepared.previous is not None
    return [e.passage_count for e in prepared.previous.entries]


def _publish(
    index_dir: Path,
    prepared: Sequence[PreparedShard],
    order: Sequence[int],
    stories: dict[str, str],
    projection: Vectors,
    info: BuildInfo,
    incremental: bool,
    runner: ShardRunner,
) -> ShardSet:
    """Write the changed shards, then the set naming every shard's generation; CURRENT last."""
    written: list[Path] = []
    staging = None
    try:
        new_refs = iter(runner.write([p for p in prepared if p.kept is None], projection, info, incremental))
        refs = []
        for p in prepared:
            ref = p.kept or next(new_refs)
            if p.kept is None:
                written.append(index_dir / ref.folder)
            refs.append(ref)
        shard_set = ShardSet(
            package_version=info.package_version,
            model_name=info.model_name,
            model_fingerprint=info.model_fingerprint,
            dimension=int(projection.shape[0]),
            passage_tokens=info.passage_tokens,
            passage_overlap=info.passage_overlap,
            splitter=info.splitter,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            shards=tuple(refs),
            order=tuple(order),
            stories=stories,
        )
        staging = layout.new_staging(index_dir)
        write_shard_set(staging, shard_set)
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        for folder in written:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    # Past this point nothing is removed here: once CURRENT names the set, its shards are live. A
    # failure before the swap leaves them unnamed, and the next build's pruning removes them.
    published = layout.publish(index_dir, staging, prefix=SET_PREFIX)
    log.info("published %s in %s", published.name, index_dir)
    return shard_set
