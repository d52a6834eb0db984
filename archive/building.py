"""Build or update an index generation from article folders.

Both paths read every file (that is how changes and deletions are found), then reuse
the sentence spans and vectors of any article whose text and title are unchanged
since the live generation, embed only the rest, and publish a complete new
generation atomically (see index/layout.py). An update also carries the Whoosh
store over and applies deletions and additions to it, instead of re-indexing.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

import archive
from archive import reprints
from archive.chunking import chunk_sentences
from archive.errors import InvalidRequestError
from archive.models import Article, BuildReport
from archive.readers import read_folders
from archive.sentences import split_sentences
from archive.settings import Settings
from index import analysis, coarse, layout, store, vectors
from index.embed_cache import EmbeddingCache
from index.embedder import Embedder
from index.manifest import ArticleEntry, Manifest, write_manifest
from index.snapshot import ARTICLES_FILE, WHOOSH_DIR, Snapshot, article_record
from index.sparse import PostingsWriter

SPLITTER = "blingfire-lines-1"
EMBED_CHUNK = 256  # texts per progress step while embedding

Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class _Planned:
    """An article with its sentences and passages, and the previous entry to reuse if any."""

    article: Article
    sentence_spans: npt.NDArray[np.int32]  # (n, 2)
    passages: list[tuple[int, int]]
    reuse: ArticleEntry | None


def embedding_text(title: str, passage: str) -> str:
    """What the dense leg embeds for a passage: the headline gives context to every passage."""
    return f"{title}\n{passage}" if title else passage


def build_generation(
    roots: Sequence[str | Path],
    index_dir: Path,
    settings: Settings,
    embedder: Embedder,
    previous: Snapshot | None,
    incremental: bool,
    progress: Progress = _no_progress,
    lock_wait: float = 0.0,
) -> BuildReport:
    started = time.perf_counter()
    missing = [str(root) for root in roots if not Path(root).exists()]
    if missing:
        raise InvalidRequestError(f"No such folder or file: {', '.join(missing)}. Nothing was indexed.")
    with layout.build_lock(index_dir, wait_seconds=lock_wait):
        layout.remove_stale(index_dir)
        progress("reading", 0, 1)
        outcome = read_folders(roots, max_article_chars=settings.max_article_chars)
        progress("reading", 1, 1)
        if not outcome.articles:
            # Publishing an empty index would silently wipe a good one (an unmounted drive, a typo).
            problems = "; ".join(str(p) for p in outcome.failed[:3])
            raise InvalidRequestError(
                f"No article could be read from {', '.join(str(r) for r in roots)}"
                + (f" ({len(outcome.failed)} problems: {problems})" if problems else "")
                + ". The index was left as it was."
            )
        # Absolute paths, so staleness checks work from any working directory.
        articles = [replace(a, path=os.path.abspath(a.path)) if a.path else a for a in outcome.articles]
        reusable = previous if previous is not None and _compatible(previous, embedder, settings) else None
        planned = _plan(articles, reusable, embedder, settings)
        embed_started = time.perf_counter()
        encoder = _Encoder(embedder, _cache(index_dir, settings, embedder), progress)
        try:
            passage_vecs, sentence_vecs = _embed(planned, reusable, encoder)
        finally:
            encoder.close()
        embed_seconds = time.perf_counter() - embed_started
        staging = layout.new_staging(index_dir)
        try:
            changes = _diff(planned, previous)
            carry = incremental and reusable is not None
            _write_store(staging, planned, previous if carry else None, changes, progress)
            bm25_size = _write_postings(staging, planned, reusable, progress)
            coarse_dimension = _write_coarse(staging, passage_vecs, reusable)
            stories = _stories(staging, planned, reusable)
            manifest = _write_arrays(
                staging, planned, stories, passage_vecs, sentence_vecs, embedder, settings, bm25_size, coarse_dimension
            )
            layout.publish(index_dir, staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return BuildReport(
        added=tuple(changes.added),
        changed=tuple(changes.changed),
        removed=tuple(changes.removed),
        unchanged=changes.unchanged,
        failed=outcome.failed,
        warnings=outcome.warnings,
        duplicates=outcome.duplicates,
        articles=len(manifest.articles),
        passages=manifest.passages,
        sentences=manifest.sentences,
        seconds=time.perf_counter() - started,
        embed_seconds=embed_seconds,
        embedded=encoder.embedded,
        cache_hits=encoder.cache_hits,
    )


def _compatible(previous: Snapshot, embedder: Embedder, settings: Settings) -> bool:
    m = previous.manifest
    return m.model_fingerprint == embedder.fingerprint and m.chunking() == (
        settings.passage_tokens,
        settings.passage_overlap,
        SPLITTER,
    )


def _plan(
    articles: Sequence[Article], previous: Snapshot | None, embedder: Embedder, settings: Settings
) -> list[_Planned]:
    by_hash: dict[str, ArticleEntry] = {}
    if previous is not None:
        by_hash = {e.content_hash: e for e in previous.entries}
    planned: list[_Planned] = []
    fresh: list[tuple[_Planned, list[tuple[int, int]]]] = []
    for article in articles:
        old = by_hash.get(article.content_hash)
        if old is not None and previous is not None and old.title == article.title:
            rows = slice(old.passage_row, old.passage_row + old.passage_count)
            old_spans = np.array(previous.sentence_spans[old.sentence_row : old.sentence_row + old.sentence_count])
            passages = [(int(a), int(b)) for a, b, _, _ in previous.passage_spans[rows]]
            planned.append(_Planned(article, old_spans.astype(np.int32), passages, old))
            continue
        sentence_spans = split_sentences(article.text)
        item = _Planned(article, np.array(sentence_spans, dtype=np.int32).reshape(-1, 2), [], None)
        planned.append(item)
        fresh.append((item, sentence_spans))
    counts = embedder.count_tokens([item.article.text[s:e] for item, spans in fresh for s, e in spans]) if fresh else []
    position = 0
    for item, spans in fresh:
        mine = counts[position : position + len(spans)]
        position += len(spans)
        item.passages = chunk_sentences(mine, settings.passage_tokens, settings.passage_overlap)
    return planned


def _cache(index_dir: Path, settings: Settings, embedder: Embedder) -> EmbeddingCache | None:
    choice = settings.embedding_cache.strip()
    if choice in ("", "off"):
        return None
    path = index_dir / "embeddings.sqlite" if choice == "auto" else Path(choice).expanduser()
    try:
        return EmbeddingCache(path, embedder.fingerprint, embedder.dimension)
    except sqlite3.DatabaseError as exc:
        # The cache only saves time: a damaged one is replaced, a busy or unopenable one skipped.
        if isinstance(exc, sqlite3.OperationalError):
            return None
        _discard_cache(path)
        return EmbeddingCache(path, embedder.fingerprint, embedder.dimension)


def _discard_cache(path: Path) -> None:
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        path.with_name(name).unlink(missing_ok=True)


class _Encoder:
    """Embeds in length-sorted chunks, through the cache when there is one, reporting progress."""

    def __init__(self, embedder: Embedder, cache: EmbeddingCache | None, progress: Progress) -> None:
        self.embedder, self.cache, self.progress = embedder, cache, progress
        self.embedded = self.cache_hits = 0

    def encode(self, texts: list[str], stage: str) -> npt.NDArray[np.float32]:
        result = np.empty((len(texts), self.embedder.dimension), dtype=np.float32)
        if not texts:
            return result
        # Sort once by length across the whole set so every chunk pads little, then restore order.
        order = np.argsort([len(t) for t in texts], kind="stable")
        self.progress(stage, 0, len(texts))
        for start in range(0, len(texts), EMBED_CHUNK):
            rows = order[start : start + EMBED_CHUNK]
            result[rows] = self._encode_chunk([texts[i] for i in rows])
            self.progress(stage, min(start + EMBED_CHUNK, len(texts)), len(texts))
        return result

    def _encode_chunk(self, chunk: list[str]) -> npt.NDArray[np.float32]:
        if self.cache is not None:
            try:
                return self._through_cache(self.cache, chunk)
            except sqlite3.DatabaseError as exc:  # damaged or busy: embed without it from here on
                self.cache.close()
                if not isinstance(exc, sqlite3.OperationalError):
                    _discard_cache(self.cache.path)
                self.cache = None
        self.embedded += len(chunk)
        return self.embedder.encode(chunk)

    def _through_cache(self, cache: EmbeddingCache, chunk: list[str]) -> npt.NDArray[np.float32]:
        found = cache.get_many(chunk)
        missing = [i for i, vector in enumerate(found) if vector is None]
        vectors = np.empty((len(chunk), self.embedder.dimension), dtype=np.float32)
        for i, vector in enumerate(found):
            if vector is not None:
                vectors[i] = vector
        if missing:
            fresh = self.embedder.encode([chunk[i] for i in missing])
            vectors[missing] = fresh
            cache.put_many([chunk[i] for i in missing], fresh)
        self.embedded += len(missing)
        self.cache_hits += len(chunk) - len(missing)
        return vectors

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()


def _embed(
    planned: Sequence[_Planned], previous: Snapshot | None, encoder: _Encoder
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Vectors for every passage and sentence, in article order: reused rows copied, new ones encoded."""
    passage_texts: list[str] = []
    sentence_texts: list[str] = []
    for item in planned:
        if item.reuse is not None:
            continue
        text, spans = item.article.text, item.sentence_spans
        for first, end in item.passages:
            passage_texts.append(embedding_text(item.article.title, text[spans[first][0] : spans[end - 1][1]]))
        sentence_texts.extend(text[s:e] for s, e in spans)
    new_passages = encoder.encode(passage_texts, "embedding passages")
    new_sentences = encoder.encode(sentence_texts, "embedding sentences")
    dimension = encoder.embedder.dimension
    total_p = sum(len(item.passages) for item in planned)
    total_s = sum(len(item.sentence_spans) for item in planned)
    passage_vecs = np.empty((total_p, dimension), dtype=np.float32)
    sentence_vecs = np.empty((total_s, dimension), dtype=np.float32)
    p_row = s_row = p_new = s_new = 0
    for item in planned:
        n_p, n_s = len(item.passages), len(item.sentence_spans)
        if item.reuse is not None and previous is not None:
            old = item.reuse
            passage_vecs[p_row : p_row + n_p] = previous.passage_vectors[old.passage_row : old.passage_row + n_p]
            sentence_vecs[s_row : s_row + n_s] = previous.sentence_vectors[old.sentence_row : old.sentence_row + n_s]
        else:
            passage_vecs[p_row : p_row + n_p] = new_passages[p_new : p_new + n_p]
            sentence_vecs[s_row : s_row + n_s] = new_sentences[s_new : s_new + n_s]
            p_new += n_p
            s_new += n_s
        p_row += n_p
        s_row += n_s
    return passage_vecs, sentence_vecs


