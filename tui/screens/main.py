"""The main screen: question box, filters, answer pane, sources list and status line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input

from archive.api import Archive
from archive.models import Answer, Citation, Hit, IndexInfo, SearchMode
from tui import sharing, text
from tui.messages import AskRequested, MainScreenReady, Problem, Query
from tui.screens.reader import ReaderScreen
from tui.widgets.answer import WELCOME, AnswerPane
from tui.widgets.board import CitationBoard
from tui.widgets.filters import MODE_LABELS, FilterBar
from tui.widgets.question import QuestionBox
from tui.widgets.results import ResultList, hit_prompt
from tui.widgets.status import StatusLine, describe_index

EMPTY_QUESTION = Problem("Empty question", "Type a question first, then press Enter.")


class MainScreen(Screen[None]):
    """Asks through `AskRequested` (the app runs the worker) and shows what comes back."""

    # Ids name the bindings a keymap file may move (tui/keymap.py).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_question", "Ask", key_display="/", id="focus_question"),
        Binding("ctrl+l", "focus_question", "Question", show=False, priority=True),
        Binding("f", "focus_filters", "Filters", id="focus_filters"),
        Binding("m", "cycle_mode", "Mode", id="cycle_mode"),
        Binding("y", "copy_citation", "Copy", show=False, id="copy_citation"),
        Binding("e", "export_answer", "Save", show=False, id="export_answer"),
        Binding("u", "open_url", "Open URL", show=False, id="open_url"),
        Binding("escape", "back", "Back", show=False),
    ]

    def __init__(self, stable: bool = False, export_setting: str = "") -> None:
        """`stable`: no clock readings on screen and no blinking cursor (for screenshots);
        `export_setting`: the `export_dir` setting, where `e` saves answers."""
        super().__init__(id="main")
        self.stable = stable
        self.export_setting = export_setting
        self.query_shown: Query | None = None  # the query whose answer is on screen
        self.archive: Archive | None = None  # set by the app once the index is open

    def compose(self) -> ComposeResult:
        yield QuestionBox(id="question")
        yield FilterBar(id="filters")
        with Container(id="panes"):
            yield AnswerPane(id="answer")
            with Vertical(id="sources"):
                yield ResultList(id="hits")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#answer").border_title = "Answer"
        self.query_one("#sources").border_title = "Sources"
        for box in self.query(Input):
            box.cursor_blink = not self.stable
        self.query_one(QuestionBox).focus()
        self.post_message(MainScreenReady())

    # ----- widgets ------------------------------------------------------------------------

    @property
    def question_box(self) -> QuestionBox:
        return self.query_one(QuestionBox)

    @property
    def filters(self) -> FilterBar:
        return self.query_one(FilterBar)

    @property
    def answer_pane(self) -> AnswerPane:
        return self.query_one(AnswerPane)

    @property
    def sources(self) -> ResultList:
        return self.query_one("#hits", ResultList)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    # ----- asking -------------------------------------------------------------------------

    @on(Input.Submitted, "#question")
    def _question_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.ask(event.value)

    def on_filter_bar_changed(self, _: FilterBar.Changed) -> None:
        """A new filter applies at once to the question on screen."""
        if self.query_shown is not None:
            self.ask(self.query_shown.question, remember=False)

    def ask(self, question: str, remember: bool = True) -> None:
        """Check the question and filters here; the app runs the request."""
        question = question.strip()
        if not question:
            self.show_problem(EMPTY_QUESTION)
            return
        try:
            filters = self.filters.read()
        except ValueError as exc:
            self.show_problem(Problem("Bad date filter", str(exc)))
            return
        if remember:
            self.question_box.remember(question)
        query = Query(question, filters.mode, filters.source, filters.since, filters.until, used_mode=filters.mode)
        self.post_message(AskRequested(query))

    # ----- showing results (called by the app) -------------------------------------------

    def show_busy(self, query: Query) -> None:
        note = " (BM25 only: the model is not ready)" if query.fell_back else ""
        self.status.set_activity(f"Answering with {MODE_LABELS[query.used_mode]}{note}…")

    def show_answer(self, query: Query, answer: Answer) -> None:
        self.query_shown = query
        self.answer_pane.show_answer(query, answer, timings=not self.stable)
        stems = text.question_stems(query.question)
        best = max((h.score for h in answer.hits), default=0.0)
        self.sources.show_rows([hit_prompt(h, best, stems) for h in answer.hits])
        self.query_one("#sources").border_subtitle = f"{len(answer.hits)} passages · {MODE_LABELS[answer.mode]}"
        done = "answered" if answer.answered else "no answer"
        self.status.set_activity(f"Ready · {done}" + (" · BM25 only" if query.fell_back else ""))

    def show_problem(self, problem: Problem, query: Query | None = None) -> None:
        self.query_shown = query
        self.answer_pane.show_problem(problem)
        self.sources.show_rows([])
        self.query_one("#sources").border_subtitle = ""
        self.status.set_activity(problem.title)

    def show_index(self, archive: Archive, info: IndexInfo) -> None:
        self.archive = archive
        self.answer_pane.hide_progress()
        if self.answer_pane.state in ("welcome", "busy") and self.query_shown is None:
            self.answer_pane.show_message(WELCOME)
        self.status.set_index(describe_index(info, with_time=not self.stable))
        self.filters.set_sources(info.sources)

    # ----- opening the reader -------------------------------------------------------------

    def on_citation_board_opened(self, message: CitationBoard.Opened) -> None:
        message.stop()
        pane = self.answer_pane
        cited = pane.answer.citations if pane.answer else ()
        self.open_reader(pane.targets, message.index, cited)

    @on(ResultList.OptionSelected, "#hits")
    def _open_hit(self, event: ResultList.OptionSelected) -> None:
        event.stop()
        answer = self.answer_pane.answer
        if answer is not None:
            self.open_reader(answer.hits, event.option_index, answer.citations)

    def open_reader(self, targets: Sequence[Citation | Hit], index: int, cited: Sequence[Citation]) -> None:
        """Read `targets[index]`; the reader's next / previous keys walk `targets`."""
        if self.archive is None or not 0 <= index < len(targets):
            return
        question = self.query_shown.question if self.query_shown else ""
        self.app.push_screen(ReaderScreen(self.archive, targets, index, cited, question))

    # ----- actions ------------------------------------------------------------------------

    def action_focus_question(self) -> None:
        self.question_box.focus()

    def action_focus_filters(self) -> None:
        self.query_one("#source", Input).focus()

    def action_cycle_mode(self) -> None:
        mode: SearchMode = self.filters.cycle_mode()
        self.notify(f"Retrieval mode: {MODE_LABELS[mode]}", timeout=2)

    @property
    def selected(self) -> Citation | Hit | None:
        """The citation (or closest passage) under the board's cursor; None when there is none."""
        pane = self.answer_pane
        at = pane.board.highlighted
        return pane.targets[at] if at is not None and 0 <= at < len(pane.targets) else None

    def action_copy_citation(self) -> None:
        sharing.copy_target(self.app, self.selected)

    def action_export_answer(self) -> None:
        sharing.save_answer(self.app, self.archive, self.answer_pane.answer, self.export_setting)

    def action_open_url(self) -> None:
        self._open_url(self.selected)

    @work(thread=True, exclusive=True, group="url", exit_on_error=False)
    def _open_url(self, target: Citation | Hit | None) -> None:
        sharing.open_url(self.app, self.archive, target)

    def action_back(self) -> None:
        """Esc: from a pane or filter back to the question box; from there, to the answer."""
        if self.focused is self.question_box:
            self.answer_pane.board.focus()
        else:
            self.question_box.focus()
