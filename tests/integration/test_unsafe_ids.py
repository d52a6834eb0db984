"""Article ids and titles such as `../../etc/x` never become a path outside the folder meant for it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from archive.api import Archive
from archive.errors import InvalidRequestError
from archive.exports import export_answer, inside, safe_name
from archive.settings import Settings
from index.embedder import Embedder
from tests.support.cli import run_archive

RECORDS = [
    {
        "id": "../../etc/x",
        "title": "../../../tmp/evil",
        "source": "Harbour Post",
        "date": "2024-05-02",
        "url": "https://example.org/harbour",
        "text": "The harbour reopened on Monday after the storm. Ferries resumed on Tuesday.",
    },
    {
        "id": "/abs/olute",
        "title": "con",
        "source": "Field News",
        "text": "Farmers brought pumpkins to the square. The fair lasts three days.",
    },
]


@pytest.fixture()
def hostile(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "records.json").write_text(json.dumps(RECORDS), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("../../etc/x", "etc-x"),
        ("..", "untitled"),
        ("/abs/olute", "abs-olute"),
        ("con", "_con"),
        ("NUL.txt", "_NUL.txt"),
        (".hidden", "hidden"),
        ("a\x00b\nc", "a-b-c"),
        ("C:\\Windows\\x", "C-Windows-x"),
        ("Who won the vote?", "Who-won-the-vote"),
        ("Élection à Zürich", "Élection-à-Zürich"),
    ],
)
def test_safe_name_is_one_plain_name(text: str, expected: str) -> None:
    assert safe_name(text) == expected


def test_inside_refuses_what_leaves_the_folder(tmp_path: Path) -> None:
    assert inside(tmp_path, "a.md") == tmp_path.resolve() / "a.md"
    for name in ("../x", "..", "a/b", "/etc/x", ""):
        with pytest.raises(InvalidRequestError, match="would leave the folder"):
            inside(tmp_path, name)
    (tmp_path / "link.md").symlink_to(tmp_path.parent / "elsewhere.md")  # a planted link out
    with pytest.raises(InvalidRequestError):
        inside(tmp_path, "link.md")


def test_an_answer_citing_a_hostile_id_is_exported_inside_its_folder(
    hostile: Path, tmp_path: Path, embedder: Embedder
) -> None:
    settings = Settings.from_env(environ={}, index_dir=tmp_path / "index")
    archive = Archive.build([hostile], settings=settings, embedder=embedder)
    try:
        answer = archive.ask("../../etc/x When did the harbour reopen?")
        assert answer.citations and answer.citations[0].article_id == "../../etc/x"
        urls = {c.article_id: archive.article(c.article_id).url for c in answer.citations}
        exports = tmp_path / "exports"
        when = datetime(2026, 11, 30, 1, 42)
        first = export_answer(answer, urls, exports, when)
        second = export_answer(answer, urls, exports, when)
    finally:
        archive.close()
    assert first == exports.resolve() / "2026-11-30-0142-etc-x-when-did-the-harbour-reopen.md"
    assert second.name == "2026-11-30-0142-etc-x-when-did-the-harbour-reopen-2.md"
    assert sorted(p.name for p in exports.iterdir()) == sorted([first.name, second.name])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports", "index", "news"]  # nothing else written
    text = first.read_text(encoding="utf-8")
    assert "The harbour reopened on Monday after the storm." in text
    assert "`../../etc/x`" in text and "<https://example.org/harbour>" in text


def test_the_cli_shows_an_article_by_a_hostile_id(hostile: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    assert run_archive("build", str(hostile), home=tmp_path, index=index).returncode == 0
    shown = run_archive("show", "../../etc/x", "--json", home=tmp_path, index=index)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["title"] == "../../../tmp/evil"
    markdown = run_archive("ask", "When did the harbour reopen?", "--format", "markdown", home=tmp_path, index=index)
    assert "`../../etc/x`" in markdown.stdout
