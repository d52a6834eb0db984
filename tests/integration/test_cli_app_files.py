"""The terminal app's files as the CLI shows them, and a bad keymap file stopping `archive tui` with one line."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.integration.conftest import Project
from tests.support.cli import run_archive


def test_info_names_the_state_keymap_and_export_paths(project: Project, tmp_path: Path) -> None:
    shown = run_archive("info", "--json", home=tmp_path, index=project.index)
    assert shown.returncode == 0, shown.stderr
    assert orjson.loads(shown.stdout)["user_files"] == {
        "state_file": str(tmp_path / "state" / "archive-qa" / "tui.json"),
        "keymap_file": str(tmp_path / "config" / "archive-qa" / "keymap.toml"),
        "export_dir": str(tmp_path / "Documents" / "archive-qa"),
    }
    moved = run_archive(
        "info",
        home=tmp_path,
        index=project.index,
        env={"ARCHIVE_STATE_DIR": str(tmp_path / "s"), "ARCHIVE_EXPORT_DIR": str(tmp_path / "e")},
    )
    assert f"app history and theme: {tmp_path / 's' / 'tui.json'}" in moved.stdout
    assert (
        f"app keymap: {tmp_path / 'config' / 'archive-qa' / 'keymap.toml'} (absent: the default keys)" in moved.stdout
    )
    assert f"answers saved by the app to: {tmp_path / 'e'}" in moved.stdout


def test_a_bad_keymap_file_stops_the_app_with_one_line(project: Project, tmp_path: Path) -> None:
    keymap = tmp_path / "config" / "archive-qa" / "keymap.toml"
    keymap.parent.mkdir(parents=True)
    keymap.write_text('copy_citaton = "c"\n', encoding="utf-8")
    result = run_archive("tui", home=tmp_path, index=project.index)
    assert result.returncode == 2
    assert result.stderr == f"error: copy_citaton in {keymap} is not an action; did you mean copy_citation?\n"