@dataclass
class _Changes:
    added: list[str]
    changed: list[str]
    removed: list[str]
    unchanged: int


def _diff(planned: Sequence[_Planned], previous: Snapshot | None) -> _Changes:
    old = {e.article_id: e for e in previous.entries} if previous is not None else {}
    added, changed = [], []
    unchanged = 0
    for item in planned:
        entry = old.get(item.article.article_id)
        if entry is None:
            added.append(item.article.article_id)
        elif (
            entry.content_hash != item.article.content_hash
            or entry.title != item.article.title
            or (entry.source, entry.date, entry.path) != _metadata(item.article)
        ):
            changed.append(item.article.article_id)
        else:
            unchanged += 1
    current = {item.article.article_id for item in planned}
    removed = sorted(article_id for article_id in old if article_id not in current)
    return _Changes(added, changed, removed, unchanged)


def _metadata(article: Article) -> tuple[str, str, str]:
    return (article.source, article.date.isoformat() if article.date else "", _source_path(article.path))


def _write_store(
    staging: Path,
    planned: Sequence[_Planned],
    carry_from: Snapshot | None,
    changes: _Changes,
    progress: Progress,
) -> None:
    target = staging / WHOOSH_DIR
    if carry_from is None:
        store.create(target)
        todo = set(item.article.article_id for item in planned)
        deletions: list[str] = []
    else:
        # Whoosh never rewrites a segment file in place, so hard links are a safe, instant copy.
        target.mkdir()
        for source in (carry_from.folder / WHOOSH_DIR).iterdir():
            if not source.name.endswith("LOCK"):
                os.link(source, target / source.name)
        todo = set(changes.added) | set(changes.changed)
        deletions = changes.changed + changes.removed
    docs = [
        store.PassageDoc(
            item.article.article_id,
            number,
            item.article.title,
            item.article.text[item.sentence_spans[first][0] : item.sentence_spans[end - 1][1]],
            item.article.source,
            item.article.date,
        )
        for item in planned
        if item.article.article_id in todo
        for number, (first, end) in enumerate(item.passages)
    ]
    progress("indexing", 0, len(docs))
    store.write(target, docs, delete_articles=deletions)
    progress("indexing", len(docs), len(docs))


