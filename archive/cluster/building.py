"""A sharded build's shards as Ray tasks: embedding, the cost, runs where the cluster has CPUs.

`RayRunner` is archive/sharded_building.py's `ShardRunner` on a cluster. The coordinator (the
process that runs `archive build`) reads the folders, assigns articles to shards, and holds
the build lock, as in-process; then each shard is one `embed_shard` task (plan and embed,
its vectors saved beside the index until written; or keep an unchanged shard) and, once the
coordinator has made what spans shards (stories, the coarse projection from a sample of
rows), one `write_shard_generation` task that writes its generation into `shard-NN/` on the
shared folder. The coordinator publishes the set, CURRENT last, as in-process.

A task whose worker or node dies is run again by Ray (`RETRIES` times): embedding is a pure
function of its inputs, and a shard generation is written into a staging folder and renamed
only when complete, so a retried task writes the same files, and what a killed one left is
unreferenced, removed by the next build. Until the set is published, the previous index
answers as before. A worker embeds shard after shard with one model, loaded once per process,
on one thread (the one CPU its task holds) unless ARCHIVE_THREADS says otherwise.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import ray

from archive.api import embedder_for
from archive.building import Vectors, open_encoder
from archive.cluster.connection import connect, gather
from archive.settings import Settings
from archive.sharded_building import PreparedShard, ShardJob, prepare_shard, write_shard
from index.embedder import Embedder
from index.records import Progress, no_progress
from index.shardset import ShardRef
from index.snapshot import Snapshot
from index.writer import BuildInfo

RETRIES = 3  # runs of a task after its worker died, before the build fails (the index stays as it was)

_models: dict[Settings, Embedder] = {}  # per worker process: the model, loaded once for every shard it embeds


@ray.remote(num_cpus=1, max_retries=RETRIES)
def embed_shard(
    job: ShardJob, previous: str | None, settings: Settings, index_dir: str
) -> tuple[PreparedShard, tuple[int, int]]:
    """Plan and embed one shard (`job.previous` is None; `previous` names its folder); texts embedded and cached."""
    if settings.threads == 0:  # "one per core" would put every core behind each task: a task holds one CPU
        settings = replace(settings, threads=1)
    if settings not in _models:
        _models[settings] = embedder_for(settings)
    embedder = _models[settings]
    shutil.rmtree(job.spill, ignore_errors=True)  # what a killed run of this task left
    lender = Snapshot(Path(previous)) if previous else None
    encoder = open_encoder(settings, Path(index_dir), embedder, no_progress)
    try:
        prepared = prepare_shard(job.number, job.articles, lender, embedder, encoder, settings, job.spill)
        if prepared.minhash is not None:  # may be a view of the lender's files, closed below
            prepared = replace(prepared, minhash=prepared.minhash.copy())
        return replace(prepared, previous=None), (encoder.embedded, encoder.cache_hits)
    finally:
        encoder.close()
        if lender is not None:
            lender.close()


@ray.remote(num_cpus=1, max_retries=RETRIES)
def write_shard_generation(
    prepared: PreparedShard,
    previous: str | None,
    index_dir: str,
    projection: Vectors,
    info: BuildInfo,
    incremental: bool,
) -> ShardRef:
    """Write one prepared shard as a generation in its shard folder; `previous` lends its Whoosh store."""
    lender = Snapshot(Path(previous)) if previous else None
    try:
        return write_shard(
            Path(index_dir), replace(prepared, previous=lender), projection, info, incremental, no_progress
        )
    finally:
        if lender is not None:
            lender.close()


class RayRunner:
    """Shards embedded and written by tasks on the Ray cluster at `settings.ray_address`."""

    def __init__(self, settings: Settings, index_dir: Path, progress: Progress = no_progress) -> None:
        connect(settings.ray_address)
        self.settings, self.index_dir, self.progress = settings, index_dir, progress
        self.embedded = self.cache_hits = 0
        self._prepared: dict[int, Any] = {}  # shard number -> its PreparedShard in the object store

    def prepare(self, jobs: Sequence[ShardJob]) -> list[PreparedShard]:
        # Two results per task: the prepared shard (left in the object store for its write task) and counts.
        refs: list[Any] = [
            embed_shard.options(num_returns=2).remote(
                replace(job, previous=None), _folder(job.previous), self.settings, str(self.index_dir)
            )
            for job in jobs
        ]
        self._prepared = {job.number: prepared for job, (prepared, _) in zip(jobs, refs, strict=True)}
        self._wait([counts for _, counts in refs], "embedding shards")
        for embedded, hits in gather([counts for _, counts in refs], "Embedding a shard"):
            self.embedded += embedded
            self.cache_hits += hits
        results: list[PreparedShard] = gather([prepared for prepared, _ in refs], "Embedding a shard")
        return [replace(p, previous=job.previous) for job, p in zip(jobs, results, strict=True)]

    def write(
        self, shards: Sequence[PreparedShard], projection: Vectors, info: BuildInfo, incremental: bool
    ) -> list[ShardRef]:
        # Each task takes its shard from the object store (where embed_shard left it), not from here.
        refs = [
            write_shard_generation.remote(
                self._prepared[p.number], _folder(p.previous), str(self.index_dir), projection, info, incremental
            )
            for p in shards
        ]
        self._wait(refs, "writing shards")
        return gather(refs, "Writing a shard")

    def _wait(self, refs: list[Any], stage: str) -> None:
        """Progress as tasks finish (failures are raised by the gather after it)."""
        pending, total = list(refs), len(refs)
        self.progress(stage, 0, total)
        while pending:
            _, pending = ray.wait(pending, num_returns=1, timeout=None)
            self.progress(stage, total - len(pending), total)


def _folder(snapshot: Snapshot | None) -> str | None:
    return str(snapshot.folder) if snapshot is not None else None
