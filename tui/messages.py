"""Messages the app's workers and widgets post, as dataclasses.

Workers run in threads and only post these (`post_message` is thread-safe); the
handlers on the app and screens update the widgets. Every result of a request
carries the request's sequence number so a stale result can be dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual.message import Message

from archive.api import Archive
from archive.models import Answer, Article, Citation, Hit, IndexInfo, SearchMode


@dataclass(frozen=True)
class Query:
    """One question with its filters.

    `mode` is what the user chose; `used_mode` is what was asked of the archive
    (BM25 while the embedding model is loading or unavailable, `fallback` says which).
    `seq` orders requests.
    """

    question: str
    mode: SearchMode = "hybrid"
    source: str | None = None
    since: date | None = None
    until: date | None = None
    k: int = 5
    used_mode: SearchMode = "hybrid"
    seq: int = 0
    fallback: str = ""

    @property
    def fell_back(self) -> bool:
        """True when BM25 stood in for the chosen mode because the model was not ready."""
        return self.used_mode != self.mode


@dataclass(frozen=True)
class Problem:
    """A failure shown to the user: a short heading and a message that says what to do."""

    title: str
    message: str


# ----- opening the index and loading the model ------------------------------------------


@dataclass
class NewerGeneration(Message):
    """A newer index generation was published (by this app's watcher or another process)."""

    info: IndexInfo
    generation: str


@dataclass
class WatchFailed(Message):
    """An update of the watched folders failed; the app keeps answering from the index it has."""

    problem: Problem


@dataclass
class MainScreenReady(Message):
    """The main screen is composed: the app may start opening the index."""


@dataclass
class BuildProgress(Message):
    """The index is being built from the seeds: `done` of `total` in `stage`."""

    stage: str
    done: int
    total: int


@dataclass
class IndexOpened(Message):
    """The index is open and ready for questions."""

    archive: Archive
    info: IndexInfo


@dataclass
class IndexFailed(Message):
    """The index could not be opened or built."""

    problem: Problem


@dataclass
class ModelLoaded(Message):
    """The embedding model is loaded: dense and hybrid questions now work."""


@dataclass
class ModelFailed(Message):
    """The embedding model could not be loaded: questions stay BM25 only."""

    problem: Problem


# ----- questions ------------------------------------------------------------------------


@dataclass
class AskRequested(Message):
    """The user asked a question (posted by the main screen, handled by the app)."""

    query: Query


@dataclass
class AnswerReady(Message):
    """The answer to the request numbered `query.seq`."""

    query: Query
    answer: Answer


@dataclass
class AskFailed(Message):
    """The request numbered `query.seq` failed with a user-facing problem."""

    query: Query
    problem: Problem


# ----- the reader -----------------------------------------------------------------------


@dataclass
class OpenReader(Message):
    """Open the reader on `targets[index]`; `cited` are all citations of the answer (to mark)."""

    targets: tuple[Citation | Hit, ...]
    index: int
    cited: tuple[Citation, ...] = ()
    question: str = ""


@dataclass
class ArticleLoaded(Message):
    """The article for the reader's request numbered `seq`; `stale` when its file changed."""

    seq: int
    article: Article
    stale: bool = False


@dataclass
class ArticleFailed(Message):
    """The reader's request numbered `seq` failed."""

    seq: int
    problem: Problem
