"""A project folder indexed by `archive build` run inside it, as a user would, shared by the CLI tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import SEEDS
from tests.support.cli import run_archive


@dataclass(frozen=True)
class Project:
    home: Path  # the user's home, config and data folders
    folder: Path  # where the user ran `archive build`: it holds .archive/index

    @property
    def index(self) -> Path:
        return self.folder / ".archive" / "index"


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("cli-project")
    made = Project(home=root / "home", folder=root / "home" / "news")
    made.folder.mkdir(parents=True)
    result = run_archive("build", str(SEEDS), home=made.home, cwd=made.folder)
    assert result.returncode == 0, result.stderr
    return made
