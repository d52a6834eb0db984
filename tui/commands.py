"""The app's own entries in the command palette (ctrl+p), next to Textual's system commands."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.screen import Screen

from tui.screens.reader import ReaderScreen
from tui.widgets.filters import MODE_LABELS

if TYPE_CHECKING:
    from tui.app import ArchiveApp


def app_commands(app: ArchiveApp, screen: Screen[Any]) -> Iterator[SystemCommand]:
    """Every action the keys offer, by name; the reader's only while it is open."""
    main = app.main
    yield SystemCommand("Ask a question", "Focus the question box (/ or ctrl+l)", main.action_focus_question)
    yield SystemCommand("Filters", "Focus the source and date filters (f)", main.action_focus_filters)
    yield SystemCommand("Clear filters", "Remove the source and date filters; back to hybrid", main.filters.clear)
    for mode, label in MODE_LABELS.items():
        yield SystemCommand(f"Mode: {label}", f"Retrieve with {label} (m cycles)", partial(app.set_mode, mode))
    yield SystemCommand("Show keys", "The keymap (?)", app.action_keys)
    dark = app.current_theme.dark
    yield SystemCommand(
        "Light theme" if dark else "Dark theme", "Switch between light and dark", partial(app.set_dark, not dark)
    )
    if isinstance(screen, ReaderScreen):
        yield SystemCommand("Next citation", "Read the next citation (n)", partial(screen.action_move, 1))
        yield SystemCommand("Previous citation", "Read the previous one (p)", partial(screen.action_move, -1))
        yield SystemCommand("Back", "Close the reader (Esc)", app.pop_screen)
