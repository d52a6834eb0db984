"""Output that needs no rich where rich would print plain text anyway (~0.06-0.09 s of importing it).

A scripted `archive update` (cron, a file watcher) writes to a pipe or a file: no terminal, so
rich would add no style. `maybe_terminal` tells that case apart exactly as rich does for the
usual settings, and `report_lines` is the one wording of a build report for both printers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

from archive.models import BuildReport


def maybe_terminal(stream: TextIO) -> bool:
    """False only where rich would find no terminal either: `stream` is no TTY and neither
    TTY_COMPATIBLE nor FORCE_COLOR is set (with either, rich decides)."""
    if os.environ.get("TTY_COMPATIBLE") or os.environ.get("FORCE_COLOR") is not None:
        return True
    try:
        return stream.isatty()
    except (ValueError, AttributeError):  # closed, or no file at all
        return False


def report_lines(report: BuildReport, index_dir: Path) -> list[tuple[str, str, str]]:
    """A build report as (label, colour, text) lines; the label ("" for none) is shown in the colour."""
    lines = [
        (
            "",
            "",
            f"Indexed {report.articles} articles, {report.passages} passages, {report.sentences} sentences "
            f"into {index_dir} in {report.seconds:.1f} s (embedding {report.embed_seconds:.1f} s).",
        ),
        (
            "",
            "",
            f"added {len(report.added)}, changed {len(report.changed)}, removed {len(report.removed)}, "
            f"unchanged {report.unchanged}",
        ),
    ]
    for duplicate in report.duplicates:
        lines.append(
            ("duplicate:", "yellow", f"{duplicate.path} has the same text as {duplicate.same_as}; indexed once")
        )
    lines.extend(("warning:", "yellow", str(problem)) for problem in report.warnings)
    lines.extend(("not indexed:", "red", str(problem)) for problem in report.failed)
    return lines


def print_report(report: BuildReport, index_dir: Path) -> None:
    """The report as plain lines on stdout (what rich prints when stdout is no terminal)."""
    for label, _, text in report_lines(report, index_dir):
        print(f"{label} {text}" if label else text)
