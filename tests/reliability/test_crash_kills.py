"""Builds and updates SIGKILLed at every stage, and at random moments, leave a sound index.

The builder (tests/support/builder_zygote.py) loads the model once and forks a worker per job, so a
kill costs a fork, not a model load. After every kill the index must open, answer the
seed question exactly as before (or, for a kill after the CURRENT swap, entirely as the
new version), pass `verify_index`, and the next build must succeed at once, since the
dead worker's flock is gone with it.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path

import pytest

from archive import Settings
from archive.verify import verify_index
from index import layout
from index.embedder import Embedder
from index.shardset import read_shard_set
from tests.support.builder_zygote import AFTER_SWAP, POINTS
from tests.support.reliability import Builder, Corpus, Key, answer_key, ask_seed, consistent_version, version_of

RANDOM_KILLS = 8
OTHER = {"A": "B", "B": "A"}


def assert_sound(
    index: Path, corpora: dict[str, Corpus], version: str, settings: Settings, embedder: Embedder, verify: bool = True
) -> Key:
    """The live generation is exactly `version` (manifest, answer and verify agree); its answer's key."""
    assert version_of(index, corpora) == version
    answer = ask_seed(index, settings, embedder)
    assert consistent_version(answer, corpora) == version
    if verify:  # structure, hashes, spans, norms and the Whoosh mapping in full (the answer covers the model)
        report = verify_index(index, settings, embedder, questions=0, reembed=0)
        assert report.ok, report.problems
    return answer_key(answer)


def assert_after_kill(
    index: Path,
    corpora: dict[str, Corpus],
    live_and_target: tuple[str, str],
    where: str,
    before: tuple[str, Key],
    swapped: bool,
    settings: Settings,
    embedder: Embedder,
) -> str:
    """After a killed build: the new generation if it was already live (`swapped`), else the old one
    untouched; returns the corpus now live."""
    live, target = live_and_target
    name_before, key_before = before
    if swapped:  # the new generation was complete and live: it stays
        assert layout.current_name(index) != name_before, where
        assert_sound(index, corpora, target, settings, embedder)
        return target
    assert layout.current_name(index) == name_before, f"{where}: CURRENT moved"
    assert assert_sound(index, corpora, live, settings, embedder) == key_before, where
    return live


def cache_for(point: str, index: Path, number: int) -> str:
    if point == "embed-passages":
        return "off"  # a real forward pass, not cache hits
    if point == "cache-write":
        return str(index.parent / f"cache-{number}.sqlite")  # a fresh cache, so every text is a miss
    return "auto"


