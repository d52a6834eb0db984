"""Pilot helpers shared by the TUI tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from textual.content import Content
from textual.pilot import Pilot

from archive.api import Archive
from archive.errors import ArticleNotFoundError
from archive.models import Answer, Claim
from tui.app import ArchiveApp
from tui.widgets.board import CitationBoard
from tui.widgets.results import ResultList

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


def rows(results: ResultList | CitationBoard) -> list[str]:
    """The plain text of each row of a result list, or of each visible card of the citation board."""
    if isinstance(results, CitationBoard):
        return results.texts
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


class RegroupedArchive(GatedArchive):
    """Answers as the real archive does, then regroups the citations with no conflict: the first
    three make one claim, told by two named outlets and one unknown; the first is reprinted twice
    and the second mentions a date. (The seeds hold no such agreement, so a test makes one.)"""

    def ask(self, question: str, **options: Any) -> Answer:
        answer = super().ask(question, **options)
        if not answer.answered:
            return answer
        count = len(answer.citations)
        joined = tuple(range(min(3, count)))
        claims = (Claim(joined), *(Claim((i,)) for i in range(len(joined), count)))
        citations = tuple(
            replace(
                citation,
                claim=0 if i in joined else i - len(joined) + 1,
                values=(),
                source=OUTLETS.get(i, ""),
                copies=REPRINTS if i == 0 else (),
                mentioned_dates=(MENTIONED,) if i == 1 else (),
            )
            for i, citation in enumerate(answer.citations)
        )
        return replace(answer, citations=citations, claims=claims, conflict=False, dated=DATED)


OUTLETS = {1: "Wire A", 2: "Daily B"}
REPRINTS = ("reprint-a", "reprint-b")
MENTIONED = date(2025, 3, 11)
DATED = "Sources dated 2025-03-11 to 2025-03-13; 1 undated."
