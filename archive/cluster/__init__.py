"""A sharded archive built and served on a Ray cluster (`ARCHIVE_RAY_ADDRESS` or `--ray ADDRESS`).

    connection.py  joining the cluster once per process; Ray's failures as ClusterError
    building.py    a build's shards as Ray tasks: each embeds, then writes, one shard (retried)
    serving.py     one Ray actor per shard, holding it memory-mapped; queries scattered and gathered

The only package that imports `ray`, and only when a Ray address is set: `Archive` asks the
two functions below where its shards' work runs, and without an address they answer "here"
without loading Ray (`pip install archive-qa[cluster]` brings it). Sharding itself, the merge
and the answers are the in-process code's (docs/sharding.md): Ray only decides where each
shard's work runs. Every node reads and writes the index folder at the same path (a shared
filesystem).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from archive.settings import Settings
from index.records import Progress

if TYPE_CHECKING:
    from archive.sharded_building import ShardRunner
    from index.sharded import PoolFactory


def pool_factory(settings: Settings) -> PoolFactory | None:
    """Ray actors for a sharded index's shards when a cluster is set; None: in this process."""
    if not settings.ray_address:
        return None
    from archive.cluster.serving import actor_pools

    return actor_pools(settings.ray_address)


def shard_runner(settings: Settings, index_dir: Path, progress: Progress) -> ShardRunner | None:
    """Ray tasks for a sharded build's shards when a cluster is set; None: in this process."""
    if not settings.ray_address:
        return None
    from archive.cluster.building import RayRunner

    return RayRunner(settings, index_dir, progress)
