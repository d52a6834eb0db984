"""The question box: an input that remembers the questions asked (earlier runs' too: tui/state.py)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input

PLACEHOLDER = "Ask the archive a question, then Enter  (↑ earlier questions)"


class QuestionBox(Input):
    """Up and down walk through earlier questions; the text being typed is kept as the newest entry."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Earlier question", show=False),
        Binding("down", "history(1)", "Later question", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder=PLACEHOLDER, id=id, select_on_focus=False)
        self._history: list[str] = []
        self._position: int | None = None  # index into history while browsing, else None
        self._draft = ""

    @property
    def history(self) -> tuple[str, ...]:
        """Questions asked so far, oldest first, without immediate repeats."""
        return tuple(self._history)

    def restore(self, questions: list[str]) -> None:
        """Start from questions asked in earlier runs (oldest first), before any is asked here."""
        self._history = []
        for question in questions:
            self.remember(question)

    def remember(self, question: str) -> None:
        """Add `question` to the history (unless it repeats the last one) and stop browsing."""
        question = question.strip()
        if question and (not self._history or self._history[-1] != question):
            self._history.append(question)
        self._position = None

    def action_history(self, step: int) -> None:
        """Show the previous (`step` = -1) or next (+1) question; past the newest, the draft."""
        if not self._history:
            return
        if self._position is None:
            if step > 0:
                return
            self._draft = self.value
            self._position = len(self._history)
        self._position = max(0, min(len(self._history), self._position + step))
        if self._position == len(self._history):
            value, self._position = self._draft, None
        else:
            value = self._history[self._position]
        self.value = value
        self.cursor_position = len(value)
