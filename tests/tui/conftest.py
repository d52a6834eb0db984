"""TUI fixtures: apps on the shared seeds archive (from tests/conftest.py), and a gated stand-in.

The shared `seeds_archive` is read-only: the app never updates, refreshes or closes an
archive it is given, and the stand-in below only wraps it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest

from archive.api import Archive
from tests.support.tui_helpers import GatedArchive
from tui.app import ArchiveApp, make_app


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def own_state_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's app keeps its history and theme in the test's own folder, never the user's."""
    folder = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(folder))
    return folder / "archive-qa"


@pytest.fixture
def seeds_app(seeds_archive: Archive) -> Callable[..., ArchiveApp]:
    """Make an app on the shared seeds archive; stable (no clocks, no blinking) for screenshots."""

    def factory(**options: Any) -> ArchiveApp:
        options.setdefault("stable", True)
        return make_app(archive=seeds_archive, **options)

    return factory


@pytest.fixture
def gated(seeds_archive: Archive) -> GatedArchive:
    return GatedArchive(seeds_archive)


@pytest.fixture
def gated_app(gated: GatedArchive) -> ArchiveApp:
    return make_app(archive=cast(Archive, gated), stable=True)
