"""Frozen result and record types that cross the public API.

Only plain Python types appear here (str, int, float, date, tuples): no Whoosh or
numpy object ever leaves the library through these classes. `Article` and `SearchMode`
are the engine's own (`index.records`), re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from index.records import SEARCH_MODES, Article, Progress, SearchMode

__all__ = [
    "SEARCH_MODES",
    "Answer",
    "Article",
    "BuildReport",
    "Citation",
    "Claim",
    "Duplicate",
    "FileProblem",
    "Hit",
    "IndexInfo",
    "Progress",
    "SearchMode",
]

# Classes below have a field named `date`, which hides the type inside their bodies.
CalendarDate = date


@dataclass(frozen=True)
class FileProblem:
    """A file, or one record in it, that could not be indexed and why.

    `line` is 1-based where the problem sits on a known line (JSONL, JSON
    syntax errors, front matter), else None.
    """

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Duplicate:
    """An article skipped because another one with the same text was indexed."""

    article_id: str
    path: str
    same_as: str


@dataclass(frozen=True)
class BuildReport:
    """What a build or update did. Ids are article ids; problems name files.

    `failed` lists input that was not indexed; `warnings` lists input that was
    indexed with a caveat (decoded as Windows-1252, a date that could not be read).
    """

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    failed: tuple[FileProblem, ...] = ()
    warnings: tuple[FileProblem, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    articles: int = 0
    passages: int = 0
    sentences: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    embedded: int = 0  # texts run through the model
    cache_hits: int = 0  # texts whose vectors came from the embedding cache


@dataclass(frozen=True)
class Hit:
    """A ranked passage: `text` equals `article.text[start:end]`."""

    article_id: str
    title: str
    source: str
    date: date | None
    text: str
    start: int
    end: int
    score: float
    rank: int = 0
    content_hash: str = ""  # of the article text the offsets point into


@dataclass(frozen=True)
class Citation:
    """A verbatim sentence: `sentence` equals `article.text[start:end]`.

    `position` is the sentence's 0-based index in its article, `score` the
    answerer's combined score (higher is better, comparable within one answer).
    `claim` indexes `Answer.claims`; `values` are the answer values the sentence gives
    (for counting questions); `mentioned_dates` are calendar dates written in it;
    `copies` are other articles of the same story (reprints), counted as one source.
    """

    article_id: str
    title: str
    source: str
    date: date | None
    sentence: str
    start: int
    end: int
    score: float
    position: int = 0
    claim: int = 0
    values: tuple[str, ...] = ()
    mentioned_dates: tuple[CalendarDate, ...] = ()
    copies: tuple[str, ...] = ()
    # The article text the offsets point into: compare with `Article.content_hash` to tell
    # that the index was rebuilt with a changed article since this answer was given.
    content_hash: str = ""


@dataclass(frozen=True)
class Claim:
    """Citations that say the same thing; `citations` index `Answer.citations`.

    `value` is the answer value they share for a counting question ("5"), else "".
    `sources` are the distinct outlets behind them ("" for an unknown outlet).
    """

    citations: tuple[int, ...]
    value: str = ""
    sources: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()


def shown_value(value: str) -> str:
    """A claim's value (`Claim.value`) as people read it: a whole number from 1,000 up with
    its thousands separated ("7,100,000", not "7100000"); anything else as it is."""
    try:
        number = float(value)
    except ValueError:
        return value
    return f"{number:,.0f}" if number.is_integer() and abs(number) >= 1000 else value


@dataclass(frozen=True)
class Answer:
    """The answer to a question.

    Invariant: `answered` is True exactly when `citations` is non-empty. When it is
    False, `hits` holds the closest passages so the reader can see what was there. Either way
    `hits` holds at most the `k` asked for.
    `confidence` is the estimate (0-1) that the first citation answers the question, the
    value the abstention threshold `min_confidence` was applied to (archive/confidence.py).
    `claims` group the citations by what they say; `conflict` is True when claims give
    different values for the same question (shown side by side). `dated` says what the
    sources are dated, in words.
    """

    question: str
    answered: bool
    citations: tuple[Citation, ...] = ()
    hits: tuple[Hit, ...] = ()
    confidence: float = 0.0
    mode: SearchMode = "hybrid"
    seconds: float = 0.0
    note: str = ""  # why there is no answer, or how it was found (e.g. "BM25 only: model loading")
    claims: tuple[Claim, ...] = ()
    conflict: bool = False
    dated: str = ""
    searched: bool = True  # False: the question was not searched (empty, or names nothing; `note` says)


@dataclass(frozen=True)
class IndexInfo:
    """A description of an open index, for status lines and `archive info`."""

    path: str
    articles: int
    passages: int
    sentences: int
    sources: tuple[str, ...]
    built_at: str
    model: str
    schema_version: int
    package_version: str
    extra: dict[str, str] = field(default_factory=dict)
    # The sentence splitter this install uses ("blingfire 0.1.8 (blingfire-lines-2)"; pysbd where
    # blingfire cannot load), and the one the index was built with; they differ after a move to
    # another machine, and the next build or update then re-splits every article.
    splitter: str = ""
    index_splitter: str = ""
