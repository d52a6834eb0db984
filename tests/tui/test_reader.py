"""The reader: the cited sentence highlighted and in view, other citations marked, n / p, Esc."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import pytest
from textual.widgets import Static

from archive.api import Archive
from tests.support import SEED_ANSWER, SEED_QUESTION
from tests.support.tui_helpers import SIZE, GatedArchive, ask, settle
from tui.app import ArchiveApp, make_app
from tui.screens.reader import ReaderScreen
from tui.widgets.board import CitationBoard
from tui.widgets.results import ResultList

pytestmark = pytest.mark.anyio

MakeApp = Callable[..., ArchiveApp]


def reader_of(app: ArchiveApp) -> ReaderScreen:
    assert isinstance(app.screen, ReaderScreen), f"the reader is not open: {app.screen!r}"
    return app.screen


async def test_reader_highlights_exactly_the_cited_sentence(seeds_app: MakeApp, seeds_archive: Archive) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, SEED_QUESTION)
        answer = app.main.answer_pane.answer
        assert answer is not None
        number = next(i for i, c in enumerate(answer.citations) if SEED_ANSWER in c.sentence)
        citation = answer.citations[number]
        app.main.query_one("#citations", CitationBoard).focus()
        await pilot.press(*["j"] * number, "o")
        await settle(pilot)

        view = reader_of(app).view
        assert view.highlight == (citation.start, citation.end)
        assert view.highlighted_text == citation.sentence
        assert SEED_ANSWER in view.highlighted_text
        article = seeds_archive.article(citation.article_id)
        assert article.text[citation.start : citation.end] == view.highlighted_text
        others = {(c.start, c.end) for c in answer.citations if c.article_id == citation.article_id} - {view.highlight}
        assert set(view.marks) == others, "the other cited sentences of the article are marked"
        assert article.title in str(app.screen.query_one("#reader-title", Static).content)


async def test_highlighted_sentence_is_scrolled_into_view(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(pilot, SEED_QUESTION)
        app.main.query_one("#citations", CitationBoard).focus()
        await pilot.press("enter")
        await settle(pilot)
        view = reader_of(app).view
        assert view.highlight is not None
        paragraph = next(w for (start, end), w in view._paragraphs if start <= view.highlight[0] < end)
        assert view.region.intersection(paragraph.region).area > 0, "the highlighted paragraph is on screen"


async def test_next_and_previous_citation_then_back(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, SEED_QUESTION)
        answer = app.main.answer_pane.answer
        assert answer is not None and len(answer.citations) >= 2
        spans = [(c.start, c.end) for c in answer.citations]
        app.main.query_one("#citations", CitationBoard).focus()
        await pilot.press("o")
        await settle(pilot)
        reader = reader_of(app)
        assert reader.view.highlight == spans[0]
        await pilot.press("n")
        await settle(pilot)
        assert reader.view.highlight == spans[1]
        assert "Citation 2 of" in str(reader.query_one("#reader-position", Static).content)
        await pilot.press("p")
        await settle(pilot)
        assert reader.view.highlight == spans[0]
        await pilot.press("escape")
        assert app.screen is app.main
        assert app.main.answer_pane.state == "answered", "the answer is still there"


async def test_opening_a_hit_highlights_the_passage(seeds_app: MakeApp) -> None:
    app = seeds_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, SEED_QUESTION)
        answer = app.main.answer_pane.answer
        assert answer is not None
        sources = app.main.query_one("#hits", ResultList)
        await pilot.click(sources, offset=(4, 1))  # the mouse works too
        await settle(pilot)
        view = reader_of(app).view
        hit = answer.hits[0]
        assert view.highlight == (hit.start, hit.end)
        assert view.highlighted_text == hit.text
        assert "Passage 1 of" in str(app.screen.query_one("#reader-position", Static).content)


async def test_vanished_article_gets_a_message(gated: GatedArchive) -> None:
    app = make_app(archive=cast(Archive, gated), stable=True)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, SEED_QUESTION)
        answer = app.main.answer_pane.answer
        assert answer is not None
        gated.missing.add(answer.citations[0].article_id)
        app.main.query_one("#citations", CitationBoard).focus()
        await pilot.press("o")
        await settle(pilot)
        reader = reader_of(app)
        notice = str(reader.query_one("#reader-notice", Static).content)
        assert "Article not found" in notice and "no longer in the index" in notice
        assert reader.view.highlight is None
        await pilot.press("escape")
        assert app.screen is app.main
        gated.missing.clear()
        await ask(pilot, SEED_QUESTION)
        assert app.main.answer_pane.state == "answered"


async def test_stale_article_is_flagged(gated: GatedArchive) -> None:
    app = make_app(archive=cast(Archive, gated), stable=True)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, SEED_QUESTION)
        answer = app.main.answer_pane.answer
        assert answer is not None
        gated.stale.add(answer.citations[0].article_id)
        app.main.query_one("#citations", CitationBoard).focus()
        await pilot.press("o")
        await settle(pilot)
        reader = reader_of(app)
        assert "changed or vanished" in str(reader.query_one("#reader-notice", Static).content)
        assert reader.view.highlighted_text == answer.citations[0].sentence, "the indexed text is still shown"
