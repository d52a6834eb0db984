"""The answer pane: a summary line, build progress while the index is made, and the citation board.

An answer's citations are shown grouped by claim; when the sources disagree a "Sources
disagree" header sits above the claims, which stand side by side, one column per value.
Under the board, a line says what the sources are dated.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import ProgressBar, Static

from archive.models import Answer, Citation, Hit, shown_value
from tui import grouping, text
from tui.messages import Problem, Query
from tui.widgets.board import CitationBoard, CitationCard, ClaimColumn, ClaimGroup
from tui.widgets.filters import MODE_LABELS
from tui.widgets.results import MUTED, citation_parts, hit_parts

WELCOME = (
    "Type a question above and press Enter. Answers quote the archive's sentences verbatim, "
    "best first.  ? shows the keys, ctrl+p the commands."
)
ALSO_CITED = "Also cited, giving no figure:"
STATES = ("-welcome", "-busy", "-answered", "-unanswered", "-error")


class AnswerPane(Vertical):
    """Shows one state at a time: welcome, busy, an answer, no answer (closest passages), or a problem."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-welcome")
        self.answer: Answer | None = None
        self.targets: tuple[Citation | Hit, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(WELCOME, id="answer-summary")
        yield Static("", id="conflict")
        yield ProgressBar(show_eta=False, id="build-progress")
        yield CitationBoard(id="citations")
        yield Static("", id="answer-dated")

    @property
    def board(self) -> CitationBoard:
        return self.query_one(CitationBoard)

    @property
    def conflict(self) -> str:
        """The "Sources disagree" header as shown; "" when there is none."""
        return self._shown("#conflict")

    @property
    def dated(self) -> str:
        """The line under the answer saying what the sources are dated; "" when none."""
        return self._shown("#answer-dated")

    def _shown(self, selector: str) -> str:
        widget = self.query_one(selector, Static)
        content = widget.content
        return (content.plain if isinstance(content, Content) else str(content)) if widget.display else ""

    @property
    def summary(self) -> str:
        """The summary text as shown (for tests and screen readers of the code)."""
        return self._shown("#answer-summary")

    @property
    def state(self) -> str:
        return next((name.lstrip("-") for name in STATES if self.has_class(name)), "welcome")

    def _set_state(self, state: str) -> None:
        self.remove_class(*STATES)
        self.add_class(f"-{state}")
        if state in ("welcome", "error"):  # the board is hidden too; while busy, the last answer stays
            self._set_notes("", "")

    def _set_notes(self, conflict: Content | str, dated: Content | str) -> None:
        """The conflict header above the board and the dates line under it; hidden when blank."""
        for name, note in (("#conflict", conflict), ("#answer-dated", dated)):
            widget = self.query_one(name, Static)
            widget.update(note)
            widget.display = bool(note)

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
        self.board.clear()
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
        """Citations grouped by claim (columns on a conflict); with no answer, the closest passages."""
        self.answer = answer
        stems = text.question_stems(query.question)
        if answer.answered:
            self.targets = answer.citations
            head, columns, groups, notes = self._claims(answer, stems)
        else:
            self.targets = answer.hits
            best = max((h.score for h in answer.hits), default=0.0)
            cards = [CitationCard(i, hit_parts(h, best, stems)) for i, h in enumerate(answer.hits)]
            columns, groups, notes = 0, [ClaimGroup(cards, foldable=False)] if cards else [], ("", "")
            if not answer.searched:  # empty, or only question words: the note says what to ask
                head = Content.assemble(("Not searched", "bold $text-warning"), " · ", answer.note)
            else:
                head = Content.assemble(
                    ("No answer", "bold $text-warning"),
                    " · the archive holds no sentence that answers this. ",
                    "Closest passages:" if cards else "Nothing matched at all.",
                )
        if timings:
            head = head.append_text(f" · {answer.seconds:.2f} s", MUTED)
        if query.fell_back:
            head = head.append("\n").append_text(f"BM25 only: {query.fallback}", "$text-warning")
        self._set_state("answered" if answer.answered else "unanswered")
        self._set_summary(head)
        self._set_notes(*notes)
        self.board.show(groups, columns, between=ALSO_CITED)

    def _claims(
        self, answer: Answer, stems: tuple[str, ...]
    ) -> tuple[Content, int, list[ClaimGroup], tuple[Content | str, str]]:
        """The summary line, the board's groups (columns first) and the notes of an answer."""
        plan = grouping.layout(answer)
        best = max(c.score for c in answer.citations)

        def cards(group: grouping.Group) -> list[CitationCard]:
            return [
                CitationCard(i, citation_parts(i + 1, answer.citations[i], best, stems), extra=at > 0)
                for at, i in enumerate(group.members)
            ]

        groups: list[ClaimGroup] = [
            ClaimColumn(
                cards(g), g.value, f"{shown_value(g.value)} · {text.plural(len(g.members), 'sentence')}", _sources(g)
            )
            for g in plan.columns
        ]
        groups.extend(ClaimGroup(cards(g), _group_summary(g)) for g in plan.groups)
        count, claims = len(answer.citations), len(plan.columns) + len(plan.groups)
        head = Content.assemble(
            (text.plural(count, "cited sentence"), "bold $text-success"),
            f" in {claims} claims" if 1 < claims < count else "",
            f", best first · confidence {answer.confidence:.2f} · {MODE_LABELS[answer.mode]}",
        )
        if answer.note:  # e.g. which period's sources were preferred
            head = head.append("\n").append_text(answer.note, MUTED)
        return head, len(plan.columns), groups, (_conflict_header(plan), answer.dated)


def _sources(group: grouping.Group) -> str:
    return f"{text.plural(group.articles, 'article')} · {text.sources_note(group.sources)}"


def _group_summary(group: grouping.Group) -> str:
    return f"{len(group.members)} sentences agree · {_sources(group)}"


def _conflict_header(plan: grouping.Layout) -> Content | str:
    """'Sources disagree: …' when the answer's claims give different values; '' otherwise."""
    if not plan.conflict:
        return ""
    values = [shown_value(column.value) for column in plan.columns]
    told = f"the cited sentences give {text.either(values)}" if values else "the cited sentences do not agree"
    return Content.assemble(("⚠ Sources disagree", "bold"), f": {told}.")
