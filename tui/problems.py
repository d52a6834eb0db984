"""Turning exceptions into problems people can read: never a traceback on screen."""

from __future__ import annotations

from archive.errors import ArchiveError
from tui.messages import Problem

UNEXPECTED = "Unexpected error"


def problem_from(exc: BaseException) -> Problem:
    """An ArchiveError keeps its own heading and message; anything else is named and summarised."""
    if isinstance(exc, ArchiveError):
        return Problem(exc.title, str(exc))
    detail = str(exc).strip() or "no details"
    return Problem(
        UNEXPECTED,
        f"{type(exc).__name__}: {detail}. The app keeps working; please report this if it happens again.",
    )
