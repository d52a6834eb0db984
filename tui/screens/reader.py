"""The reader: one full article, scrolled to a cited sentence or passage, which is highlighted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from archive.api import Archive
from archive.errors import ArticleNotFoundError
from archive.models import Article, Citation, Hit
from tui import sharing, text
from tui.messages import ArticleFailed, ArticleLoaded, Problem
from tui.problems import problem_from
from tui.widgets.article import ArticleView

STALE = (
    "The source file of this article changed or vanished since it was indexed; "
    "this is the text as indexed. Run `archive update` to refresh the index."
)
GONE = "This article is no longer in the index (an update may have removed it). Esc goes back."


class ReaderScreen(Screen[None]):
    """Reads `targets[index]`; `n` / `p` move through the targets, opening other articles as needed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("n", "move(1)", "Next citation", id="next_citation"),
        Binding("p", "move(-1)", "Previous citation", id="previous_citation"),
        Binding("y", "copy_citation", "Copy", show=False, id="copy_citation"),
        Binding("u", "open_url", "Open URL", show=False, id="open_url"),
        Binding("right_square_bracket", "move(1)", "Next citation", show=False),
        Binding("left_square_bracket", "move(-1)", "Previous citation", show=False),
    ]

    def __init__(
        self,
        archive: Archive,
        targets: Sequence[Citation | Hit],
        index: int,
        cited: Sequence[Citation] = (),
        question: str = "",
    ) -> None:
        super().__init__(id="reader")
        self.archive = archive
        self.targets = tuple(targets)
        self.index = index
        self.cited = tuple(cited)
        self.stems = text.question_stems(question)
        self.article: Article | None = None
        self._seq = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="reader-title")
        yield Static("", id="reader-meta")
        yield Static("", id="reader-notice")
        yield ArticleView(id="article")
        yield Static("", id="reader-position")
        yield Footer()

    @property
    def view(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def target(self) -> Citation | Hit:
        return self.targets[self.index]

    async def on_mount(self) -> None:
        self.view.focus()
        await self._load()

    # ----- loading ------------------------------------------------------------------------

    async def _load(self) -> None:
        """Show the current target: at once when its article is on screen, else through a worker."""
        self._seq += 1
        self._show_position()
        if self.article is not None and self.article.article_id == self.target.article_id:
            await self._show(self.article, self._notice())
        else:
            self._fetch(self._seq, self.target.article_id)

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def _fetch(self, seq: int, article_id: str) -> None:
        try:
            article = self.archive.article(article_id)
            stale = self.archive.is_stale(article_id)
        except ArticleNotFoundError as exc:
            self.post_message(ArticleFailed(seq, Problem(exc.title, GONE)))
        except Exception as exc:  # ArchiveError or not, it is shown, never raised into the UI
            self.post_message(ArticleFailed(seq, problem_from(exc)))
        else:
            self.post_message(ArticleLoaded(seq, article, stale))

    async def on_article_loaded(self, message: ArticleLoaded) -> None:
        if message.seq != self._seq:
            return
        self.article = message.article
        await self._show(message.article, STALE if message.stale else "")

    def on_article_failed(self, message: ArticleFailed) -> None:
        if message.seq != self._seq:
            return
        self.article = None
        self.query_one("#reader-title", Static).update(Content.styled(self.target.title, "bold"))
        self.query_one("#reader-meta", Static).update("")
        self._set_notice(f"{message.problem.title}: {message.problem.message}")

    async def _show(self, article: Article, notice: str) -> None:
        title = Content.styled(article.title or "(untitled)", "bold")
        if article.subtitle:
            title = title.append("\n").append_text(article.subtitle, "italic")
        self.query_one("#reader-title", Static).update(title)
        meta = text.meta_line(article.source, article.date, article.authors)
        if article.url:
            meta = f"{meta}\n{article.url}" if meta else article.url
        self.query_one("#reader-meta", Static).update(meta)
        self._set_notice(notice)
        marks = [(c.start, c.end) for c in self.cited if c.article_id == article.article_id]
        await self.view.show(article.text, (self.target.start, self.target.end), marks, self.stems)

    def _notice(self) -> str:
        return str(self.query_one("#reader-notice", Static).content)

    def _set_notice(self, notice: str) -> None:
        widget = self.query_one("#reader-notice", Static)
        widget.update(notice)
        widget.display = bool(notice)

    def _show_position(self) -> None:
        kind = "Citation" if isinstance(self.target, Citation) else "Passage"
        where = f"{kind} {self.index + 1} of {len(self.targets)}"
        keys = "n next · p previous · Esc back" if len(self.targets) > 1 else "Esc back"
        self.query_one("#reader-position", Static).update(Content.assemble((where, "bold"), f"  ({keys})"))

    # ----- actions ------------------------------------------------------------------------

    async def action_move(self, step: int) -> None:
        """Go to the next (+1) or previous (-1) target, wrapping around."""
        if len(self.targets) > 1:
            self.index = (self.index + step) % len(self.targets)
            await self._load()

    def action_copy_citation(self) -> None:
        sharing.copy_target(self.app, self.target)

    def action_open_url(self) -> None:
        self._open_url(self.target)

    @work(thread=True, exclusive=True, group="url", exit_on_error=False)
    def _open_url(self, target: Citation | Hit) -> None:
        sharing.open_url(self.app, self.archive, target)
