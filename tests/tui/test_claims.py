"""The answer pane's claims: disagreeing sources side by side, agreeing ones grouped and foldable."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import pytest
from textual.widgets import Static

from archive.api import Archive
from tests.support import SEED_ANSWER, SEED_QUESTION
from tests.support.tui_helpers import DATED, REPRINTS, SIZE, RegroupedArchive, ask, settle
from tui.app import ArchiveApp, make_app
from tui.screens.reader import ReaderScreen
from tui.widgets.board import CitationBoard, ClaimColumn

pytestmark = pytest.mark.anyio

MakeApp = Callable[..., ArchiveApp]
CEASEFIRE = "When did the ceasefire agreement take effect?"
SIX = "six Lebanese"


def board_of(app: ArchiveApp) -> CitationBoard:
    return app.main.query_one("#citations", CitationBoard)


def column_texts(column: ClaimColumn) -> list[str]:
    return [card.plain for card in column.cards]


async def test_seed_question_shows_the_disagreement_side_by_side(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, SEED_QUESTION)
        pane, board = app.main.answer_pane, board_of(app)
        answer = pane.answer
        assert answer is not None and answer.conflict
        assert pane.conflict.startswith("⚠ Sources disagree")
        assert "5 or 6" in pane.conflict
        five, six = board.columns
        assert (five.value, six.value) == ("5", "6")
        assert any(SEED_ANSWER in text for text in column_texts(five))
        assert any(SIX in text for text in column_texts(six))
        assert not any(SIX in text for text in column_texts(five))
        assert five.region.y == six.region.y and five.region.x < six.region.x, "side by side"
        # Two: the sentences that say five. "Netanyahu further stated that the negotiations would include
        # the release of Lebanese detainees ..." (no figure) joined them while passages were embedded
        # under their headline (schema 3); its vector, pooled from the passage alone, no longer does.
        assert five.border_title is not None and str(five.border_title).startswith("5 · 2 sentences")
        # every citation once, numbered as the reader counts them
        assert sorted(board.targets) == list(range(len(answer.citations)))
        for card in board.cards:
            assert card.plain.startswith(f"[{card.target + 1}]")
            assert answer.citations[card.target].sentence in card.plain
        assert pane.dated == answer.dated
        assert pane.dated


async def test_a_question_without_disagreement_has_no_conflict_header(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, CEASEFIRE)
        pane, board = app.main.answer_pane, board_of(app)
        assert pane.state == "answered"
        assert pane.answer is not None and not pane.answer.conflict
        assert pane.conflict == ""
        assert not app.main.query_one("#conflict").display
        assert board.columns == ()
        assert "mentions 27 Nov 2024" in board.texts[0], "the date the sentence names is shown"
        await ask(pilot, SEED_QUESTION)
        assert pane.conflict, "the header comes back for a conflict"
        await ask(pilot, CEASEFIRE)
        assert pane.conflict == "" and board.columns == (), "and goes again"


async def test_keys_walk_the_columns_and_open_by_number(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, SEED_QUESTION)
        board = board_of(app)
        five, six = board.columns
        board.focus()
        assert board.highlighted == 0, "the best citation is under the cursor at once"
        await pilot.press("j")
        assert board.highlighted == five.cards[1].target, "down the first column"
        await pilot.press("l")
        assert board.highlighted == six.cards[0].target, "across to the other side"
        await pilot.press("h", "k")
        assert board.highlighted == five.cards[0].target
        await pilot.press("2")
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.index == 1 and "Citation 2 of" in str(reader.query_one("#reader-position", Static).content)
        assert reader.view.highlighted_text == six.cards[0].plain.splitlines()[-1]
        await pilot.press("escape")
        assert app.screen is app.main


async def test_a_click_on_a_card_opens_it(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, SEED_QUESTION)
        _, six = board_of(app).columns
        await pilot.click(six.cards[0], offset=(2, 1))
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.index == six.cards[0].target


async def test_columns_stack_when_narrow(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=(50, 40)) as pilot:
        await ask(pilot, SEED_QUESTION)
        board = board_of(app)
        assert board.has_class("-stacked")
        five, six = board.columns
        assert five.region.x == six.region.x and six.region.y > five.region.y, "one above the other"


async def test_agreeing_sentences_fold_into_one_group(seeds_archive: Archive) -> None:
    regrouped = RegroupedArchive(seeds_archive)
    app = make_app(archive=cast(Archive, regrouped), stable=True)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, SEED_QUESTION)
        pane, board = app.main.answer_pane, board_of(app)
        assert pane.conflict == "" and board.columns == ()
        assert pane.dated == DATED
        group = board.groups[0]
        assert [card.target for card in group.cards] == [0, 1, 2]
        assert group.head is not None
        head = str(group.head.content)
        assert "3 sentences agree" in head
        assert all(name in head for name in ("Wire A", "Daily B", "outlet unknown")), "every source is named"
        assert "also printed as: " + ", ".join(REPRINTS) in board.texts[0]
        assert "Wire A · mentions 11 Mar 2025" in board.texts[1]
        shown = len(board.texts)

        board.focus()
        await pilot.press("j", "space")  # fold from the second card: the cursor goes to the first
        assert group.collapsed and board.highlighted == 0
        assert len(board.texts) == shown - 2
        assert "2 more folded" in str(group.head.content) and "Daily B" in str(group.head.content)
        await pilot.press("j")
        assert board.highlighted == 3, "folded cards are skipped"

        await pilot.press("2")  # opening a folded citation unfolds its group
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen) and app.screen.index == 1
        await pilot.press("escape")
        assert not group.collapsed

        board.scroll_home(animate=False)
        await pilot.pause()
        await pilot.click(group.head)
        await pilot.pause()
        assert group.collapsed, "a click on the head folds too"
        await pilot.click(group.head)
        await pilot.pause()
        assert not group.collapsed
