"""Planning a build: each article's sentences and passages, what the previous generation lends, what changed.

An article whose text and title are unchanged since the live generation keeps its sentence
spans, passages and vectors (`PlannedArticle.reuse`); the rest are split and chunked here
and embedded by the build.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from archive.chunking import chunk_sentences
from archive.sentences import SPLITTER, split_sentences
from index.embedder import Embedder
from index.manifest import ArticleEntry
from index.records import Article
from index.snapshot import Snapshot
from index.writer import PlannedArticle


@dataclass(frozen=True)
class Changes:
    """Article ids added, changed and removed since the previous generation."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int


def reusable(previous: Snapshot | None, fingerprint: str, passage_tokens: int, passage_overlap: int) -> bool:
    """Whether `previous` was built with the same model, chunking and sentence splitter (blingfire or
    its fallback, archive/sentences.py), so its rows can be reused; otherwise every article is re-split."""
    if previous is None:
        return False
    m = previous.manifest
    return m.model_fingerprint == fingerprint and m.chunking() == (passage_tokens, passage_overlap, SPLITTER.name)


def plan(
    articles: Sequence[Article],
    previous: Snapshot | None,
    embedder: Embedder,
    passage_tokens: int,
    passage_overlap: int,
) -> list[PlannedArticle]:
    """Sentences and passages of every article, reusing `previous`'s for unchanged ones."""
    planned: list[PlannedArticle] = []
    fresh: list[tuple[PlannedArticle, list[tuple[int, int]]]] = []
    for article in articles:
        old = previous.with_content(article.content_hash) if previous is not None else None
        if old is not None and previous is not None and old.title == article.title:
            planned.append(PlannedArticle.unchanged(article, old, previous))
            continue
        sentence_spans = split_sentences(article.text)
        item = PlannedArticle(article, np.array(sentence_spans, dtype=np.int32).reshape(-1, 2), [])
        planned.append(item)
        fresh.append((item, sentence_spans))
    texts = [item.article.text[s:e] for item, spans in fresh for s, e in spans]
    counts = embedder.count_tokens(texts) if fresh else []
    position = 0
    for item, spans in fresh:
        mine = counts[position : position + len(spans)]
        position += len(spans)
        item.passages = chunk_sentences(mine, passage_tokens, passage_overlap)
    return planned


ADDED, CHANGED, UNCHANGED = "added", "changed", "unchanged"


class ChangeTracker:
    """What a build changes, by article id, as it meets the articles: each article is seen once, in order.

    Holds the previous generation's entries by id, a flag for each of them when seen, and the ids
    added (the report names them); `changes()` at the end adds the removed ones (never seen). Ids
    seen are not kept: a build from scratch of millions of articles would hold them all.
    """

    def __init__(self, previous: Sequence[ArticleEntry]) -> None:
        self._entries = previous
        self._old = {e.article_id: i for i, e in enumerate(previous)}
        self._seen = np.zeros(len(previous), dtype=bool)
        self._added: list[str] = []
        self._changed: list[str] = []
        self._unchanged = 0

    def see(self, article: Article) -> str:
        """ADDED, CHANGED (text, title, source, date or path differ) or UNCHANGED."""
        row = self._old.get(article.article_id)
        if row is None:
            self._added.append(article.article_id)
            return ADDED
        self._seen[row] = True
        entry = self._entries[row]
        if (
            entry.content_hash != article.content_hash
            or entry.title != article.title
            or (entry.source, entry.date, entry.path)
            != (article.source, article.date.isoformat() if article.date else "", article.path)
        ):
            self._changed.append(article.article_id)
            return CHANGED
        self._unchanged += 1
        return UNCHANGED

    def changes(self) -> Changes:
        removed = sorted(self._entries[int(row)].article_id for row in np.flatnonzero(~self._seen))
        return Changes(tuple(self._added), tuple(self._changed), tuple(removed), self._unchanged)


def diff(articles: Sequence[Article], previous: Sequence[ArticleEntry]) -> Changes:
    """What a build changes, by article id, against the previous generation's entries."""
    tracker = ChangeTracker(previous)
    for article in articles:
        tracker.see(article)
    return tracker.changes()
