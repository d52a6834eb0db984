"""A keyboard-first list of passages, and how a citation or passage reads in a row or card."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from archive.models import Citation, Hit
from tui import text

EMPHASIS = "bold underline $text-accent"
BAR = "$text-success"
MUTED = "$text-muted"


def emphasised(plain: str, stems: Sequence[str]) -> Content:
    """`plain` verbatim, with the words matching `stems` emphasised."""
    content = Content(plain)
    for start, end in text.emphasis_spans(plain, stems):
        content = content.stylize(EMPHASIS, start, end)
    return content


def heading(label: str, score: float, best: float, title: str) -> Content:
    """'[1] ▰▰▰▱▱ 0.82  Title' for one row."""
    return Content.assemble(
        (label, "bold"),
        " ",
        (text.score_bar(score, best), BAR),
        (f" {text.format_score(score)}  ", MUTED),
        (title or "(untitled)", "bold"),
    )


def citation_parts(number: int, citation: Citation, best: float, stems: Sequence[str]) -> list[tuple[Content, str]]:
    """A citation card's lines with their CSS classes: heading; outlet, date and the dates the
    sentence mentions; the sentence verbatim; the articles that reprint it."""
    parts = [(heading(f"[{number}]", citation.score, best, citation.title), "card-head")]
    meta = text.meta_line(citation.source, citation.date)
    mentions = text.mentions_note(citation.mentioned_dates)
    if meta or mentions:
        line = Content.styled(meta, MUTED)
        if mentions:
            line = line.append_text(" · " if meta else "", MUTED).append_text(mentions, f"italic {MUTED}")
        parts.append((line, "card-meta"))
    parts.append((emphasised(citation.sentence, stems), "card-text"))
    if citation.copies:
        parts.append((Content.styled(text.copies_note(citation.copies), f"italic {MUTED}"), "card-copies"))
    return parts


def hit_parts(hit: Hit, best: float, stems: Sequence[str], width: int = 180) -> list[tuple[Content, str]]:
    """A passage card's lines with their CSS classes."""
    return [(hit_prompt(hit, best, stems, width), "card-text")]


def hit_prompt(hit: Hit, best: float, stems: Sequence[str], width: int = 180) -> Content:
    """A passage row: rank, score, title, outlet and date, then a snippet around the matching words."""
    lines = [heading(f"#{hit.rank}", hit.score, best, hit.title)]
    meta = text.meta_line(hit.source, hit.date)
    if meta:
        lines.append(Content.styled(meta, MUTED))
    lines.append(emphasised(text.snippet(hit.text, stems, width), stems))
    return Content("\n").join(lines)


class ResultList(OptionList):
    """An option list whose rows are citations or passages; `j`/`k` move, `o` or Enter opens."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("o", "select", "Open"),
        Binding("enter", "select", "Open", show=False),
    ]

    def show_rows(self, rows: Sequence[Content]) -> None:
        """Replace the rows, a divider between each; the first is highlighted so `o` works at once."""
        self.clear_options()
        options: list[Option | None] = []
        for i, row in enumerate(rows):
            if i:
                options.append(None)
            options.append(Option(row, id=f"row-{i}"))
        self.add_options(options)
        self.highlighted = 0 if rows else None

    @staticmethod
    def row_index(option: Option) -> int:
        """The index of a row shown by `show_rows`."""
        return int((option.id or "row-0").removeprefix("row-"))
