"""The top of a sharded index: which generation each shard serves, and what only the whole knows.

    INDEX_DIR/set-<stamp>-<id>/shards.json   (docs/sharding.md)

Each shard is an ordinary generation (index/schema.py) under `INDEX_DIR/shard-NN/`; this
manifest names the exact generation of every shard, so the one `CURRENT` pointer that names
the top publishes all shards at once. It holds what no shard can say for itself: the shard of
each article in build order (the global row order), and the near-duplicate stories found
across shards. This module reads and writes that record and assigns articles to shards; it
never opens a shard.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import orjson

from index import fileio
from index.errors import IndexCorruptError, IndexIncompatibleError

SHARDS_FILE = "shards.json"
SET_PREFIX = "set-"
SHARD_FOLDER_PREFIX = "shard-"
# 1: the first sharded format.
SHARDSET_VERSION = 1


def shard_of(article_id: str, count: int) -> int:
    """The shard an article lives in: stable across processes and machines (never Python's seeded `hash`)."""
    digest = hashlib.blake2b(article_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little") % count


def shard_folder_name(shard: int) -> str:
    return f"{SHARD_FOLDER_PREFIX}{shard:02d}"


@dataclass(frozen=True)
class ShardRef:
    """One shard as the top names it: its generation folder (relative to the index folder) and counts."""

    folder: str  # e.g. "shard-03/gen-20261130T001500-1a2b3c4d"
    articles: int
    passages: int
    sentences: int


@dataclass(frozen=True)
class ShardSet:
    """The top manifest of a sharded index."""

    package_version: str
    model_name: str
    model_fingerprint: str
    dimension: int
    passage_tokens: int
    passage_overlap: int
    splitter: str
    built_at: str
    shards: tuple[ShardRef, ...]
    order: tuple[int, ...]  # the shard of each article, in build order
    stories: dict[str, str] = field(default_factory=dict)  # article id -> story id, when another article's
    version: int = SHARDSET_VERSION

    @property
    def articles(self) -> int:
        return len(self.order)

    @property
    def passages(self) -> int:
        return sum(s.passages for s in self.shards)

    @property
    def sentences(self) -> int:
        return sum(s.sentences for s in self.shards)

    def to_bytes(self) -> bytes:
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["shards"] = [[s.folder, s.articles, s.passages, s.sentences] for s in self.shards]
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 if len(self.order) < 50 else 0)


def write_shard_set(folder: Path, shard_set: ShardSet) -> None:
    fileio.write_bytes(folder / SHARDS_FILE, shard_set.to_bytes())


def read_shard_set(folder: Path) -> ShardSet:
    path = folder / SHARDS_FILE
    data = fileio.read_json_record(path)
    if data.get("version") != SHARDSET_VERSION:
        raise IndexIncompatibleError(
            f"The sharded index in {folder.parent} has format version {data.get('version')}; this archive-qa "
            f"reads version {SHARDSET_VERSION}. Rebuild it with `archive build <folders> --index {folder.parent}`."
        )
    try:
        data["shards"] = tuple(ShardRef(str(f), int(a), int(p), int(s)) for f, a, p, s in data["shards"])
        data["order"] = tuple(int(x) for x in data["order"])
        data["stories"] = {str(k): str(v) for k, v in data["stories"].items()}
        shard_set = ShardSet(**data)
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexCorruptError(f"{path} is damaged ({exc}); rebuild the index with `archive build`.") from exc
    counts = [0] * len(shard_set.shards)
    for shard in shard_set.order:
        if not 0 <= shard < len(counts):
            raise IndexCorruptError(f"{path} names shard {shard} of {len(counts)}; rebuild with `archive build`.")
        counts[shard] += 1
    if counts != [s.articles for s in shard_set.shards]:
        raise IndexCorruptError(f"{path}: article order and shard counts disagree; rebuild with `archive build`.")
    return shard_set
