"""The one writer of a generation (index/schema.py): everything a build hands over, onto disk.

The caller (archive/building.py) has read, split, planned and embedded the articles; this
writes the article store, the Whoosh store (fresh, or carried over from the previous
generation by hard links with deletions and additions applied), the BM25 postings (unchanged
articles' carried by row), the coarse projection, the MinHash signatures, the arrays and
last the manifest, into a staging folder that `layout.publish` then swaps in.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index import analysis, coarse, fileio, schema, store
from index.manifest import ArticleEntry, Manifest, write_manifest
from index.records import Article, Progress
from index.snapshot import Snapshot
from index.sparse import PostingsWriter

Vectors = npt.NDArray[np.float32]


@dataclass
class PlannedArticle:
    """An article with its sentences and passages, and the previous generation's entry when unchanged."""

    article: Article
    sentence_spans: npt.NDArray[np.int32]  # (n, 2) char spans
    passages: list[tuple[int, int]]  # sentence ranges [first, end)
    reuse: ArticleEntry | None = None

    def passage_texts(self) -> list[str]:
        text, spans = self.article.text, self.sentence_spans
        return [text[spans[first][0] : spans[end - 1][1]] for first, end in self.passages]


@dataclass(frozen=True)
class BuildInfo:
    """How a generation was made, as its manifest records it."""

    package_version: str
    model_name: str
    model_fingerprint: str
    passage_tokens: int
    passage_overlap: int
    splitter: str


@dataclass(frozen=True)
class StoreChanges:
    """What an update does to the carried Whoosh store: articles (re)indexed and articles deleted."""

    index: frozenset[str]
    delete: tuple[str, ...]


def write_generation(
    staging: Path,
    planned: Sequence[PlannedArticle],
    vectors: tuple[Vectors, Vectors],
    minhash: npt.NDArray[np.uint64],
    stories: Sequence[str],
    info: BuildInfo,
    previous: Snapshot | None,
    store_changes: StoreChanges | None,
    progress: Progress,
    projection: Vectors | None = None,
) -> Manifest:
    """Write a whole generation into `staging`.

    `vectors` are (passages, sentences) for every planned article in order; `stories` each
    article's story id. `previous` (built with the same model and chunking) lends unchanged
    articles' postings and its coarse projection; with `store_changes` its Whoosh store is
    carried over and changed instead of rebuilt. A shard is given its archive's `projection`.
    """
    passage_vecs, sentence_vecs = vectors
    _write_store(staging, planned, previous if store_changes is not None else None, store_changes, progress)
    bm25_terms, bm25_postings = _write_postings(staging, planned, previous, progress)
    if projection is None:
        projection = carried_projection(previous, int(passage_vecs.shape[1]))
    if projection is None:
        projection = coarse.fit_projection(passage_vecs)
    coarse_dimension = _write_coarse(staging, passage_vecs, projection)
    schema.save(staging, schema.MINHASH, minhash)
    entries = _write_articles(staging, planned, stories)
    spans = [s for item in planned for s in _passage_spans(item)]
    sentence_spans = (
        np.concatenate([item.sentence_spans for item in planned]) if planned else np.zeros((0, 2), np.int32)
    )
    schema.save(staging, schema.PASSAGE_VECTORS, passage_vecs)
    schema.save(staging, schema.SENTENCE_VECTORS, sentence_vecs)
    schema.save(staging, schema.PASSAGE_SPANS, np.array(spans, dtype=np.int32).reshape(-1, 4))
    schema.save(staging, schema.SENTENCE_SPANS, sentence_spans.astype(np.int32).reshape(-1, 2))
    files = {
        str(path.relative_to(staging)): path.stat().st_size for path in sorted(staging.rglob("*")) if path.is_file()
    }
    manifest = Manifest(
        package_version=info.package_version,
        model_name=info.model_name,
        model_fingerprint=info.model_fingerprint,
        dimension=int(passage_vecs.shape[1]),
        passage_tokens=info.passage_tokens,
        passage_overlap=info.passage_overlap,
        splitter=info.splitter,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        articles=tuple(entries),
        passages=sum(e.passage_count for e in entries),
        sentences=sum(e.sentence_count for e in entries),
        files=files,
        bm25_terms=bm25_terms,
        bm25_postings=bm25_postings,
        coarse_dimension=coarse_dimension,
    )
    write_manifest(staging, manifest)
    return manifest


