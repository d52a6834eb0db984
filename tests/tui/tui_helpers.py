"""Pilot helpers shared by the TUI tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from textual.content import Content
from textual.pilot import Pilot

from archive.api import Archive
from archive.errors import ArticleNotFoundError
from archive.models import Answer
from tui.app import ArchiveApp
from tui.widgets.results import ResultList

SEED_QUESTION = "How many Lebanese detainees did Israel agree to release?"
SEED_ANSWER = "five Lebanese detainees"
UNANSWERABLE = "What is the boiling point of liquid nitrogen?"
SIZE = (100, 30)
GATE_TIMEOUT = 30.0
WAIT_TIMEOUT = 30.0


def app_of(pilot: Pilot[int]) -> ArchiveApp:
    assert isinstance(pilot.app, ArchiveApp)
    return pilot.app


async def settle(pilot: Pilot[int]) -> None:
    """Wait for every worker, then for the messages they posted to be handled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot: Pilot[int], condition: Callable[[], bool], timeout: float = WAIT_TIMEOUT) -> None:
    """Let the app run until `condition()` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.02)


async def ask(pilot: Pilot[int], question: str, typed: bool = False, wait: bool = True) -> None:
    """Put `question` in the question box (typed key by key when `typed`), press Enter, and
    wait for every worker unless `wait` is False."""
    app = app_of(pilot)
    if wait:
        await settle(pilot)
    await pilot.press("ctrl+l")
    app.main.question_box.value = ""
    if typed:
        await pilot.press(*question)
    else:
        app.main.question_box.value = question
    await pilot.press("enter")
    if wait:
        await settle(pilot)


def rows(results: ResultList) -> list[str]:
    """The plain text of each row of a result list."""
    texts = []
    for option in results.options:
        prompt = option.prompt
        texts.append(prompt.plain if isinstance(prompt, Content) else str(prompt))
    return texts


class GatedArchive:
    """Delegates to a real archive, but a test can hold back the model or one question,
    make articles vanish or go stale, and see what was asked."""

    def __init__(self, archive: Archive, model_ready: bool = True) -> None:
        self._archive = archive
        self._model_ready = model_ready
        self.model_gate = threading.Event()
        self.ask_gates: dict[str, threading.Event] = {}
        self.asked: list[tuple[str, str]] = []  # (question, mode) in call order
        self.missing: set[str] = set()
        self.stale: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._archive, name)

    @property
    def model_ready(self) -> bool:
        return self._model_ready

    def load_model(self) -> None:
        self.model_gate.wait(GATE_TIMEOUT)
        self._model_ready = True

    def ask(self, question: str, **options: Any) -> Answer:
        self.asked.append((question, options.get("mode", "hybrid")))
        gate = self.ask_gates.get(question)
        if gate is not None:
            gate.wait(GATE_TIMEOUT)
        return self._archive.ask(question, **options)

    def article(self, article_id: str) -> Any:
        if article_id in self.missing:
            raise ArticleNotFoundError(f"No article with id {article_id!r} in this index.")
        return self._archive.article(article_id)

    def is_stale(self, article_id: str) -> bool:
        return article_id in self.stale or self._archive.is_stale(article_id)

    def close(self) -> None:  # never close the shared archive
        raise AssertionError("the app closed an archive it was given")
