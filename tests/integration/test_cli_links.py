"""`archive build/update` read only what was asked for: links out of the folders given are reported, not read."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.support.cli import run_archive

OUTSIDE = "symbolic link to {target}, outside the folders given; skipped (--follow-links reads it)"


@pytest.fixture()
def news(tmp_path: Path) -> Path:
    folder, private = tmp_path / "news", tmp_path / "private"
    folder.mkdir()
    private.mkdir()
    (folder / "harbour.txt").write_text("Harbour Reopens\nThe harbour reopened on Monday.\n", encoding="utf-8")
    (private / "diary.txt").write_text("My Diary\nThe safe code is 4321.\n", encoding="utf-8")
    (folder / "diary.txt").symlink_to(private / "diary.txt")
    (folder / "loop").symlink_to(folder, target_is_directory=True)  # must not hang
    return folder


def test_build_reports_the_link_and_does_not_index_its_target(news: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    built = run_archive("build", str(news), "--json", home=tmp_path, index=index)
    assert built.returncode == 0, built.stderr
    report = orjson.loads(built.stdout)
    assert report["added"] == ["harbour"]
    failed = {(p["path"], p["reason"].split(":")[0]) for p in report["failed"]}
    target = tmp_path / "private" / "diary.txt"
    assert (str(news / "diary.txt"), OUTSIDE.format(target=target).split(":")[0]) in failed
    assert (str(news / "loop"), "symlink loop") in failed
    plain = run_archive("update", str(news), home=tmp_path, index=index)
    assert f"not indexed: {news / 'diary.txt'}: {OUTSIDE.format(target=target)}" in plain.stdout.replace("\n", "")
    found = run_archive("search", "safe code", "--mode", "bm25", "--json", home=tmp_path, index=index)
    assert orjson.loads(found.stdout)["hits"] == []


@pytest.mark.parametrize(
    ("args", "env", "config"),
    [
        (["build", "NEWS", "--follow-links"], {}, ""),
        (["--follow-links", "build", "NEWS"], None, ""),  # argparse: a command's option, after it only
        (["build", "NEWS"], {"ARCHIVE_FOLLOW_LINKS": "1"}, ""),
        (["build", "NEWS"], {}, "follow_links = true\n"),
    ],
    ids=["flag", "flag-before-command", "variable", "config-file"],
)
def test_follow_links_opts_in(
    news: Path, tmp_path: Path, args: list[str], env: dict[str, str] | None, config: str
) -> None:
    index = tmp_path / "index"
    if config:
        (tmp_path / "config" / "archive-qa").mkdir(parents=True)
        (tmp_path / "config" / "archive-qa" / "archive.toml").write_text(config, encoding="utf-8")
    command = [str(news) if a == "NEWS" else a for a in args]
    built = run_archive(*command, "--json", home=tmp_path, index=index, env=env or {})
    if env is None:
        assert built.returncode == 2  # not a global option
        return
    assert built.returncode == 0, built.stderr
    assert sorted(orjson.loads(built.stdout)["added"]) == ["diary", "harbour"]


def test_config_names_where_follow_links_came_from(tmp_path: Path) -> None:
    shown = run_archive("config", "--json", home=tmp_path, env={"ARCHIVE_FOLLOW_LINKS": "yes"})
    entry = orjson.loads(shown.stdout)["settings"]["follow_links"]
    assert entry == {"value": True, "origin": "environment ARCHIVE_FOLLOW_LINKS"}


def test_watch_and_update_take_the_flag() -> None:
    for command in ("update", "watch"):
        helped = run_archive(command, "--help", home=Path("/tmp"))
        assert "--follow-links" in helped.stdout
