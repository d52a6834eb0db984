"""The Whoosh store: one document per passage, BM25F over title and text.

Passage text is not stored here (the article store has it); a document carries the
article id and the passage's number within its article, which together locate its
vector row and span through the manifest.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.scoring import BM25F

from index import analysis
from index.errors import IndexCorruptError

INDEX_NAME = "passages"
# Title words are stronger evidence than body words, but a passage repeats its title, so modestly.
TITLE_BOOST = 1.5
NO_DATE = 0


def _analyzer() -> StemmingAnalyzer:
    return analysis.whoosh_analyzer()


def make_schema() -> Schema:
    # No positions (`phrase=False`): nothing here asks for a phrase, and recording where each word
    # stands cost 11% of the time to add and commit and a quarter of the store (bench.store_write).
    return Schema(
        article_id=ID(stored=True),
        passage=NUMERIC(int, stored=True),
        title=TEXT(analyzer=_analyzer(), field_boost=TITLE_BOOST, phrase=False),
        text=TEXT(analyzer=_analyzer(), phrase=False),
        source=ID(),
        date=NUMERIC(int, bits=32),
    )


def date_key(value: date | None) -> int:
    """Dates as sortable integers (yyyymmdd); undated passages get 0 and fall outside any range."""
    return value.year * 10000 + value.month * 100 + value.day if value else NO_DATE


def source_key(source: str) -> str:
    return source.strip().casefold()


@dataclass(frozen=True)
class PassageDoc:
    article_id: str
    passage: int
    title: str
    text: str
    source: str
    date: date | None


@dataclass(frozen=True)
class StoreHit:
    article_id: str
    passage: int
    score: float


def create(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    whoosh_index.create_in(str(path), make_schema(), indexname=INDEX_NAME)


# Whoosh's posting pool, in its own estimate (about its real size): a sorted run goes to disk past
# it, and the commit merges the runs in Python (past 128, in two passes). 32 MB made 127 runs at
# SciFact x16 and a commit of over 15 minutes; 128 MB held ~110 MB more than 32 at x4 (bench/RESULTS.md,
# build memory). 64 halves the runs of 32; the old whole-archive build used 256.
WRITER_MB = 64


class StoreWriter:
    """One commit to the store, its documents added a batch at a time (Whoosh writes new segment files only).

    Deletions reach only the documents committed before (never those added here), so their
    order against additions does not matter.
    """

    def __init__(self, path: Path, limitmb: int = WRITER_MB) -> None:
        # Segment files kept apart, not assembled into one compound file: a reader of a compound
        # segment holds as much memory as the file's size (+41 MB at SciFact x1, +119 MB at x4 for
        # each reader opened), of separate files a few pages; term look-ups cost ~12 us either way.
        index = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
        self._writer = index.writer(limitmb=limitmb, compound=False)

    def delete(self, article_ids: Iterable[str]) -> None:
        try:
            for article_id in article_ids:
                self._writer.delete_by_term("article_id", article_id)
        except BaseException:
            self.cancel()
            raise

    def add(self, docs: Iterable[PassageDoc]) -> None:
        try:
            for doc in docs:
                self._writer.add_document(
                    article_id=doc.article_id,
                    passage=doc.passage,
                    title=doc.title,
                    text=doc.text,
                    source=source_key(doc.source),
                    date=date_key(doc.date),
                )
        except BaseException:
            self.cancel()
            raise

    def commit(self) -> None:
        self._writer.commit()

    def cancel(self) -> None:
        if not self._writer.is_closed:
            self._writer.cancel()


class PassageStore:
    """Read side of the Whoosh store; one searcher, guarded by a lock for worker threads."""

    def __init__(self, path: Path) -> None:
        try:
            self._index = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
            self._searcher = self._index.searcher(weighting=BM25F())
        except Exception as exc:
            raise IndexCorruptError(
                f"The Whoosh store in {path} cannot be opened ({exc}); rebuild with `archive build`."
            ) from exc
        self._lock = threading.Lock()
        # A snapshot replaced by a newer one is dropped, not closed (a query may still read it):
        # the searcher's files (one per segment file) are closed when the store goes.
        self._release = weakref.finalize(self, self._searcher.close)

    @property
    def doc_count(self) -> int:
        return int(self._searcher.doc_count())

    def search(
        self,
        text: str,
        limit: int,
        source: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> list[StoreHit]:
        terms = analysis.unique_terms(text)
        if not terms:
            return []
        query = wq.Or([wq.Term(field, term) for term in terms for field in ("text", "title")])
        with self._lock:
            results = self._searcher.search(query, limit=limit, filter=_filter(source, since, until))
            return [StoreHit(hit["article_id"], int(hit["passage"]), float(hit.score)) for hit in results]

    def idf(self, term: str) -> float:
        """Inverse document frequency of an analysed term in the passage text."""
        with self._lock:
            return float(self._searcher.idf("text", term))

    def term_counts(self, terms: Iterable[str]) -> tuple[int, dict[str, int]]:
        """What `idf` is made of: all documents (deleted ones included, as Whoosh counts them) and each
        term's document frequency in the passage text; summed over shards they give the archive's idf."""
        with self._lock:
            documents = int(self._searcher.doc_count_all())
            return documents, {term: int(self._searcher.doc_frequency("text", term)) for term in terms}

    def close(self) -> None:
        with self._lock:
            self._release()


def _filter(source: str | None, since: date | None, until: date | None) -> wq.Query | None:
    parts: list[wq.Query] = []
    if source:
        parts.append(wq.Term("source", source_key(source)))
    if since or until:
        low = date_key(since) if since else NO_DATE + 1
        high = date_key(until) if until else 99991231
        parts.append(wq.NumericRange("date", low, high))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)
