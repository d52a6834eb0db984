"""Taking answers out of the app, and what it keeps between runs: Pilot on real archives and real files."""

from __future__ import annotations

import json
import webbrowser
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from archive.api import Archive
from archive.settings import Settings
from index.embedder import Embedder
from tests.support import SEED_QUESTION
from tests.support.tui_helpers import SIZE, app_of, ask, settle, until
from tui.app import ArchiveApp, make_app
from tui.keymap import load_keymap
from tui.widgets.board import CitationBoard

pytestmark = pytest.mark.anyio

MakeApp = Callable[..., ArchiveApp]

HARBOUR = {
    "id": "../../etc/harbour",
    "title": "Harbour Reopens",
    "source": "Harbour Post",
    "date": "2024-05-02",
    "url": "https://example.org/harbour",
    "text": "The harbour reopened on Monday after the storm. Ferries resumed on Tuesday.",
}
FAIR = {
    "id": "fair",
    "title": "Fair Returns",
    "source": "Field News",
    "text": "Farmers brought pumpkins to the square on Saturday. The fair lasts three days.",
}


@pytest.fixture(scope="module")
def url_archive(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Archive]:
    """Two articles, one with a URL (and an id that must never become a path), one without."""
    root = tmp_path_factory.mktemp("url-archive")
    (root / "news").mkdir()
    (root / "news" / "records.json").write_text(json.dumps([HARBOUR, FAIR]), encoding="utf-8")
    settings = Settings.from_env(environ={}, index_dir=root / "index")
    archive = Archive.build([root / "news"], settings=settings, embedder=embedder)
    archive.load_model()
    yield archive
    archive.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Path]:
    """A real `webbrowser` entry, tried first, that writes the URL it is given to a file."""
    opened = tmp_path / "opened-url.txt"
    script = tmp_path / "fake-browser.sh"
    script.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{opened}"\n', encoding="utf-8")
    script.chmod(0o755)
    webbrowser.register("archive-test", None, webbrowser.GenericBrowser([str(script), "%s"]), preferred=True)
    yield opened
    webbrowser._tryorder.remove("archive-test")  # type: ignore[attr-defined]  # undo the registration


