"""Save an SVG screenshot of the app answering a question, for the README.

    python -m tui.screenshot docs/answer.svg
    python -m tui.screenshot OUT.svg --question "..." --size 100x30 --index .archive/index --reader

Runs the app headless on the index (built from the seeds if there is none), waits for
the embedding model, asks the question, and saves the screen as it then looks.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from textual.pilot import Pilot

from archive.paths import SEED_QUESTION
from archive.settings import Settings
from tui.app import ArchiveApp, make_app

WAIT_STEP = 0.05
WAIT_LIMIT = 600.0


async def _wait(pilot: Pilot[object], app: ArchiveApp, ready: str) -> None:
    waited = 0.0
    while not _done(app, ready):
        if waited > WAIT_LIMIT:
            raise TimeoutError(f"the app was not {ready} after {WAIT_LIMIT:.0f} s")
        await pilot.pause(WAIT_STEP)
        waited += WAIT_STEP
    await app.workers.wait_for_complete()
    await pilot.pause()


def _done(app: ArchiveApp, ready: str) -> bool:
    if app.index_problem is not None:
        return True
    if ready == "open":
        return app.info is not None and (app.model_ready or app.model_problem is not None)
    answered = app.main.answer_pane.state not in ("welcome", "busy")
    return answered and all(worker.is_finished for worker in app.workers)


def shoot(out: Path, question: str, size: tuple[int, int], settings: Settings, reader: bool = False) -> Path:
    """Run the app headless, ask `question`, and save the screen to `out`; the path written."""
    # A fresh state folder: the user's saved theme and history must not change the picture.
    fresh = tempfile.mkdtemp(prefix="archive-shot-state-")
    app = make_app(settings=replace(settings, state_dir=fresh), stable=True)

    async def auto_pilot(pilot: Pilot[object]) -> None:
        await _wait(pilot, app, "open")
        app.main.question_box.value = question
        await pilot.press("enter")
        await _wait(pilot, app, "idle")
        if reader and app.main.answer_pane.targets:
            app.main.query_one("#citations").focus()
            await pilot.press("o")
            await _wait(pilot, app, "idle")
        app.save_screenshot(filename=out.name, path=str(out.parent))
        app.exit(0)

    app.run(headless=True, size=size, auto_pilot=auto_pilot)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.screenshot", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the SVG file to write")
    parser.add_argument("--question", default=SEED_QUESTION)
    parser.add_argument("--size", default="100x30", help="terminal size as COLUMNSxROWS (default 100x30)")
    parser.add_argument("--index", type=Path, help="index folder (default: $ARCHIVE_INDEX_DIR or ./.archive/index)")
    parser.add_argument("--reader", action="store_true", help="open the first citation in the reader first")
    args = parser.parse_args(argv)
    try:
        columns, rows = (int(part) for part in args.size.lower().split("x"))
    except ValueError:
        parser.error(f"--size {args.size!r} is not COLUMNSxROWS")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    written = shoot(args.out, args.question, (columns, rows), Settings.from_env(index_dir=args.index), args.reader)
    print(written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
