"""Widgets of the main screen and the reader."""

from tui.widgets.answer import AnswerPane
from tui.widgets.article import ArticleView
from tui.widgets.board import CitationBoard
from tui.widgets.filters import FilterBar, Filters
from tui.widgets.question import QuestionBox
from tui.widgets.results import ResultList
from tui.widgets.status import StatusLine

__all__ = [
    "AnswerPane",
    "ArticleView",
    "CitationBoard",
    "FilterBar",
    "Filters",
    "QuestionBox",
    "ResultList",
    "StatusLine",
]
