"""Global options before or after the command, --version, --help with an example, shell completion."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import orjson
import pytest

from tests.integration.conftest import Project
from tests.support import SEEDS
from tests.support.cli import run_archive

COMMANDS = ["init", "build", "update", "ask", "search", "show", "info", "verify", "config", "demo", "tui", "completion"]


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_options_work_before_or_after_the_command(project: Project, tmp_path: Path, where: str) -> None:
    options = ["--index", str(project.index), "--json", "-q"]
    command = ["search", "Naqoura", "--mode", "bm25"]
    args = [*options, *command] if where == "before" else [*command, *options]
    result = run_archive(*args, home=tmp_path, cwd=tmp_path)  # no .archive/ here: only --index finds it
    assert result.returncode == 0, result.stderr
    assert orjson.loads(result.stdout)["hits"]


def test_the_index_flag_our_messages_suggest_is_accepted(tmp_path: Path) -> None:
    missing = tmp_path / "none"
    result = run_archive("info", "--index", str(missing), home=tmp_path)
    suggested = result.stderr.split("`")[1]  # "archive build <folders> --index DIR"
    assert suggested == f"archive build <folders> --index {missing}"
    parsed = run_archive(*suggested.replace("<folders>", str(tmp_path / "nothing-here")).split()[1:], home=tmp_path)
    assert parsed.returncode == 2 and "No such folder" in parsed.stderr, "rejected for the folder, not the flag"


def test_version() -> None:
    result = run_archive("--version", home=Path("/tmp"))
    assert result.returncode == 0 and result.stdout.startswith("archive 0.")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(tmp_path: Path, command: str) -> None:
    result = run_archive(command, "--help", home=tmp_path)
    assert result.returncode == 0
    assert "example:\n  archive" in result.stdout
    assert "--index DIR" in result.stdout and "--json" in result.stdout and "--verbose" in result.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_name_every_command(tmp_path: Path, shell: str) -> None:
    result = run_archive("completion", shell, home=tmp_path)
    assert result.returncode == 0, result.stderr
    for command in COMMANDS:
        assert command in result.stdout
    long = "-l " if shell == "fish" else "--"
    assert f"{long}index" in result.stdout and f"{long}mode" in result.stdout
    if shutil.which(shell):  # the script parses in the shell it is for
        script = tmp_path / f"archive.{shell}"
        script.write_text(result.stdout)
        check = ["bash", "-n"] if shell == "bash" else [shell, "-n"] if shell == "zsh" else ["fish", "--no-execute"]
        subprocess.run([*check, str(script)], check=True, timeout=30)


def test_verbose_shows_the_steps_and_quiet_hides_warnings(project: Project, tmp_path: Path) -> None:
    args = ["search", "Naqoura", "--mode", "bm25", "--index", str(project.index)]
    verbose = run_archive(*args, "-v", home=tmp_path, env={"ARCHIVE_FUSON": "rrf"})
    assert f"archive: index {project.index} (--index)" in verbose.stderr
    quiet = run_archive(*args, "-q", home=tmp_path, env={"ARCHIVE_FUSON": "rrf"})
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_a_build_logs_its_steps_with_verbose_only(tmp_path: Path) -> None:
    quiet = run_archive("build", str(SEEDS), "--index", str(tmp_path / "a"), home=tmp_path)
    assert quiet.returncode == 0 and "archive." not in quiet.stderr
    loud = run_archive("build", str(SEEDS), "--index", str(tmp_path / "a"), "-v", home=tmp_path)
    assert "archive.building: reading" in loud.stderr and "archive.building: published gen-" in loud.stderr
