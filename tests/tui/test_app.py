"""The main screen against the real seeds archive: answers, no answer, filters, modes, history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from textual.widgets import Select

from tests.support import SEED_ANSWER, SEED_QUESTION
from tests.support.tui_helpers import SIZE, UNANSWERABLE, app_of, ask, rows, settle
from tui.app import ArchiveApp
from tui.widgets.board import CitationBoard
from tui.widgets.results import ResultList

pytestmark = pytest.mark.anyio

MakeApp = Callable[..., ArchiveApp]


async def test_window_is_usable_at_once(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.main.question_box.has_focus
        await settle(pilot)
        assert app.main.answer_pane.state == "welcome"
        assert "2 articles" in app.main.status.index_text
        assert "passages" in app.main.status.index_text


async def test_seed_question_cites_the_sentence(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, SEED_QUESTION, typed=True)
        pane = app.main.answer_pane
        assert pane.state == "answered"
        assert pane.answer is not None and pane.answer.answered
        shown = rows(app.main.query_one("#citations", CitationBoard))
        assert shown[0].startswith("[1]")
        cited = [c for c in pane.answer.citations if SEED_ANSWER in c.sentence]
        assert cited, "the answer cites the five detainees sentence"
        assert any(cited[0].sentence in row for row in shown), "the sentence is shown verbatim"
        assert "cited sentence" in pane.summary
        assert f"confidence {pane.answer.confidence:.2f}" in pane.summary
        assert rows(app.main.sources), "the sources list shows the passages"
        assert app.main.status.activity.startswith("Ready")


async def test_unanswerable_question_shows_the_no_answer_state(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, UNANSWERABLE)
        pane = app.main.answer_pane
        assert pane.state == "unanswered"
        assert pane.summary.startswith("No answer")
        assert "Closest passages" in pane.summary
        shown = rows(app.main.query_one("#citations", CitationBoard))
        assert shown and all(row.startswith("#") for row in shown), "closest passages, not citations"


async def test_unknown_source_gives_no_results(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, SEED_QUESTION)
        app.main.filters.set_filters(source="The Nonexistent Times")
        await ask(pilot, SEED_QUESTION)
        assert app.main.answer_pane.state == "unanswered"
        assert rows(app.main.sources) == []
        assert "Nothing matched" in app.main.answer_pane.summary


async def test_a_question_of_only_question_words_says_to_name_its_subject(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "Who was he?")
        pane = app.main.answer_pane
        assert pane.state == "unanswered"
        assert pane.summary.startswith("Not searched")
        assert "name what it is about" in pane.summary


async def test_committing_a_filter_asks_again(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, SEED_QUESTION)
        assert app.main.answer_pane.state == "answered"
        await pilot.press("escape", "f")  # leave the question box, focus the source filter
        await pilot.press(*"Nowhere")
        await pilot.press("enter")
        await settle(pilot)
        assert app.main.query_shown is not None and app.main.query_shown.source == "Nowhere"
        assert app.main.answer_pane.state == "unanswered"


async def test_mode_switch_reaches_the_answer(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        app.main.query_one("#mode", Select).value = "bm25"
        await ask(pilot, SEED_QUESTION)
        answer = app.main.answer_pane.answer
        assert answer is not None and answer.mode == "bm25"
        assert "BM25" in app.main.answer_pane.summary
        # `m` cycles bm25 -> dense and re-asks the question on screen
        app.main.query_one("#citations", CitationBoard).focus()
        await pilot.press("m")
        await settle(pilot)
        answer = app.main.answer_pane.answer
        assert answer is not None and answer.mode == "dense"


async def test_date_filter_reaches_the_archive(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape", "f", "tab")  # leave the question box; source, then since
        assert app.focused is not None and app.focused.id == "since"
        await pilot.press(*"2000-01-01")
        await ask(pilot, SEED_QUESTION)
        query = app.main.query_shown
        assert query is not None and query.since == date(2000, 1, 1)
        # the seed articles carry no date, so a date filter leaves nothing
        assert app.main.answer_pane.state == "unanswered"
        assert rows(app.main.sources) == []


async def test_history_is_one_key_away(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, SEED_QUESTION)
        await ask(pilot, UNANSWERABLE)
        box = app.main.question_box
        box.value = "draft"
        box.focus()
        await pilot.press("up")
        assert box.value == UNANSWERABLE
        await pilot.press("up")
        assert box.value == SEED_QUESTION
        await pilot.press("up")
        assert box.value == SEED_QUESTION, "the oldest question stays"
        await pilot.press("down", "down")
        assert box.value == "draft", "past the newest, the draft comes back"
        assert box.history == (SEED_QUESTION, UNANSWERABLE)


async def test_keys_screen_and_palette(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.main.query_one("#citations", CitationBoard).focus()
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "KeysScreen"
        await pilot.press("escape")
        assert app.screen is app.main
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Ask a question", "Mode: BM25", "Mode: dense", "Mode: hybrid", "Clear filters", "Show keys"} <= titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"
        await pilot.press("escape")


async def test_tab_cycles_and_escape_goes_back(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, SEED_QUESTION)
        seen = []
        for _ in range(8):
            await pilot.press("tab")
            seen.append(app.focused.id if app.focused else None)
        assert {"source", "since", "until", "mode", "citations", "hits", "question"} <= set(seen)
        app.main.query_one("#hits", ResultList).focus()
        await pilot.press("escape")
        assert app.main.question_box.has_focus


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_layout_adapts(seeds_app: MakeApp, size: tuple[int, int]) -> None:
    app = seeds_app()
    async with app.run_test(size=size) as pilot:
        await ask(pilot, SEED_QUESTION)
        answer = app.main.answer_pane.region
        sources = app.main.query_one("#sources").region
        assert answer.height >= 5 and sources.height >= 4
        if size[0] < 100:
            assert app.screen.has_class("-narrow") and sources.y > answer.y, "stacked"
        else:
            assert app.screen.has_class("-wide") and sources.x > answer.x, "side by side"


async def test_quit_key(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.main.query_one("#citations", CitationBoard).focus()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert app_of(pilot) is app
