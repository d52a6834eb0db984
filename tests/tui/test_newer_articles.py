"""The app notices a newer generation (made elsewhere, or by its own watcher), says what arrived, answers from it."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from archive.api import Archive
from archive.settings import Settings
from index.embedder import Embedder
from tests.support import SEEDS
from tests.support.tui_helpers import SIZE, ask, until
from tui.app import arrived, make_app

pytestmark = pytest.mark.anyio

FERRY = (
    "---\ntitle: Ferry service resumes\nsource: Harbour Gazette\ndate: 2025-03-11\n---\n"
    "The harbour ferry carried 412 passengers on its first day back.\n"
)
QUESTION = "How many passengers did the harbour ferry carry on its first day back?"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_arrived_counts_the_new_articles(seeds_archive: Archive) -> None:
    info = seeds_archive.info()
    more = type(info)(**{**info.__dict__, "articles": info.articles + 3})
    assert arrived(info, more) == "3 newer articles arrived"
    assert arrived(more, info) == "The index was updated"


async def test_an_update_from_elsewhere_is_shown_and_answered_from(
    tmp_path: Path, embedder: Embedder, settings: Settings
) -> None:
    folder = tmp_path / "news"
    shutil.copytree(SEEDS, folder)
    archive = Archive.build([folder], index_dir=tmp_path / "index", settings=settings, embedder=embedder)
    app = make_app(archive=archive, stable=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.info is not None)
        assert "2 articles" in app.main.status.index_text
        (folder / "ferry.md").write_text(FERRY, encoding="utf-8")
        other = Archive.open(tmp_path / "index", settings=settings, embedder=embedder)  # as another process would
        await asyncio.to_thread(other.update, [folder])
        await until(pilot, lambda: "1 newer article arrived" in app.main.status.activity, timeout=20)
        assert "3 articles" in app.main.status.index_text
        await ask(pilot, QUESTION)
        answer = app.main.answer_pane.answer
        assert answer is not None and answer.citations[0].source == "Harbour Gazette"
    other.close()
    archive.close()


async def test_the_app_watches_the_folders_it_was_started_on(
    tmp_path: Path, embedder: Embedder, settings: Settings
) -> None:
    folder = tmp_path / "news"
    shutil.copytree(SEEDS, folder)
    archive = Archive.build([folder], index_dir=tmp_path / "index", settings=settings, embedder=embedder)
    app = make_app(archive=archive, stable=True, watch_folders=[folder])
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.info is not None)
        await pilot.pause(1.0)
        (folder / "ferry.md").write_text(FERRY, encoding="utf-8")
        await until(pilot, lambda: "1 newer article arrived" in app.main.status.activity, timeout=60)
        assert "3 articles" in app.main.status.index_text
    archive.close()