def _write_postings(
    staging: Path, planned: Sequence[_Planned], previous: Snapshot | None, progress: Progress
) -> tuple[int, int]:
    """The BM25 sidecar: unchanged articles' postings carried over, new passages analysed."""
    writer = PostingsWriter(previous.bm25 if previous is not None else None)
    total = sum(len(item.passages) for item in planned)
    progress("postings", 0, total)
    for item in planned:
        if item.reuse is not None and previous is not None:
            writer.carry(item.reuse.passage_row, len(item.passages))
            continue
        text, spans = item.article.text, item.sentence_spans
        title_terms = analysis.terms(item.article.title)
        for first, end in item.passages:
            writer.add(analysis.terms(text[spans[first][0] : spans[end - 1][1]]), title_terms)
    progress("postings", total, total)
    return writer.save(staging)


def _write_coarse(staging: Path, passage_vecs: npt.NDArray[np.float32], previous: Snapshot | None) -> int:
    """The dense leg's coarse pass (index/coarse.py); an update keeps the previous projection."""
    projection = previous.coarse_projection if previous is not None else None
    if projection is None or projection.shape[0] != passage_vecs.shape[1]:
        projection = coarse.fit_projection(passage_vecs)
    vectors.save_array(staging, coarse.PROJECTION, np.asarray(projection, dtype=np.float32))
    vectors.save_array(staging, coarse.COARSE_VECTORS, coarse.project(passage_vecs, projection))
    return int(projection.shape[1])


