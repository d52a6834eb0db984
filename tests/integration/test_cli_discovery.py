"""Finding the index like git: --index, ARCHIVE_INDEX_DIR, the nearest .archive/, the per-user default.
No command builds from the seeds unless asked to (`archive demo`, `--demo`)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.integration.conftest import Project
from tests.support import SEED_QUESTION
from tests.support.cli import run_archive


def index_origin(result_stdout: str) -> tuple[str, str]:
    entry = orjson.loads(result_stdout)["settings"]["index_dir"]
    return entry["value"], entry["origin"]


def test_build_makes_the_index_where_the_user_is(project: Project) -> None:
    assert (project.index / "CURRENT").is_file()
    assert not (project.home / "data").exists(), "nothing written to the per-user folders"


def test_commands_find_the_nearest_archive_folder_from_a_subfolder(project: Project) -> None:
    deeper = project.folder / "2025" / "january"
    deeper.mkdir(parents=True, exist_ok=True)
    result = run_archive("search", "Naqoura", "--mode", "bm25", "--json", home=project.home, cwd=deeper)
    assert result.returncode == 0, result.stderr
    assert orjson.loads(result.stdout)["hits"]
    value, origin = index_origin(run_archive("config", "--json", home=project.home, cwd=deeper).stdout)
    assert (Path(value), origin) == (project.index.resolve(), "nearest .archive/ folder")


def test_environment_beats_the_nearest_folder_and_the_flag_beats_both(project: Project, tmp_path: Path) -> None:
    env = {"ARCHIVE_INDEX_DIR": str(tmp_path / "from-env")}
    by_env = run_archive("config", "--json", home=project.home, cwd=project.folder, env=env)
    assert index_origin(by_env.stdout) == (str(tmp_path / "from-env"), "ARCHIVE_INDEX_DIR")
    flag = str(tmp_path / "from-flag")
    by_flag = run_archive("config", "--json", "--index", flag, home=project.home, cwd=project.folder, env=env)
    assert index_origin(by_flag.stdout) == (flag, "--index")


@pytest.mark.parametrize("command", [["ask", SEED_QUESTION], ["search", "Naqoura"], ["info"], ["verify"], ["tui"]])
def test_no_index_anywhere_says_what_to_run_and_builds_nothing(tmp_path: Path, command: list[str]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_archive(*command, home=tmp_path, cwd=elsewhere)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: No index found:")
    assert "archive build FOLDER..." in line and "archive demo" in line
    assert str(elsewhere) in line, "says where it looked"
    assert not any(p.name in {".archive", "CURRENT"} for p in tmp_path.rglob("*")), "no seed index built"


def test_init_makes_an_archive_folder_here(tmp_path: Path) -> None:
    result = run_archive("init", "--json", home=tmp_path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert orjson.loads(result.stdout)["created"] is True
    assert (tmp_path / ".archive" / "index").is_dir()
    asked = run_archive("ask", "anything", home=tmp_path, cwd=tmp_path)
    assert asked.returncode == 1
    assert f"--index {tmp_path / '.archive' / 'index'}" in asked.stderr, "names the folder to build into"


@pytest.mark.slow
def test_demo_builds_the_seeds_apart_from_the_users_index(tmp_path: Path) -> None:
    result = run_archive("demo", "--json", home=tmp_path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    answer = orjson.loads(result.stdout)
    assert answer["question"] == SEED_QUESTION and answer["answered"]
    assert (tmp_path / "data" / "archive-qa" / "demo" / "CURRENT").is_file()
    assert not (tmp_path / ".archive").exists()
    again = run_archive("--demo", "search", "Red Cross", "--mode", "bm25", "--json", home=tmp_path, cwd=tmp_path)
    assert again.returncode == 0 and orjson.loads(again.stdout)["hits"]
    plain = run_archive("search", "Red Cross", "--mode", "bm25", home=tmp_path, cwd=tmp_path)
    assert plain.returncode == 1, "the demo index never answers a plain command"
