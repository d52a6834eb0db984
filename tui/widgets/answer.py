"""The answer pane: a summary line, build progress while the index is made, and the cited rows."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import ProgressBar, Static

from archive.models import Answer, Citation, Hit
from tui import text
from tui.messages import Problem, Query
from tui.widgets.filters import MODE_LABELS
from tui.widgets.results import MUTED, ResultList, citation_prompt, hit_prompt

WELCOME = (
    "Type a question above and press Enter. Answers quote the archive's sentences verbatim, "
    "best first.  ? shows the keys, ctrl+p the commands."
)
STATES = ("-welcome", "-busy", "-answered", "-unanswered", "-error")


class AnswerPane(Vertical):
    """Shows one state at a time: welcome, busy, an answer, no answer (closest passages), or a problem."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-welcome")
        self.answer: Answer | None = None
        self.targets: tuple[Citation | Hit, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(WELCOME, id="answer-summary")
        yield ProgressBar(show_eta=False, id="build-progress")
        yield ResultList(id="citations")

    @property
    def summary(self) -> str:
        """The summary text as shown (for tests and screen readers of the code)."""
        content = self.query_one("#answer-summary", Static).content
        return content.plain if isinstance(content, Content) else str(content)

    @property
    def state(self) -> str:
        return next((name.lstrip("-") for name in STATES if self.has_class(name)), "welcome")

    def _set_state(self, state: str) -> None:
        self.remove_class(*STATES)
        self.add_class(f"-{state}")

    def _set_summary(self, summary: Content | str) -> None:
        self.query_one("#answer-summary", Static).update(summary)

    def show_message(self, message: str, busy: bool = False) -> None:
        """A plain message (opening, answering...); the rows stay until replaced."""
        self._set_state("busy" if busy else "welcome")
        self._set_summary(message)

    def show_problem(self, problem: Problem) -> None:
        """A failure: its heading and message replace the rows."""
        self._set_state("error")
        self.answer, self.targets = None, ()
        self.query_one(ResultList).show_rows([])
        self._set_summary(Content.assemble((problem.title, "bold"), "\n", problem.message))

    def show_progress(self, stage: str, done: int, total: int) -> None:
        """The index is being built: a bar per stage."""
        self.show_message(f"No index yet: building it from the seed articles ({stage})…", busy=True)
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=max(total, 1), progress=done)

    def hide_progress(self) -> None:
        self.query_one(ProgressBar).display = False

    def show_answer(self, query: Query, answer: Answer, timings: bool = True) -> None:
        """Citations best first; with no answer, the closest passages instead."""
        self.answer = answer
        stems = text.question_stems(query.question)
        rows: list[Content]
        if answer.answered:
            self.targets = answer.citations
            best = max(c.score for c in answer.citations)
            rows = [citation_prompt(i, c, best, stems) for i, c in enumerate(answer.citations, start=1)]
            count = len(answer.citations)
            head = Content.assemble(
                (f"{count} cited sentence{'s' if count != 1 else ''}", "bold $text-success"),
                f", best first · {MODE_LABELS[answer.mode]}",
            )
        else:
            self.targets = answer.hits
            best = max((h.score for h in answer.hits), default=0.0)
            rows = [hit_prompt(h, best, stems) for h in answer.hits]
            head = Content.assemble(
                ("No answer", "bold $text-warning"),
                " · the archive holds no sentence that answers this. ",
                "Closest passages:" if rows else "Nothing matched at all.",
            )
        if timings:
            head = head.append_text(f" · {answer.seconds:.2f} s", MUTED)
        if query.fell_back:
            head = head.append("\n").append_text(f"BM25 only: {query.fallback}", "$text-warning")
        self._set_state("answered" if answer.answered else "unanswered")
        self._set_summary(head)
        self.query_one(ResultList).show_rows(rows)