@pytest.mark.slow
def test_kills_at_every_stage_of_build_and_update(
    builder: Builder, corpora: dict[str, Corpus], settings: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    builder.finish(builder.start("build", corpora["A"].folder, index))
    live = "A"
    key_before = assert_sound(index, corpora, live, settings, embedder)
    kills: list[str] = []
    for number, (point, op) in enumerate((p, o) for p in POINTS for o in ("build", "update")):
        name_before = layout.current_name(index)
        target = OTHER[live]
        cache = cache_for(point, index, number)
        job = builder.start(op, corpora[target].folder, index, pause=point, cache=cache)
        builder.wait_for(job, {"paused"})
        assert builder.kill(job) == -9, f"{op} at {point}: the worker was not killed"
        kills.append(f"{op}@{point}")
        live = assert_after_kill(index, corpora, (live, target), f"{op} at {point}", (name_before, key_before),
                                 point in AFTER_SWAP, settings, embedder)  # fmt: skip
        # The next build succeeds straight away: no stale lock, leftovers cleared, and an embedding
        # cache killed mid-transaction still opens (SQLite rolls the write back).
        follow = cache if point == "cache-write" else "auto"
        builder.finish(builder.start(op, corpora[OTHER[live]].folder, index, cache=follow))
        live = OTHER[live]
        key_before = assert_sound(index, corpora, live, settings, embedder, verify=False)
        assert not list(index.glob(".staging-*")) and not list(index.glob("CURRENT.*.tmp"))
    assert len(kills) == 2 * len(POINTS)
    print(f"\nkilled {len(kills)} times, once per point and operation: {', '.join(kills)}")


@pytest.mark.slow
def test_kills_at_random_moments(
    builder: Builder, corpora: dict[str, Corpus], settings: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    """Half the jobs embed everything (kills land while embedding), half hit the cache (kills land elsewhere)."""
    rng = random.Random(20261123)
    index = tmp_path / "index"
    spans = {}
    for live, cache in (("A", "auto"), ("B", "auto"), ("A", "off"), ("B", "auto")):  # cache both, time both
        started = time.monotonic()
        builder.finish(builder.start("build", corpora[live].folder, index, cache=cache))
        spans[cache] = time.monotonic() - started
    key_before = assert_sound(index, corpora, live, settings, embedder)
    landed: Counter[str] = Counter()
    finished_first = 0
    for _ in range(6 * RANDOM_KILLS):
        if sum(landed.values()) == RANDOM_KILLS:
            break
        op, cache = rng.choice(["build", "update"]), ("off", "auto")[sum(landed.values()) % 2]
        name_before = layout.current_name(index)
        target = OTHER[live]
        job = builder.start(op, corpora[target].folder, index, cache=cache)
        time.sleep(rng.uniform(0.0, spans[cache]))
        status = builder.kill(job)
        if status == 0:
            finished_first += 1
            live = target
        else:
            assert status == -9
            landed[job.last_point] += 1
            if layout.current_name(index) != name_before:
                live = target  # killed after the swap: the new generation is complete
        key_after = assert_sound(index, corpora, live, settings, embedder)
        assert layout.current_name(index) != name_before or key_after == key_before
        key_before = key_after
    assert sum(landed.values()) == RANDOM_KILLS, f"only {dict(landed)}: most jobs finished before their kill"
    builder.finish(builder.start("update", corpora[OTHER[live]].folder, index))
    assert_sound(index, corpora, OTHER[live], settings, embedder)
    print(f"\nrandom kills by last point reached: {dict(landed)}; {finished_first} jobs finished before their kill")


SHARDED_POINTS = (
    "indexing",
    "whoosh-toc",
    "manifest-partial",
    "swap-renamed",
    "swap-pointer",
    "swap-replaced",
    "prune",
)
# A sharded build prunes after its swap: old sets, and the shard generations no kept set names.
SHARDED_AFTER_SWAP = AFTER_SWAP | {"prune"}


@pytest.mark.slow
def test_kills_during_a_sharded_build_and_update_never_leave_a_mix_of_shards(
    builder: Builder, corpora: dict[str, Corpus], settings: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    """Shards are written first and named only by the set that CURRENT swaps to last: a kill leaves one whole set."""
    index = tmp_path / "index"
    builder.finish(builder.start("build", corpora["A"].folder, index, shards=3))
    live = "A"
    key_before = assert_sound(index, corpora, live, settings, embedder)
    for point, op in ((p, o) for p in SHARDED_POINTS for o in ("build", "update")):
        name_before = layout.current_name(index)
        target = OTHER[live]
        job = builder.start(op, corpora[target].folder, index, pause=point, shards=3)
        builder.wait_for(job, {"paused"})
        assert builder.kill(job) == -9, f"{op} at {point}: the worker was not killed"
        live = assert_after_kill(index, corpora, (live, target), f"{op} at {point}", (name_before, key_before),
                                 point in SHARDED_AFTER_SWAP, settings, embedder)  # fmt: skip
        builder.finish(builder.start(op, corpora[OTHER[live]].folder, index, shards=3))
        live = OTHER[live]
        key_before = assert_sound(index, corpora, live, settings, embedder, verify=False)
        assert not list(index.glob(".staging-*")) and not list(index.glob("shard-*/.staging-*"))
        # Shard generations a killed build left unnamed are gone: every one left is named by a kept set.
        named = {ref.folder for top in index.glob("set-*") for ref in read_shard_set(top).shards}
        assert {f"{g.parent.name}/{g.name}" for g in index.glob("shard-*/gen-*")} == named
