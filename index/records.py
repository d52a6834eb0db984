"""Record types the engine stores and returns; `archive.models` re-exports them.

Only plain Python types appear here (str, int, date, tuples): no Whoosh or numpy object
leaves the engine through these classes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

SearchMode = Literal["hybrid", "bm25", "dense"]
SEARCH_MODES: tuple[SearchMode, ...] = ("hybrid", "bm25", "dense")

# A build reports its stages as (stage name, done, total).
Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    return None


def content_hash(text: str) -> str:
    """sha256 hex digest of the UTF-8 encoded text: what `Article.content_hash` holds."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Article:
    """One article as indexed.

    `text` is the exact text that every citation offset points into; `content_hash`
    is the sha256 of that text, so a stored article can be checked against it.
    """

    article_id: str
    title: str
    text: str
    source: str = ""
    date: date | None = None
    url: str = ""
    authors: tuple[str, ...] = ()
    subtitle: str = ""
    path: str = ""
    content_hash: str = ""
    extra: tuple[tuple[str, str], ...] = ()
