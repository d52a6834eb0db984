"""The status line: what the index holds on the left, what the app is doing on the right."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from archive.models import IndexInfo


def describe_index(info: IndexInfo, with_time: bool = True) -> str:
    """'2 articles · 40 passages · built 2025-01-14 10:43' (the time left out when asked)."""
    parts = [f"{info.articles:,} article{'s' if info.articles != 1 else ''}", f"{info.passages:,} passages"]
    if with_time and info.built_at:
        parts.append("built " + info.built_at.replace("T", " ")[:16])
    return " · ".join(parts)


class StatusLine(Horizontal):
    """Two parts: the index description and the current activity."""

    def compose(self) -> ComposeResult:
        yield Static("Opening the index…", id="status-index")
        yield Static("", id="status-activity")

    @property
    def activity(self) -> str:
        return str(self.query_one("#status-activity", Static).content)

    @property
    def index_text(self) -> str:
        return str(self.query_one("#status-index", Static).content)

    def set_index(self, description: str) -> None:
        self.query_one("#status-index", Static).update(description)

    def set_activity(self, description: str) -> None:
        self.query_one("#status-activity", Static).update(description)
