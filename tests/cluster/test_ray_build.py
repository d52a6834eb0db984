"""A build on the Ray cluster: the shards embedded and written by tasks, as an in-process build writes them."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

from archive.api import Archive
from archive.readers import FolderStream
from archive.settings import Settings
from index import layout
from index.embedder import Embedder
from index.shardset import shard_of
from tests.cluster.conftest import FOLDERS, NEWS_PAGES, SHARDS, answer_key
from tests.support import SEED_QUESTION, SEEDS, ray_cluster
from tests.support.index_files import live_files

KILL_WAIT_S = 300.0  # until a worker is seen embedding a shard, on a loaded machine


def test_a_ray_build_writes_what_an_in_process_build_writes(
    local_build: Archive, ray_settings: Settings, fresh_embedder: Embedder, tmp_path: Path
) -> None:
    archive = Archive.build(
        FOLDERS, index_dir=tmp_path / "index", settings=ray_settings, embedder=fresh_embedder, shards=SHARDS
    )
    report = archive.last_report
    archive.close()
    assert report is not None and report.articles == 5 and report.embedded > 0
    assert not fresh_embedder.loaded, "the workers embedded every text; this process none"
    assert live_files(tmp_path / "index") == live_files(local_build.index_dir)


def test_a_ray_update_writes_what_an_in_process_update_writes(
    local_settings: Settings, ray_settings: Settings, embedder: Embedder, fresh_embedder: Embedder, tmp_path: Path
) -> None:
    """An update whose shards keep some articles and gain others: each worker plans unchanged
    articles against its shard's previous generation and hands the plan back through Ray."""
    news = tmp_path / "news"
    shutil.copytree(SEEDS, news)
    pages = sorted(p for p in NEWS_PAGES.iterdir() if p.is_file())
    shutil.copy2(pages[0], news)
    local_dir, ray_dir = tmp_path / "local", tmp_path / "ray"
    Archive.build([news], index_dir=local_dir, settings=local_settings, embedder=embedder, shards=SHARDS).close()
    shutil.copytree(local_dir, ray_dir)
    for page in pages[1:]:
        shutil.copy2(page, news)
    kept = {a.article_id for a in FolderStream([SEEDS])} | {pages[0].name.split(".")[0]}
    added = {p.name.split(".")[0] for p in pages[1:]}
    # The precondition: some shard holds an article kept and one added (shard_of is a stable hash).
    assert {shard_of(i, SHARDS) for i in kept} & {shard_of(i, SHARDS) for i in added}

    reports = []
    for index_dir, settings, model in ((local_dir, local_settings, embedder), (ray_dir, ray_settings, fresh_embedder)):
        archive = Archive.open(index_dir, settings, model)
        reports.append(archive.update([news]))
        archive.close()
    local, ray = reports
    assert set(ray.added) == set(local.added) == added and ray.unchanged == local.unchanged == len(kept)
    assert ray.embedded > 0 and not fresh_embedder.loaded, "the workers embedded the new pages"
    assert live_files(ray_dir) == live_files(local_dir)


def test_a_worker_killed_mid_build_leaves_the_old_index_answering_and_the_retry_writes_the_same(
    local_build: Archive, local_settings: Settings, ray_settings: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    old = Archive.build([SEEDS], index_dir=index_dir, settings=local_settings, embedder=embedder, shards=SHARDS)
    before, old_top = answer_key(old, SEED_QUESTION), layout.current_name(index_dir)
    assert live_files(index_dir) != live_files(local_build.index_dir), "the comparison tells two corpora apart"

    failures: list[BaseException] = []

    def build() -> None:
        try:
            Archive.build(
                FOLDERS, index_dir=index_dir, settings=ray_settings, embedder=Embedder(), shards=SHARDS
            ).close()
        except BaseException as exc:
            failures.append(exc)

    builder = threading.Thread(target=build)
    builder.start()
    victim = _first_worker("embed_shard", builder)
    os.kill(victim, signal.SIGKILL)
    # The killed task runs again on a new worker (a process start and a model load away): meanwhile
    # the previous index is live and answers as it did.
    assert layout.current_name(index_dir) == old_top
    assert answer_key(old, SEED_QUESTION) == before
    builder.join()
    assert not failures, failures  # so the killed task was run again: it returned nothing itself
    assert layout.current_name(index_dir) != old_top
    assert live_files(index_dir) == live_files(local_build.index_dir)
    old.close()


def _first_worker(task: str, builder: threading.Thread) -> int:
    deadline = time.monotonic() + KILL_WAIT_S
    while time.monotonic() < deadline and builder.is_alive():
        running = ray_cluster.workers(task)
        if running:
            return running[0]
        time.sleep(0.02)
    raise AssertionError(f"no worker ran {task} within {KILL_WAIT_S:.0f} s (the build ended: {not builder.is_alive()})")
