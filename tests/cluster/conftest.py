"""The cluster tests: a two-node Ray cluster on 127.0.0.1, and the in-process build they compare with.

Collected only inside tests/support/isolation.py's namespaces, where
tests/integration/test_cluster_suite.py runs this folder (tests/conftest.py leaves it out
elsewhere); the namespaces end with the run and take every Ray process with them.

The corpus is tiny on purpose (the bundled seeds and three saved news pages, two shards):
what is tested is where the work runs and what survives a killed process, not scale. No
embedding cache, and one embedding thread in every process: each shard's vectors are then
computed, not copied, on the workers, and bit for bit the in-process build's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from archive.api import Archive
from archive.settings import Settings
from index.embedder import Embedder
from tests.support import ROOT, SEEDS, ray_cluster

NEWS_PAGES = ROOT / "tests" / "data" / "html-news" / "pages"
FOLDERS = [SEEDS, NEWS_PAGES]
SHARDS = 2


@pytest.fixture(scope="session")
def ray_address() -> Iterator[str]:
    cluster = ray_cluster.start(node_cpus=(1, 1))
    try:
        yield cluster.address
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def local_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    index_dir = tmp_path_factory.mktemp("unused") / "index"
    return Settings.from_env(environ={}, index_dir=index_dir, embedding_cache="off", threads=1)


@pytest.fixture(scope="session")
def ray_settings(local_settings: Settings, ray_address: str) -> Settings:
    return replace(local_settings, ray_address=ray_address)


@pytest.fixture(scope="session")
def local_build(
    tmp_path_factory: pytest.TempPathFactory, local_settings: Settings, embedder: Embedder
) -> Iterator[Archive]:
    """FOLDERS in SHARDS shards, built and served in this process: what the cluster must reproduce."""
    index_dir = tmp_path_factory.mktemp("local") / "index"
    archive = Archive.build(FOLDERS, index_dir=index_dir, settings=local_settings, embedder=embedder, shards=SHARDS)
    yield archive
    archive.close()


def answer_key(archive: Archive, question: str) -> tuple[object, ...]:
    """Everything an answer says, less the time it took."""
    answer = archive.ask(question)
    return (answer.answered, answer.citations, answer.hits, answer.confidence, answer.claims, answer.conflict)


@pytest.fixture()
def fresh_embedder() -> Embedder:
    """A model never loaded here: a build that leaves it unloaded embedded nothing in this process."""
    return Embedder()


__all__ = ["FOLDERS", "SHARDS", "answer_key"]
