"""Errors from the machine are one sentence: a build on a full or read-only file system says what
happened, where, that the previous index still answers, and what to do; the traceback only with -v.

The file system is a small tmpfs this test mounts, which needs root."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import Project
from tests.support import SEEDS
from tests.support.cli import run_archive

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting the small tmpfs these tests fill needs root")


@pytest.fixture()
def small_disk(tmp_path: Path, project: Project) -> Iterator[Path]:
    """A 8 MiB tmpfs holding a copy of the project's index (about 0.5 MiB)."""
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], check=False)
    if made.returncode != 0:
        pytest.skip("this machine does not allow mounting a tmpfs (no CAP_SYS_ADMIN)")
    try:
        shutil.copytree(project.index, mount / "index")
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def fill(mount: Path) -> None:
    """Leave about 20 KiB free: far less than a new generation needs."""
    free = os.statvfs(mount)
    with (mount / "filler").open("wb") as handle:
        handle.write(b"\0" * (free.f_bavail * free.f_frsize - 20 * 1024))


def answers(index: Path, home: Path) -> bool:
    result = run_archive("search", "Naqoura", "--mode", "bm25", "--json", "--index", str(index), home=home)
    return result.returncode == 0 and '"hits"' in result.stdout


def test_a_full_disk_is_one_sentence_and_the_index_still_answers(small_disk: Path, tmp_path: Path) -> None:
    index = small_disk / "index"
    fill(small_disk)
    result = run_archive("build", str(SEEDS), "--index", str(index), home=tmp_path)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: Cannot use {index}") and "the disk is full" in line
    assert f"The previous index in {index} is intact and still answers." in line
    assert "free some space" in line
    assert not [p for p in index.iterdir() if p.name.startswith(".staging-")], "the failed build cleared up"
    assert answers(index, tmp_path)
    verbose = run_archive("build", str(SEEDS), "--index", str(index), "-v", home=tmp_path)
    assert "Traceback" in verbose.stderr and "No space left on device" in verbose.stderr


def test_a_read_only_index_folder_is_one_sentence(small_disk: Path, tmp_path: Path) -> None:
    index = small_disk / "index"
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = run_archive("build", str(SEEDS), "--index", str(index), "--json", home=tmp_path)
    assert result.returncode == 1
    assert '"kind":"system"' in result.stderr and "the file system is read-only" in result.stderr
    assert "use --index DIR for a folder on a writable disk" in result.stderr
    assert answers(index, tmp_path)