def _passage_spans(item: PlannedArticle) -> list[tuple[int, int, int, int]]:
    spans = item.sentence_spans
    return [(first, end, int(spans[first][0]), int(spans[end - 1][1])) for first, end in item.passages]


def _write_store(
    staging: Path,
    planned: Sequence[PlannedArticle],
    carry_from: Snapshot | None,
    changes: StoreChanges | None,
    progress: Progress,
) -> None:
    target = staging / schema.WHOOSH
    if carry_from is None or changes is None:
        store.create(target)
        todo = {item.article.article_id for item in planned}
        deletions: Sequence[str] = ()
    else:
        # Whoosh never rewrites a segment file in place, so hard links are a safe, instant copy.
        target.mkdir()
        for source in (carry_from.folder / schema.WHOOSH).iterdir():
            if not source.name.endswith("LOCK"):
                os.link(source, target / source.name)
        todo, deletions = set(changes.index), changes.delete
    docs = [
        store.PassageDoc(
            item.article.article_id, number, item.article.title, text, item.article.source, item.article.date
        )
        for item in planned
        if item.article.article_id in todo
        for number, text in enumerate(item.passage_texts())
    ]
    progress("indexing", 0, len(docs))
    store.write(target, docs, delete_articles=deletions)
    progress("indexing", len(docs), len(docs))


def _write_postings(
    staging: Path, planned: Sequence[PlannedArticle], previous: Snapshot | None, progress: Progress
) -> tuple[int, int]:
    """The BM25 sidecar: unchanged articles' postings carried over, new passages analysed."""
    writer = PostingsWriter(previous.bm25 if previous is not None else None)
    total = sum(len(item.passages) for item in planned)
    progress("postings", 0, total)
    for item in planned:
        if item.reuse is not None and previous is not None:
            writer.carry(item.reuse.passage_row, len(item.passages))
            continue
        title_terms = analysis.terms(item.article.title)
        for text in item.passage_texts():
            writer.add(analysis.terms(text), title_terms)
    progress("postings", total, total)
    return writer.save(staging)


def carried_projection(previous: Snapshot | None, dimension: int) -> Vectors | None:
    """The previous generation's coarse projection when it fits (an update keeps it: carried rows keep their values)."""
    projection = previous.coarse_projection if previous is not None else None
    if projection is None or projection.shape[0] != dimension:
        return None
    return np.asarray(projection, dtype=np.float32)


def _write_coarse(staging: Path, passage_vecs: Vectors, projection: Vectors) -> int:
    """The dense leg's coarse pass (index/coarse.py)."""
    schema.save(staging, schema.COARSE_PROJECTION, np.asarray(projection, dtype=np.float32))
    schema.save(staging, schema.COARSE_VECTORS, coarse.project(passage_vecs, projection))
    return int(projection.shape[1])


def _write_articles(staging: Path, planned: Sequence[PlannedArticle], stories: Sequence[str]) -> list[ArticleEntry]:
    """The article store, and each article's manifest entry (rows, record offset)."""
    entries: list[ArticleEntry] = []
    offset = passage_row = sentence_row = 0
    mtimes: dict[str, float] = {}  # one stat per file: a JSONL file holds thousands of articles
    with (staging / schema.ARTICLES).open("wb") as articles_file:
        for item, story in zip(planned, stories, strict=True):
            article = item.article
            record = schema.encode_article(article)
            articles_file.write(record)
            entries.append(
                ArticleEntry(
                    article_id=article.article_id,
                    content_hash=article.content_hash,
                    title=article.title,
                    source=article.source,
                    date=article.date.isoformat() if article.date else "",
                    path=article.path,
                    passage_row=passage_row,
                    passage_count=len(item.passages),
                    sentence_row=sentence_row,
                    sentence_count=len(item.sentence_spans),
                    offset=offset,
                    length=len(record),
                    source_mtime=_mtime(article.path, mtimes),
                    story=story,
                )
            )
            offset += len(record)
            passage_row += len(item.passages)
            sentence_row += len(item.sentence_spans)
        fileio.sync(articles_file)
    return entries


def _mtime(path: str, known: dict[str, float]) -> float:
    """The file's mtime (0 when gone or none), stat'ed once per write: `known` holds those seen."""
    if path not in known:
        try:
            known[path] = os.stat(path).st_mtime if path else 0.0
        except OSError:
            known[path] = 0.0
    return known[path]
