"""The filter bar: outlet, date range and retrieval mode, all reachable with Tab."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Select

from archive.models import SEARCH_MODES, SearchMode
from tui import text

MODE_LABELS: dict[SearchMode, str] = {"hybrid": "hybrid", "bm25": "BM25", "dense": "dense"}


@dataclass(frozen=True)
class Filters:
    """The filters as the archive takes them; None means no filter."""

    source: str | None = None
    since: date | None = None
    until: date | None = None
    mode: SearchMode = "hybrid"


class FilterBar(Horizontal):
    """Compact inputs for source, since and until, and a mode picker."""

    @dataclass
    class Changed(Message):
        """A filter was committed (Enter in an input, or a new mode)."""

        bar: FilterBar

    def compose(self) -> ComposeResult:
        yield Label("source", classes="filter-label")
        yield Input(placeholder="any outlet", id="source", compact=True)
        yield Label("since", classes="filter-label")
        yield Input(placeholder="YYYY-MM-DD", id="since", compact=True, max_length=10)
        yield Label("until", classes="filter-label")
        yield Input(placeholder="YYYY-MM-DD", id="until", compact=True, max_length=10)
        yield Label("mode", classes="filter-label")
        options = [(MODE_LABELS[mode], mode) for mode in SEARCH_MODES]
        yield Select[SearchMode](options, value="hybrid", allow_blank=False, id="mode", compact=True)

    def set_sources(self, sources: Sequence[str]) -> None:
        """Offer the index's outlets as completions in the source box."""
        self.query_one("#source", Input).suggester = SuggestFromList(sources, case_sensitive=False)

    def read(self) -> Filters:
        """The current filters; ValueError with a message for people when a date is malformed."""
        source = self.query_one("#source", Input).value.strip() or None
        since = text.parse_day(self.query_one("#since", Input).value, "since")
        until = text.parse_day(self.query_one("#until", Input).value, "until")
        return Filters(source, since, until, self.mode)

    @property
    def mode(self) -> SearchMode:
        value = self.query_one("#mode", Select).value
        return next((mode for mode in SEARCH_MODES if mode == value), "hybrid")

    def set_filters(
        self,
        source: str | None = None,
        since: date | None = None,
        until: date | None = None,
        mode: SearchMode | None = None,
    ) -> None:
        """Set filters from code (tests, the command palette); None leaves a filter as it is."""
        if source is not None:
            self.query_one("#source", Input).value = source
        if since is not None:
            self.query_one("#since", Input).value = since.isoformat()
        if until is not None:
            self.query_one("#until", Input).value = until.isoformat()
        if mode is not None:
            self.query_one("#mode", Select).value = mode

    def clear(self) -> None:
        """Remove the source and date filters and go back to hybrid."""
        for name in ("source", "since", "until"):
            self.query_one(f"#{name}", Input).value = ""
        self.query_one("#mode", Select).value = "hybrid"

    def cycle_mode(self) -> SearchMode:
        """Switch to the next retrieval mode and return it."""
        modes = list(SEARCH_MODES)
        following = modes[(modes.index(self.mode) + 1) % len(modes)]
        self.query_one("#mode", Select).value = following
        return following

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Changed(self))

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self))