def notices(app: ArchiveApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def test_y_copies_the_selected_citation(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, SEED_QUESTION)
        app.main.query_one("#citations", CitationBoard).focus()
        await pilot.press("y")
        copied = app.clipboard
        first = app.main.answer_pane.targets[0]
        assert copied.startswith("“") and "five Lebanese detainees" in copied
        assert copied.endswith(f"” — {first.title} [000_34248013aabff9bc]")
        await pilot.press("j", "y")  # the cursor moved: the second citation is copied
        assert app.clipboard != copied and app.clipboard.startswith("“")
        assert any(n.startswith("Copied to the clipboard") for n in notices(app))


async def test_y_with_nothing_selected_says_so(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape", "y")  # escape leaves the question box for the (empty) answer
        assert app.clipboard == ""
        assert any(n.startswith("Nothing to copy") for n in notices(app))


async def test_e_saves_the_answer_as_markdown_and_names_the_file(url_archive: Archive, tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    settings = replace(url_archive.settings, export_dir=str(exports))
    app = make_app(archive=url_archive, settings=settings, stable=True)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "../../etc/passwd When did the harbour reopen?")
        await pilot.press("escape", "e")
        saved = list(exports.iterdir())
        assert len(saved) == 1 and saved[0].name.endswith("-etc-passwd-when-did-the-harbour-reopen.md")
        text = saved[0].read_text(encoding="utf-8")
        assert "> The harbour reopened on Monday after the storm. [1]" in text
        assert "*Harbour Reopens* · Harbour Post · 2024-05-02 · <https://example.org/harbour>" in text
        assert "`../../etc/harbour`" in text
        assert f"Answer saved as Markdown: Saved to {saved[0]}" in notices(app)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports", "state"]  # nothing written elsewhere


async def test_u_opens_the_url_or_says_there_is_none(url_archive: Archive, browser: Path) -> None:
    app = make_app(archive=url_archive, stable=True)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "When did the harbour reopen?")
        await pilot.press("escape", "u")
        await until(pilot, browser.exists)
        await until(pilot, lambda: browser.read_text(encoding="utf-8") != "")
        assert browser.read_text(encoding="utf-8") == "https://example.org/harbour"
        await until(pilot, lambda: "Article URL: Opened https://example.org/harbour" in notices(app))
        browser.unlink()
        await ask(pilot, "How long does the fair last?")
        await pilot.press("escape", "u")
        await until(pilot, lambda: any(n.startswith("No URL: “Fair Returns” has no URL") for n in notices(app)))
        assert not browser.exists()


async def test_history_and_theme_are_kept_between_runs(seeds_app: MakeApp, own_state_folder: Path) -> None:
    first = seeds_app()
    async with first.run_test(size=SIZE) as pilot:
        await ask(pilot, "Who met in Naqoura?")
        await ask(pilot, SEED_QUESTION)
        first.set_dark(False)
        await pilot.pause()
    saved = json.loads((own_state_folder / "tui.json").read_text(encoding="utf-8"))
    assert saved == {"questions": ["Who met in Naqoura?", SEED_QUESTION], "theme": "textual-light"}

    second = seeds_app()
    async with second.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert second.theme == "textual-light"
        box = second.main.question_box
        assert box.history == ("Who met in Naqoura?", SEED_QUESTION)
        await pilot.press("up")
        assert box.value == SEED_QUESTION
        await pilot.press("up")
        assert box.value == "Who met in Naqoura?"


async def test_a_damaged_state_file_is_reported_and_replaced(seeds_app: MakeApp, own_state_folder: Path) -> None:
    own_state_folder.mkdir(parents=True)
    (own_state_folder / "tui.json").write_text("{not json", encoding="utf-8")
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.main.question_box.history == ()
        assert any(n.startswith("Saved state not used:") for n in notices(app))
        await ask(pilot, SEED_QUESTION)
    assert json.loads((own_state_folder / "tui.json").read_text(encoding="utf-8"))["questions"] == [SEED_QUESTION]


async def test_a_keymap_file_moves_keys(seeds_archive: Archive, tmp_path: Path) -> None:
    keymap_file = tmp_path / "keymap.toml"
    keymap_file.write_text('copy_citation = "c"\nkeys = "f1,question_mark"\n', encoding="utf-8")
    app = make_app(archive=seeds_archive, stable=True, keymap=load_keymap(keymap_file))
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, SEED_QUESTION)
        app.main.query_one("#citations", CitationBoard).focus()
        await pilot.press("y")
        assert app.clipboard == ""  # y no longer copies
        await pilot.press("c")
        assert "five Lebanese detainees" in app.clipboard
        await pilot.press("f1")
        keys = app_of(pilot).screen
        assert type(keys).__name__ == "KeysScreen"
        assert any("Your keymap file" in str(s.content) for s in keys.query(".keys-group"))


async def test_the_reader_copies_and_opens_its_citation(url_archive: Archive, browser: Path) -> None:
    app = make_app(archive=url_archive, stable=True)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "When did the harbour reopen?")
        await pilot.press("escape", "o")
        await settle(pilot)
        assert type(app.screen).__name__ == "ReaderScreen"
        await pilot.press("y")
        expected = "“The harbour reopened on Monday after the storm.” — Harbour Reopens, Harbour Post, 2024-05-02"
        assert app.clipboard == f"{expected} [../../etc/harbour]"
        await pilot.press("u")
        await until(pilot, lambda: browser.exists() and browser.read_text(encoding="utf-8") != "")
        assert browser.read_text(encoding="utf-8") == "https://example.org/harbour"
