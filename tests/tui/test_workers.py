"""Workers: BM25 while the model loads then a refresh, and stale answers never shown."""

from __future__ import annotations

import threading
from typing import cast

import pytest
from textual.pilot import Pilot

from archive.api import Archive
from archive.errors import ModelError
from tests.support import SEED_QUESTION
from tests.support.tui_helpers import SIZE, UNANSWERABLE, GatedArchive, ask, settle, until
from tui.app import ArchiveApp, make_app

pytestmark = pytest.mark.anyio


async def test_question_before_the_model_is_ready_uses_bm25_then_refreshes(seeds_archive: Archive) -> None:
    gated = GatedArchive(seeds_archive, model_ready=False)
    app = make_app(archive=cast(Archive, gated), stable=True)
    async with app.run_test(size=SIZE) as pilot:
        try:
            await _bm25_then_refresh(pilot, app, gated)
        finally:
            gated.model_gate.set()  # never leave the model worker waiting


async def _bm25_then_refresh(pilot: Pilot[int], app: ArchiveApp, gated: GatedArchive) -> None:
    await until(pilot, lambda: app.info is not None)
    assert "loading the embedding model" in app.main.status.activity
    await ask(pilot, SEED_QUESTION, wait=False)
    pane = app.main.answer_pane
    await until(pilot, lambda: pane.answer is not None)
    assert gated.asked == [(SEED_QUESTION, "bm25")]
    assert pane.answer is not None and pane.answer.mode == "bm25"
    assert "BM25 only" in pane.summary
    assert app.main.query_shown is not None and app.main.query_shown.fell_back

    gated.model_gate.set()
    await until(pilot, lambda: pane.answer is not None and pane.answer.mode == "hybrid")
    assert gated.asked[-1] == (SEED_QUESTION, "hybrid")
    assert "BM25 only" not in pane.summary
    assert pane.state == "answered"
    await settle(pilot)


async def test_a_stale_answer_never_replaces_a_newer_one(gated: GatedArchive) -> None:
    slow = threading.Event()
    gated.ask_gates[UNANSWERABLE] = slow
    app = make_app(archive=cast(Archive, gated), stable=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, UNANSWERABLE, wait=False)
        await until(pilot, lambda: len(gated.asked) == 1)
        # the window stays responsive while the slow question runs
        box = app.main.question_box
        box.value = ""
        await pilot.press(*"typing")
        assert box.value == "typing"
        await ask(pilot, SEED_QUESTION, wait=False)
        pane = app.main.answer_pane
        await until(pilot, lambda: pane.answer is not None)
        assert pane.answer is not None and pane.answer.question == SEED_QUESTION
        slow.set()
        await settle(pilot)
        assert pane.answer.question == SEED_QUESTION, "the older answer was dropped"
        assert pane.state == "answered"
        assert [question for question, _ in gated.asked] == [UNANSWERABLE, SEED_QUESTION]


async def test_a_question_asked_while_the_index_opens_is_answered_when_it_is_open(
    seeds_archive: Archive,
) -> None:
    app = make_app(archive=seeds_archive, stable=True)
    async with app.run_test(size=SIZE) as pilot:
        app.main.question_box.value = SEED_QUESTION
        await pilot.press("enter")  # possibly before the index-opened message is handled
        await settle(pilot)
        assert app.main.answer_pane.state == "answered"


class NoModelArchive(GatedArchive):
    def load_model(self) -> None:
        raise ModelError("Embedding model folder /nowhere does not exist.")


async def test_a_model_that_cannot_load_leaves_bm25_working(seeds_archive: Archive) -> None:
    archive = NoModelArchive(seeds_archive, model_ready=False)
    app = make_app(archive=cast(Archive, archive), stable=True)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, SEED_QUESTION)
        assert app.model_problem is not None and app.model_problem.title == ModelError.title
        assert "BM25 only" in app.main.status.activity
        pane = app.main.answer_pane
        assert pane.state == "answered" and pane.answer is not None and pane.answer.mode == "bm25"
        assert "BM25 only: the embedding model is unavailable" in pane.summary
        assert archive.asked == [(SEED_QUESTION, "bm25")]