def _stories(staging: Path, planned: Sequence[_Planned], previous: Snapshot | None) -> list[str]:
    """Each article's story id (near-duplicate group); signatures of unchanged articles are reused."""
    old: npt.NDArray[np.uint64] | None = None
    if previous is not None:
        old = vectors.load_array(
            previous.folder, vectors.MINHASH, len(previous.entries), reprints.PERMUTATIONS, np.uint64
        )
    signatures = np.empty((len(planned), reprints.PERMUTATIONS), dtype=np.uint64)
    for i, item in enumerate(planned):
        if item.reuse is not None and old is not None and previous is not None:
            signatures[i] = old[previous.by_id[item.reuse.article_id]]
        else:
            signatures[i] = reprints.signature(item.article.text)
    vectors.save_array(staging, vectors.MINHASH, signatures)
    roots = reprints.find_stories([item.article.text for item in planned], list(signatures))
    return [planned[root].article.article_id for root in roots]


def _write_arrays(
    staging: Path,
    planned: Sequence[_Planned],
    stories: Sequence[str],
    passage_vecs: npt.NDArray[np.float32],
    sentence_vecs: npt.NDArray[np.float32],
    embedder: Embedder,
    settings: Settings,
    bm25_size: tuple[int, int],
    coarse_dimension: int,
) -> Manifest:
    entries: list[ArticleEntry] = []
    passage_spans: list[tuple[int, int, int, int]] = []
    offset = p_row = s_row = 0
    with (staging / ARTICLES_FILE).open("wb") as articles_file:
        for item, story in zip(planned, stories, strict=True):
            article, spans = item.article, item.sentence_spans
            record = article_record(article)
            articles_file.write(record)
            passage_spans.extend(
                (first, end, int(spans[first][0]), int(spans[end - 1][1])) for first, end in item.passages
            )
            entries.append(
                ArticleEntry(
                    article_id=article.article_id,
                    content_hash=article.content_hash,
                    title=article.title,
                    source=article.source,
                    date=article.date.isoformat() if article.date else "",
                    path=_source_path(article.path),
                    passage_row=p_row,
                    passage_count=len(item.passages),
                    sentence_row=s_row,
                    sentence_count=len(spans),
                    offset=offset,
                    length=len(record),
                    source_mtime=_mtime(_source_path(article.path)),
                    story=story,
                )
            )
            offset += len(record)
            p_row += len(item.passages)
            s_row += len(spans)
        articles_file.flush()
        os.fsync(articles_file.fileno())
    sentence_spans = (
        np.concatenate([item.sentence_spans for item in planned]) if planned else np.zeros((0, 2), np.int32)
    )
    vectors.save_array(staging, vectors.PASSAGE_VECTORS, passage_vecs)
    vectors.save_array(staging, vectors.SENTENCE_VECTORS, sentence_vecs)
    vectors.save_array(staging, vectors.PASSAGE_SPANS, np.array(passage_spans, dtype=np.int32).reshape(-1, 4))
    vectors.save_array(staging, vectors.SENTENCE_SPANS, sentence_spans.astype(np.int32).reshape(-1, 2))
    files = {
        str(path.relative_to(staging)): path.stat().st_size for path in sorted(staging.rglob("*")) if path.is_file()
    }
    manifest = Manifest(
        package_version=archive.__version__,
        model_name=embedder.name,
        model_fingerprint=embedder.fingerprint,
        dimension=int(passage_vecs.shape[1]),
        passage_tokens=settings.passage_tokens,
        passage_overlap=settings.passage_overlap,
        splitter=SPLITTER,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        articles=tuple(entries),
        passages=p_row,
        sentences=s_row,
        files=files,
        bm25_terms=bm25_size[0],
        bm25_postings=bm25_size[1],
        coarse_dimension=coarse_dimension,
    )
    write_manifest(staging, manifest)
    return manifest


def _source_path(path: str) -> str:
    """Absolute, so a staleness check run from another working folder still finds the file."""
    return os.path.abspath(path) if path else ""


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0
