"""Failures become messages in the app, and the app keeps working afterwards."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from archive.errors import InvalidRequestError
from archive.settings import Settings
from tests.support import SEED_QUESTION
from tests.support.tui_helpers import SIZE, GatedArchive, ask, settle
from tui.app import ArchiveApp, make_app

pytestmark = pytest.mark.anyio

MakeApp = Callable[..., ArchiveApp]


async def test_empty_question_gets_a_message(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "   ")
        assert app.main.answer_pane.state == "error"
        assert "Empty question" in app.main.answer_pane.summary
        await ask(pilot, SEED_QUESTION)
        assert app.main.answer_pane.state == "answered", "the app keeps working"


@pytest.mark.parametrize("question", ['title:(( "AND', "OR AND NOT", "*?~^", ")))", "detainee*"])
async def test_query_syntax_characters_are_harmless(seeds_app: MakeApp, question: str) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, question)
        assert app.main.answer_pane.state in ("answered", "unanswered"), app.main.answer_pane.summary


async def test_bad_date_gets_a_message(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        app.main.query_one("#until", Input).value = "last week"
        await ask(pilot, SEED_QUESTION)
        assert app.main.answer_pane.state == "error"
        assert "not a date" in app.main.answer_pane.summary
        app.main.query_one("#until", Input).value = ""
        await ask(pilot, SEED_QUESTION)
        assert app.main.answer_pane.state == "answered"


async def test_empty_date_range_is_explained(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        app.main.query_one("#since", Input).value = "2025-02-01"
        app.main.query_one("#until", Input).value = "2025-01-01"
        await ask(pilot, SEED_QUESTION)
        assert app.main.answer_pane.state == "error"
        assert "Invalid request" in app.main.answer_pane.summary


async def test_missing_index_gets_a_message(tmp_path: Path) -> None:
    settings = Settings.from_env(environ={}, index_dir=tmp_path / "no-index", seeds_dir=tmp_path / "no-seeds")
    app = make_app(settings=settings, build=False, stable=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.main.answer_pane.state == "error"
        assert "No index" in app.main.answer_pane.summary
        assert str(tmp_path / "no-index") in app.main.answer_pane.summary
        assert app.main.status.index_text == "No index"
        await ask(pilot, SEED_QUESTION)
        assert app.main.answer_pane.state == "error", "asking explains again instead of failing"
        assert "No index" in app.main.answer_pane.summary
        assert app.is_running


@pytest.mark.slow
async def test_missing_seeds_get_a_message(tmp_path: Path) -> None:
    """The core refuses to build an index from a folder that is not there (no empty index)."""
    seeds = tmp_path / "no-seeds"
    settings = Settings.from_env(environ={}, index_dir=tmp_path / "index", seeds_dir=seeds)
    app = make_app(settings=settings, stable=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.main.answer_pane.state == "error"
        assert str(seeds) in app.main.answer_pane.summary
        assert app.main.status.index_text == "No index"
        await ask(pilot, SEED_QUESTION)
        assert app.main.answer_pane.state == "error", "asking explains again instead of failing"
        assert str(seeds) in app.main.answer_pane.summary


class FailingArchive(GatedArchive):
    """Raises from `ask`: an archive error for one question, a plain bug for another."""

    def ask(self, question: str, **options: Any) -> Any:
        if question == "invalid":
            raise InvalidRequestError("That request cannot be served.")
        if question == "bug":
            raise RuntimeError("something broke")
        return super().ask(question, **options)


async def test_archive_errors_and_bugs_become_messages(gated: GatedArchive) -> None:
    failing = FailingArchive(gated._archive)
    app = make_app(archive=failing, stable=True)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "invalid")
        assert app.main.answer_pane.summary.startswith("Invalid request")
        await ask(pilot, "bug")
        assert app.main.answer_pane.summary.startswith("Unexpected error")
        assert "RuntimeError: something broke" in app.main.answer_pane.summary
        await ask(pilot, SEED_QUESTION)
        assert app.main.answer_pane.state == "answered"


async def test_question_over_the_length_limit(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "detainees " * 400)
        assert app.main.answer_pane.state == "error"
        assert "Input too large" in app.main.answer_pane.summary
