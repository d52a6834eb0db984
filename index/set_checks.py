"""The checks of a sharded index's set against its shards, for `archive verify`.

Each shard is also checked as a generation (index/checks.py); here:

- every shard the set names has a manifest with the set's counts, model and chunking;
- every article lives in the shard its id hashes to, and in one shard only;
- the set's article order and stories name indexed articles;
- every shard holds the same coarse projection (the archive's, docs/sharding.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index import schema
from index.errors import EngineError
from index.manifest import read_manifest
from index.shardset import ShardSet, shard_of


def set_problems(index_dir: Path, shard_set: ShardSet) -> list[str]:
    """Every way the set and its shards disagree (empty when they agree)."""
    problems: list[str] = []
    count = len(shard_set.shards)
    seen: dict[str, int] = {}
    projections = []
    s = shard_set
    for number, ref in enumerate(shard_set.shards):
        folder = index_dir / ref.folder
        try:
            m = read_manifest(folder)
        except EngineError as exc:
            problems.append(str(exc))
            continue
        if (len(m.articles), m.passages, m.sentences) != (ref.articles, ref.passages, ref.sentences):
            problems.append(f"{folder}: holds other counts than the set says")
        if (m.model_fingerprint, m.chunking(), m.dimension) != (
            s.model_fingerprint,
            (s.passage_tokens, s.passage_overlap, s.splitter),
            s.dimension,
        ):
            problems.append(f"{folder}: built with another model or chunking than the set")
        for entry in m.articles:
            if shard_of(entry.article_id, count) != number:
                problems.append(f"{folder}: article {entry.article_id!r} hashes to another shard")
            if entry.article_id in seen:
                problems.append(f"article {entry.article_id!r} is in shards {seen[entry.article_id]} and {number}")
            seen[entry.article_id] = number
        if m.coarse_dimension:
            try:
                projections.append(np.asarray(schema.load(folder, schema.COARSE_PROJECTION, m.sizes())))
            except EngineError as exc:
                problems.append(str(exc))
    for article_id, story in shard_set.stories.items():
        if article_id not in seen or story not in seen:
            problems.append(f"the set's story of {article_id!r} ({story!r}) names an article not indexed")
    if any(not np.array_equal(p, projections[0]) for p in projections[1:]):
        problems.append("the shards' coarse projections differ; rebuild with `archive build --shards`")
    return problems
