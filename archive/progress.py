"""A rich progress bar on stderr that fits the builder's `(stage, done, total)` callback."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from archive.models import Progress as ProgressCallback
from archive.plain import maybe_terminal
from index.records import no_progress


@contextlib.contextmanager
def progress_bar(title: str, quiet: bool = False) -> Iterator[ProgressCallback]:
    """Yield a callback that shows one bar per build stage; silent when `quiet` or stderr is not a terminal."""
    if quiet or not maybe_terminal(sys.stderr):
        # Silent anyway: a scripted run (cron, a file watcher) does not import rich (~0.06 s).
        yield no_progress
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    columns = (
        TextColumn(f"{title}: [bold]{{task.description}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True, disable=quiet or not console.is_terminal) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update
