"""Shared fixtures: the real embedding model and a real seeds index, made once per test run."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from archive.api import Archive
from archive.settings import Settings
from index.embedder import Embedder
from index.snapshot import Snapshot
from tests.support import SEEDS, isolation, open_generation

# The cluster tests start Ray: they run only inside isolated namespaces, which
# tests/integration/test_cluster_suite.py makes for them.
collect_ignore = [] if isolation.inside() else ["cluster"]


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """One loaded model for the whole run (loading costs seconds)."""
    model = Embedder()
    model.load()
    return model


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings.from_env(environ={}, index_dir=tmp_path_factory.mktemp("default-index") / "index")


@pytest.fixture(scope="session")
def seeds_archive(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, settings: Settings
) -> Iterator[Archive]:
    """An archive built from the bundled seeds, model loaded. Read-only: do not update it."""
    index_dir = tmp_path_factory.mktemp("seeds-index") / "index"
    archive = Archive.build([SEEDS], index_dir=index_dir, settings=settings, embedder=embedder)
    archive.load_model()
    yield archive
    archive.close()


@pytest.fixture()
def seeds_snapshot(seeds_archive: Archive) -> Iterator[Snapshot]:
    """The seeds index's live generation, opened on its own (index/ public API), for tests that look inside."""
    snapshot = open_generation(seeds_archive.index_dir)
    yield snapshot
    snapshot.close()


@pytest.fixture()
def seeds_copy(tmp_path: Path) -> Path:
    """A private, writable copy of the seed folder."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target
