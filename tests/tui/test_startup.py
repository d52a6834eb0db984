"""First start with no index: the window is usable at once while the seeds are indexed."""

from __future__ import annotations

import inspect
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from textual.message import Message

from archive.api import Archive
from archive.settings import Settings
from tests.support import SEED_ANSWER, SEED_QUESTION
from tests.support.tui_helpers import SIZE, ask, settle, until
from tui import app as tui_app
from tui.messages import BuildProgress, IndexOpened

pytestmark = pytest.mark.anyio

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.mark.slow
async def test_first_start_builds_the_seeds_index_with_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings.from_env(environ={}, index_dir=tmp_path / "index", seeds_dir=SEEDS)
    messages: list[Message] = []
    # The real build, held at its start until the window has been checked: with the model warm
    # and the embedding cache full, two seed articles can be indexed before the first frame.
    checked = threading.Event()
    real_open_or_build = Archive.open_or_build

    def held_open_or_build(*args: Any, **kwargs: Any) -> Archive:
        assert checked.wait(60), "the window was never checked"
        return real_open_or_build(*args, **kwargs)

    monkeypatch.setattr(Archive, "open_or_build", held_open_or_build)
    started = time.perf_counter()
    app = tui_app.make_app(settings=settings, stable=True)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        try:
            await pilot.pause()
            usable = time.perf_counter() - started
            assert app.main.question_box.has_focus, "the window is usable at once"
            assert app.archive is None and app.info is None, "usable while the index is still being built"
            app.main.question_box.value = "still typing"
            assert usable < 5.0, f"window took {usable:.1f} s"
        finally:
            checked.set()  # a failed check must not leave the build waiting after the test
        await until(pilot, lambda: app.info is not None, timeout=300)
        assert any(isinstance(m, BuildProgress) for m in messages), "build progress was shown"
        assert any(isinstance(m, IndexOpened) for m in messages)
        assert (tmp_path / "index").is_dir()
        await ask(pilot, SEED_QUESTION)
        await settle(pilot)
        answer = app.main.answer_pane.answer
        assert answer is not None and any(SEED_ANSWER in c.sentence for c in answer.citations)


def test_run_app_is_what_the_cli_calls() -> None:
    parameters = list(inspect.signature(tui_app.run_app).parameters)
    assert parameters == ["settings", "watch_folders", "build"]  # as archive.commands.run_tui calls it
