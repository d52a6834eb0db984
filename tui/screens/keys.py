"""The keymap, as data, and a modal screen that shows it (`?`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

KEYMAP: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Anywhere",
        (
            ("/  ctrl+l", "focus the question box"),
            ("Tab  shift+Tab", "next / previous pane or filter"),
            ("f", "focus the filters"),
            ("m", "next mode: hybrid, BM25, dense"),
            ("ctrl+p", "command palette (all actions)"),
            ("?", "show or hide these keys"),
            ("q  ctrl+q", "quit"),
        ),
    ),
    (
        "Question box",
        (
            ("Enter", "ask"),
            ("↑  ↓", "earlier / later questions"),
            ("Esc", "go to the answer"),
        ),
    ),
    (
        "Answer and sources",
        (
            ("j  k  ↑  ↓", "move"),
            ("h  l  ←  →", "previous / next claim or column"),
            ("space", "fold / unfold a claim's sentences"),
            ("o  Enter  click", "open in the reader"),
            ("1 … 9", "open citation [n]"),
            ("y", "copy the citation (sentence, title, outlet, date, id)"),
            ("e", "save the answer as Markdown"),
            ("u", "open the article's URL in the browser"),
            ("Esc", "back to the question box"),
        ),
    ),
    (
        "Reader",
        (
            ("n  ]", "next citation"),
            ("p  [", "previous citation"),
            ("j  k  ↑  ↓  space", "scroll"),
            ("y  u", "copy the citation / open its URL"),
            ("Esc", "back to the answer"),
        ),
    ),
)


def group_content(group: str, rows: tuple[tuple[str, str], ...]) -> Content:
    """One group of the keymap: a heading, then a key column and an action column."""
    width = max(len(keys) for keys, _ in rows) + 2
    lines = [Content.styled(group, "bold $text-accent")]
    lines.extend(Content.assemble((keys.ljust(width), "bold"), action) for keys, action in rows)
    return Content("\n").join(lines)


class KeysScreen(ModalScreen[None]):
    """Shows the keymap over the current screen; any of Esc, `?` or `q` closes it. `moved`: the
    user's keymap file (action -> keys), listed after the defaults it overrides."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, moved: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.moved = dict(moved or {})

    def compose(self) -> ComposeResult:
        groups = list(KEYMAP)
        if self.moved:
            groups.append(("Your keymap file", tuple((keys, action) for action, keys in self.moved.items())))
        with VerticalScroll(id="keys-dialog") as dialog:
            dialog.border_title = "Keys"
            dialog.border_subtitle = "Esc closes"
            with Grid(id="keys-grid"):
                for group, rows in groups:
                    yield Static(group_content(group, rows), classes="keys-group")

    def on_click(self) -> None:
        self.dismiss()
