"""Snapshots of the main states at a fixed size (regenerate with `pytest --snapshot-update`).

The apps run `stable`: no clock readings on screen and no blinking cursor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

import pytest
from textual.pilot import Pilot

from archive.api import Archive
from tests.support import SEED_QUESTION
from tests.support.tui_helpers import SIZE, UNANSWERABLE, RegroupedArchive, ask, settle
from tui.app import ArchiveApp, make_app
from tui.widgets.board import CitationBoard

MakeApp = Callable[..., ArchiveApp]
Compare = Callable[..., bool]
RunBefore = Callable[[Pilot[Any]], Awaitable[None]]


def asking(question: str, then: RunBefore | None = None) -> RunBefore:
    async def run_before(pilot: Pilot[Any]) -> None:
        await ask(pilot, question)
        if then is not None:
            await then(pilot)
        await settle(pilot)

    return run_before


async def open_first_citation(pilot: Pilot[Any]) -> None:
    pilot.app.query_one("#citations", CitationBoard).focus()
    await pilot.press("o")
    await settle(pilot)


async def just_settle(pilot: Pilot[Any]) -> None:
    await settle(pilot)


def test_empty(snap_compare: Compare, seeds_app: MakeApp) -> None:
    assert snap_compare(seeds_app(), terminal_size=SIZE, run_before=just_settle)


def test_answer(snap_compare: Compare, seeds_app: MakeApp) -> None:
    assert snap_compare(seeds_app(), terminal_size=SIZE, run_before=asking(SEED_QUESTION))


def test_reader(snap_compare: Compare, seeds_app: MakeApp) -> None:
    assert snap_compare(seeds_app(), terminal_size=SIZE, run_before=asking(SEED_QUESTION, open_first_citation))


def test_no_answer(snap_compare: Compare, seeds_app: MakeApp) -> None:
    assert snap_compare(seeds_app(), terminal_size=SIZE, run_before=asking(UNANSWERABLE))


def test_error_empty_question(snap_compare: Compare, seeds_app: MakeApp) -> None:
    assert snap_compare(seeds_app(), terminal_size=SIZE, run_before=asking(""))


def test_answer_small_terminal(snap_compare: Compare, seeds_app: MakeApp) -> None:
    assert snap_compare(seeds_app(), terminal_size=(80, 24), run_before=asking(SEED_QUESTION))


@pytest.mark.parametrize("theme", ["textual-light"])
def test_answer_light_theme(snap_compare: Compare, seeds_app: MakeApp, theme: str) -> None:
    app = seeds_app()
    app.theme = theme
    assert snap_compare(app, terminal_size=SIZE, run_before=asking(SEED_QUESTION))


def test_conflict(snap_compare: Compare, seeds_app: MakeApp) -> None:
    """The seed question's sources disagree (5 or 6): a header and the two sides in columns,
    the cursor moved across to the second column."""

    async def across(pilot: Pilot[Any]) -> None:
        pilot.app.query_one("#citations", CitationBoard).focus()
        await pilot.press("l")

    assert snap_compare(seeds_app(), terminal_size=(120, 34), run_before=asking(SEED_QUESTION, across))


def test_claim_groups(snap_compare: Compare, seeds_archive: Archive) -> None:
    """Agreeing sentences in one group naming every source, a reprint, a mentioned date; folded."""
    app = make_app(archive=cast(Archive, RegroupedArchive(seeds_archive)), stable=True)

    async def fold(pilot: Pilot[Any]) -> None:
        pilot.app.query_one("#citations", CitationBoard).focus()
        await pilot.press("space")

    assert snap_compare(app, terminal_size=SIZE, run_before=asking(SEED_QUESTION, fold))


def test_keys(snap_compare: Compare, seeds_app: MakeApp) -> None:
    async def show_keys(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("escape", "question_mark")

    assert snap_compare(seeds_app(), terminal_size=SIZE, run_before=show_keys)
