"""The article body: paragraphs, the highlighted sentence, the other cited sentences marked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tui import text

HIGHLIGHT = "bold $text on $warning-muted"
MARK = "underline $text-accent"
TERM = "bold"
LAYOUT_ATTEMPTS = 10


class ArticleView(VerticalScroll, can_focus=True):
    """Scrolls the article; `highlight` is the (start, end) of the highlighted span in `text`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("space", "page_down", "Page down", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""
        self.highlight: tuple[int, int] | None = None
        self.marks: tuple[tuple[int, int], ...] = ()
        self._stems: tuple[str, ...] = ()
        self._paragraphs: list[tuple[tuple[int, int], Static]] = []

    @property
    def highlighted_text(self) -> str:
        """The highlighted span of the text ('' when nothing is highlighted)."""
        return self.text[self.highlight[0] : self.highlight[1]] if self.highlight else ""

    async def show(
        self,
        article_text: str,
        highlight: tuple[int, int] | None,
        marks: Sequence[tuple[int, int]] = (),
        stems: Sequence[str] = (),
    ) -> None:
        """Show `article_text` (re-using the paragraphs when it is the same text) and scroll to `highlight`."""
        self.highlight = highlight
        self.marks = tuple(m for m in marks if m != highlight)
        self._stems = tuple(stems)
        if article_text != self.text or not self._paragraphs:
            self.text = article_text
            await self.remove_children()
            spans = text.paragraphs(article_text) or [(0, len(article_text))]
            self._paragraphs = [(span, Static(self._paragraph(span), classes="paragraph")) for span in spans]
            await self.mount_all([widget for _, widget in self._paragraphs])
        else:
            for span, widget in self._paragraphs:
                widget.update(self._paragraph(span))
        self.call_after_refresh(self.scroll_to_highlight)

    def _paragraph(self, span: tuple[int, int]) -> Content:
        body = Content(self.text[span[0] : span[1]])
        for start, end in text.emphasis_spans(body.plain, self._stems):
            body = body.stylize(TERM, start, end)
        for mark in self.marks:
            part = text.clip(mark, span)
            if part:
                body = body.stylize(MARK, *part)
        if self.highlight:
            part = text.clip(self.highlight, span)
            if part:
                body = body.stylize(HIGHLIGHT, *part)
        return body

    def scroll_to_highlight(self, attempts: int = LAYOUT_ATTEMPTS, previous: int | None = None) -> None:
        """Bring the highlighted sentence into view, about a third of the way down.

        Paragraphs just mounted may not be laid out yet, and the first layout passes can still
        move them (or resize this view); so it checks again after the next refresh and stops
        once the target line no longer moves.
        """
        if not self.highlight:
            return
        for (start, end), widget in self._paragraphs:
            if self.highlight[0] < end:
                if not widget.size.height and attempts > 0:
                    self.call_after_refresh(self.scroll_to_highlight, attempts - 1)
                    return
                share = max(0, self.highlight[0] - start) / max(1, end - start)
                line = widget.virtual_region.y + int(share * widget.outer_size.height)
                target = max(0, line - self.size.height // 3)
                self.scroll_to(y=target, animate=False)
                if target != previous and attempts > 0:
                    self.call_after_refresh(self.scroll_to_highlight, attempts - 1, target)
                return
