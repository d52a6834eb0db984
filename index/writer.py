"""The one writer of a generation (index/schema.py): everything a build hands over, onto disk.

The caller (archive/building.py) reads, splits, plans and embeds the articles a batch at a
time and hands each batch to a `GenerationWriter`, which appends it to the article store,
the Whoosh store (fresh, or carried over from the previous generation by hard links with
deletions and additions applied), the BM25 postings (unchanged articles' carried by row,
spilled to disk in sorted runs), the vector, span and MinHash arrays, all in a staging
folder that `layout.publish` then swaps in. Each article's manifest entry goes to a file
there too (`manifest.SpilledEntries`); in memory a build keeps only where each article's
record starts in the article store. `finish` makes what needs every row (the coarse
projection and its vectors, from the vectors on disk) and writes the manifest last, its
article rows streamed from that file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from array import array
from collections.abc import Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from index import analysis, appending, coarse, coarse_file, fileio, schema, store
from index.manifest import ArticleEntry, Manifest, SpilledEntries, write_manifest
from index.readback import StoredRows, StoredTexts
from index.records import Article, Progress
from index.snapshot import Snapshot
from index.sparse import PostingsWriter

Vectors = npt.NDArray[np.float32]

WRITE_BATCH = 1000  # articles per batch when a whole build's rows are handed over at once
_SPILL = ".postings-runs"  # the BM25 writer's sorted runs, inside the staging folder until `finish`
_ENTRIES = ".manifest-entries"  # the articles' manifest entries, inside the staging folder until `finish`
_BATCHED = (
    schema.PASSAGE_VECTORS,
    schema.SENTENCE_VECTORS,
    schema.PASSAGE_SPANS,
    schema.SENTENCE_SPANS,
    schema.MINHASH,
    schema.RECORD_DIGESTS,
)


class PlannedArticle:
    """An article with its sentences and passages, and the previous generation's entry when unchanged.

    An unchanged article's layout (sentence spans, passages) is the `lender` generation's, read
    only when asked: an update writes the spans of unchanged articles by runs of rows, so most of
    them are never read (5,000 articles' layouts cost ~30 ms of a fresh update).
    """

    __slots__ = ("_lender", "_passages", "_spans", "article", "reuse")

    def __init__(
        self,
        article: Article,
        sentence_spans: npt.NDArray[np.int32] | None,
        passages: list[tuple[int, int]] | None,
        reuse: ArticleEntry | None = None,
        lender: Snapshot | None = None,
    ) -> None:
        if (sentence_spans is None or passages is None) and (reuse is None or lender is None):
            raise ValueError("an article planned without its layout needs the entry and generation that hold it")
        self.article, self.reuse, self._lender = article, reuse, lender
        self._spans, self._passages = sentence_spans, passages

    @classmethod
    def unchanged(cls, article: Article, entry: ArticleEntry, lender: Snapshot) -> PlannedArticle:
        """An article whose sentences, passages and vectors are `lender`'s rows of `entry`."""
        return cls(article, None, None, entry, lender)

    @property
    def lender(self) -> Snapshot | None:
        """The generation whose rows of `reuse` are this article's layout (None: planned here)."""
        return self._lender

    @property
    def sentence_spans(self) -> npt.NDArray[np.int32]:
        """(n, 2) character spans of the sentences."""
        if self._spans is None:
            self._read_layout()
        assert self._spans is not None
        return self._spans

    @property
    def passages(self) -> list[tuple[int, int]]:
        """Sentence ranges [first, end) of the passages."""
        if self._passages is None:
            self._read_layout()
        assert self._passages is not None
        return self._passages

    @passages.setter
    def passages(self, passages: list[tuple[int, int]]) -> None:
        if self.reuse is not None:  # its rows, postings and vectors are the lender's: chunked there
            raise ValueError("an unchanged article keeps the passages it was indexed with")
        self._passages = passages

    @property
    def sentence_count(self) -> int:
        return self.reuse.sentence_count if self._spans is None and self.reuse is not None else len(self.sentence_spans)

    @property
    def passage_count(self) -> int:
        return self.reuse.passage_count if self._passages is None and self.reuse is not None else len(self.passages)

    def __getstate__(self) -> tuple[Article, npt.NDArray[np.int32], list[tuple[int, int]], ArticleEntry | None]:
        """Pickled (a Ray worker hands its shard's plan back) with the layout read and no lender:
        a generation holds open files."""
        return self.article, self.sentence_spans, self.passages, self.reuse

    def __setstate__(
        self, state: tuple[Article, npt.NDArray[np.int32], list[tuple[int, int]], ArticleEntry | None]
    ) -> None:
        self.article, self._spans, self._passages, self.reuse = state
        self._lender = None

    def _read_layout(self) -> None:
        assert self._lender is not None and self.reuse is not None
        self._spans, self._passages = self._lender.article_layout(self.reuse)

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


@dataclass(frozen=True)
class Written:
    """What a finished generation holds."""

    articles: int
    passages: int
    sentences: int


@dataclass(frozen=True)
class RowRuns:
    """A batch's rows of one array file, in order: runs copied from the previous generation's file
    (for vectors file to file, never through Python), and between them the rows in `new`, in order."""

    runs: tuple[tuple[bool, int, int], ...]  # (from the previous generation?, its first row there or in `new`, rows)
    new: npt.NDArray[Any]

    @classmethod
    def given(cls, rows: npt.NDArray[Any]) -> RowRuns:
        """All rows given (nothing copied)."""
        return cls(((False, 0, len(rows)),) if len(rows) else (), rows)

    def filled(self, old: npt.NDArray[Any] | None) -> npt.NDArray[Any]:
        """Every row in memory, in order: the runs taken from `old` (the previous generation's array)
        or from `new`."""
        target = np.empty((sum(count for _, _, count in self.runs), *self.new.shape[1:]), dtype=self.new.dtype)
        row = 0
        for reused, source, count in self.runs:
            taken = old if reused and old is not None else self.new
            target[row : row + count] = taken[source : source + count]
            row += count
        return target


class GenerationWriter:
    """Writes one generation into `staging`, a batch of articles at a time; `finish` completes it.

    `previous` (built with the same model and chunking) lends unchanged articles' postings and
    its coarse projection; with `carry_store` its Whoosh store is carried over, and a batch
    (re)indexes only the articles it names. Held between batches: where each article's record
    starts (8 bytes an article), the BM25 vocabulary and at most a run of postings; the rest,
    manifest entries included, is on disk.
    """

    def __init__(
        self,
        staging: Path,
        info: BuildInfo,
        dimension: int,
        previous: Snapshot | None,
        carry_store: bool,
        progress: Progress,
    ) -> None:
        self.staging, self.info, self.dimension, self.previous = staging, info, dimension, previous
        self.progress = progress
        target = staging / schema.WHOOSH
        if carry_store and previous is not None:
            # Whoosh never rewrites a segment file in place, so hard links are a safe, instant copy.
            target.mkdir()
            for source in (previous.folder / schema.WHOOSH).iterdir():
                if not source.name.endswith("LOCK"):
                    os.link(source, target / source.name)
        else:
            store.create(target)
        self.carry_store = carry_store and previous is not None
        progress("indexing", 0, 0)
        self._store = store.StoreWriter(target)
        self._postings = PostingsWriter(previous.bm25 if previous is not None else None, staging / _SPILL)
        columns = schema.Sizes(0, 0, 0, dimension)
        self._syncs = fileio.BackgroundSyncs()
        self._arrays = {
            spec: appending.ArrayAppender(staging / spec.name, spec.dtype, _columns(spec, columns), self._syncs)
            for spec in _BATCHED
        }
        # The previous generation's vector files, for the runs of rows an update keeps (RowRuns).
        self._lent: dict[schema.ArrayFile, appending.RowFile] = {}
        if previous is not None:
            for spec in (schema.PASSAGE_VECTORS, schema.SENTENCE_VECTORS):
                self._lent[spec] = appending.RowFile(previous.folder / spec.name)
        # Where each passage row came from, as runs (from the previous generation?, first source row, rows),
        # so `finish` copies the coarse rows of kept passages instead of projecting them again.
        self._passage_runs: list[tuple[bool, int, int]] = []
        self._articles = (staging / schema.ARTICLES).open("wb")
        self._ended = False  # end_batches done: the article store and the arrays are closed or closing
        self._bm25_files: Future[tuple[int, int]] | None = None  # (terms, postings), started by end_batches
        self._entries = SpilledEntries(staging / _ENTRIES)  # stories named by `finish`
        self._starts = array("q", [0])  # each article's record offset in the article store, and the end
        self._passage_row = self._sentence_row = 0
        self._mtimes: dict[str, float] = {}  # one stat per file: a JSONL file holds thousands of articles

    @property
    def articles(self) -> int:
        """Articles written so far."""
        return len(self._starts) - 1

    def add(
        self,
        planned: Sequence[PlannedArticle],
        vectors: tuple[RowRuns, RowRuns],
        minhash: npt.NDArray[np.uint64],
        reindex: Collection[str] | None = None,
        digests: Sequence[bytes] | None = None,
    ) -> None:
        """Append a batch: its articles in order, their (passage, sentence) vectors and signatures.

        `reindex`, for a carried store: the ids whose passages go into the Whoosh store (None: all).
        `digests`: each article's record digest (archive/recall.py); None: zeros, none remembered.
        """
        passage_rows, sentence_rows = vectors
        self._store.add(
            store.PassageDoc(
                item.article.article_id, number, item.article.title, text, item.article.source, item.article.date
            )
            for item in planned
            if reindex is None or item.article.article_id in reindex
            for number, text in enumerate(item.passage_texts())
        )
        self._add_postings(planned)
        first_row = self._arrays[schema.PASSAGE_VECTORS].rows
        for reused, source, count in self._append_vectors(schema.PASSAGE_VECTORS, passage_rows):
            extend_runs(self._passage_runs, (reused, source if reused else first_row, count))
            first_row += count
        self._append_vectors(schema.SENTENCE_VECTORS, sentence_rows)
        passage_spans, sentence_spans = self._span_rows(planned)
        self._arrays[schema.PASSAGE_SPANS].append(passage_spans)
        self._arrays[schema.SENTENCE_SPANS].append(sentence_spans)
        self._arrays[schema.MINHASH].append(
            np.asarray(minhash, dtype=np.uint64).reshape(-1, schema.MINHASH_PERMUTATIONS)
        )
        self._arrays[schema.RECORD_DIGESTS].append(_digest_rows(digests, len(planned)))
        self._add_articles(planned)
        self.progress("indexing", self._passage_row, self._passage_row)

    def _span_rows(self, planned: Sequence[PlannedArticle]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
        """A batch's passage spans (n, 4) and sentence spans (m, 2): an unchanged article's rows are
        the previous generation's (spans are within the article), taken by runs of neighbours."""
        previous = self.previous
        passage_runs: list[tuple[bool, int, int]] = []
        sentence_runs: list[tuple[bool, int, int]] = []
        new_passages: list[npt.NDArray[np.int32]] = [np.zeros((0, 4), np.int32)]
        new_sentences: list[npt.NDArray[np.int32]] = [np.zeros((0, 2), np.int32)]
        fresh_passages = fresh_sentences = 0
        for item in planned:
            entry = item.reuse
            if entry is not None and previous is not None and item.lender is previous:
                extend_runs(passage_runs, (True, entry.passage_row, entry.passage_count))
                extend_runs(sentence_runs, (True, entry.sentence_row, entry.sentence_count))
                continue
            new_passages.append(np.array(_passage_spans(item), dtype=np.int32).reshape(-1, 4))
            new_sentences.append(np.asarray(item.sentence_spans, dtype=np.int32).reshape(-1, 2))
            extend_runs(passage_runs, (False, fresh_passages, len(new_passages[-1])))
            extend_runs(sentence_runs, (False, fresh_sentences, len(new_sentences[-1])))
            fresh_passages += len(new_passages[-1])
            fresh_sentences += len(new_sentences[-1])
        passages = RowRuns(tuple(passage_runs), np.concatenate(new_passages))
        sentences = RowRuns(tuple(sentence_runs), np.concatenate(new_sentences))
        return (
            passages.filled(previous.passage_spans if previous is not None else None),
            sentences.filled(previous.sentence_spans if previous is not None else None),
        )

    def _append_vectors(self, spec: schema.ArrayFile, rows: RowRuns) -> tuple[tuple[bool, int, int], ...]:
        """Append a batch's rows of one vector file; returns its runs."""
        out = self._arrays[spec]
        for reused, first, count in rows.runs:
            if reused:
                out.copy_rows(self._lent[spec], first, count)
            else:
                out.append(np.asarray(rows.new[first : first + count], dtype=np.float32))
        return rows.runs

    def delete(self, article_ids: Sequence[str]) -> None:
        """Remove articles from the carried store (its documents from before this build only)."""
        self._store.delete(article_ids)

    def _add_postings(self, planned: Sequence[PlannedArticle]) -> None:
        """The BM25 sidecar's rows: unchanged articles' postings carried over, new passages analysed."""
        previous = self.previous
        for item in planned:
            if item.reuse is not None and previous is not None:
                self._postings.carry(item.reuse.passage_row, item.passage_count)
                continue
            title_terms = analysis.terms(item.article.title)
            for text in item.passage_texts():
                self._postings.add(analysis.terms(text), title_terms)

    def _add_articles(self, planned: Sequence[PlannedArticle]) -> None:
        """The article store's records, and each article's manifest entry (rows, record offset), spilled."""
        entries = []
        for item in planned:
            article = item.article
            record = schema.encode_article(article)
            self._articles.write(record)
            offset = self._starts[-1]
            entries.append(
                ArticleEntry(
                    article_id=article.article_id,
                    content_hash=article.content_hash,
                    title=article.title,
                    source=article.source,
                    date=article.date.isoformat() if article.date else "",
                    path=article.path,
                    passage_row=self._passage_row,
                    passage_count=item.passage_count,
                    sentence_row=self._sentence_row,
                    sentence_count=item.sentence_count,
                    offset=offset,
                    length=len(record),
                    source_mtime=_mtime(article.path, self._mtimes),
                )
            )
            self._starts.append(offset + len(record))
            self._passage_row += item.passage_count
            self._sentence_row += item.sentence_count
        self._entries.append(entries)

    def end_batches(self) -> None:
        """No more batches: the article store and the arrays are complete on disk (readable by `texts`)."""
        if self._ended:
            return
        self._ended = True
        # The BM25 files are complete too: sorted and written on a thread (numpy and the writes
        # release the lock) while the caller finds stories and `finish` commits the Whoosh store.
        background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bm25-files")
        self._bm25_files = background.submit(self._postings.save, self.staging)
        background.shutdown(wait=False)  # the thread ends with its one task
        self._syncs.sync_and_close(self._articles)
        self._entries.close()
        for appender in self._arrays.values():
            appender.close()
        for lent in self._lent.values():
            lent.close()

    def texts(self) -> StoredTexts:
        """The articles' texts in order, read back from the article store on demand."""
        return StoredTexts(self.staging / schema.ARTICLES, self._starts)

    def signatures(self) -> StoredRows:
        """Every article's MinHash signature, in order, a chunk of rows at a time, read again on each
        iteration (near-duplicates read them once a band)."""
        return StoredRows(self.staging / schema.MINHASH.name)

    def finish(self, stories: npt.NDArray[np.int64] | None, projection: Vectors | None = None) -> Written:
        """Complete the generation: the Whoosh commit, BM25 files, coarse pass and manifest.

        `stories` gives each article's story as the row of its first article, in order (None: no
        stories, a shard's, whose set holds them); a shard is given its archive's `projection`.
        """
        self.end_batches()
        self._store.commit()
        assert self._bm25_files is not None
        bm25_terms, bm25_postings = self._bm25_files.result()
        shutil.rmtree(self.staging / _SPILL, ignore_errors=True)
        passage_file = self.staging / schema.PASSAGE_VECTORS.name
        kept: tuple[Path, list[tuple[bool, int, int]]] | None = None
        if projection is None:
            projection = coarse_file.carried_projection(self.previous, self.dimension)
            if projection is not None and self.previous is not None and self.previous.passage_coarse is not None:
                # The same projection: a kept passage's coarse row is the previous generation's.
                kept = (self.previous.folder / schema.COARSE_VECTORS.name, self._passage_runs)
        if projection is None:
            total = self._passage_row
            projection = coarse.fit_sample(appending.read_rows(passage_file, coarse.sample_rows(total)))
        coarse_dimension = coarse_file.write_coarse(self.staging, passage_file, projection, self._syncs, kept)
        if stories is not None:
            self._entries.name_stories(stories)
        files = {
            str(path.relative_to(self.staging)): path.stat().st_size
            for path in sorted(self.staging.rglob("*"))
            if path.is_file() and path != self._entries.path
        }
        manifest = Manifest(
            package_version=self.info.package_version,
            model_name=self.info.model_name,
            model_fingerprint=self.info.model_fingerprint,
            dimension=self.dimension,
            passage_tokens=self.info.passage_tokens,
            passage_overlap=self.info.passage_overlap,
            splitter=self.info.splitter,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            articles=(),  # streamed from the spilled entries
            passages=self._passage_row,
            sentences=self._sentence_row,
            files=files,
            bm25_terms=bm25_terms,
            bm25_postings=bm25_postings,
            coarse_dimension=coarse_dimension,
        )
        write_manifest(self.staging, manifest, self._entries)
        self._entries.remove()
        self._syncs.wait()
        return Written(self.articles, self._passage_row, self._sentence_row)

    def abandon(self) -> None:
        """Stop writing (the caller removes the staging folder)."""
        self._store.cancel()
        if self._bm25_files is not None:  # its thread writes into the staging folder: let it end first
            with contextlib.suppress(BaseException):
                self._bm25_files.result()
        with contextlib.suppress(OSError):
            self._syncs.wait()
        self._entries.close()
        if not self._ended:
            self._articles.close()
            for appender in self._arrays.values():
                appender.abandon()
        for lent in self._lent.values():
            lent.close()


def write_generation(
    staging: Path,
    planned: Sequence[PlannedArticle],
    vectors: tuple[Vectors, Vectors],
    minhash: npt.NDArray[np.uint64],
    info: BuildInfo,
    previous: Snapshot | None,
    store_changes: StoreChanges | None,
    progress: Progress,
    projection: Vectors | None = None,
) -> Written:
    """Write a whole generation into `staging` at once, through `GenerationWriter` (a sharded build's shard).

    `vectors` are (passages, sentences) for every planned article in order. Its articles name no
    story: a shard set holds the stories, which span shards. With `store_changes`, `previous`'s
    Whoosh store is carried over and changed.
    """
    passage_vecs, sentence_vecs = vectors
    writer = GenerationWriter(staging, info, int(passage_vecs.shape[1]), previous, store_changes is not None, progress)
    try:
        if store_changes is not None:
            writer.delete(store_changes.delete)
        p_row = s_row = 0
        for start in range(0, len(planned), WRITE_BATCH):
            batch = planned[start : start + WRITE_BATCH]
            p_end = p_row + sum(item.passage_count for item in batch)
            s_end = s_row + sum(item.sentence_count for item in batch)
            writer.add(
                batch,
                (RowRuns.given(passage_vecs[p_row:p_end]), RowRuns.given(sentence_vecs[s_row:s_end])),
                minhash[start : start + len(batch)],
                store_changes.index if store_changes is not None else None,
            )
            p_row, s_row = p_end, s_end
        return writer.finish(None, projection)
    except BaseException:
        writer.abandon()
        raise


def _digest_rows(digests: Sequence[bytes] | None, count: int) -> npt.NDArray[np.uint8]:
    if digests is None:
        return np.zeros((count, schema.DIGEST_BYTES), dtype=np.uint8)
    if len(digests) != count or any(len(d) != schema.DIGEST_BYTES for d in digests):
        raise ValueError(f"{count} articles need as many digests of {schema.DIGEST_BYTES} bytes")
    return np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(count, schema.DIGEST_BYTES)


def _columns(spec: schema.ArrayFile, sizes: schema.Sizes) -> int | None:
    shape = spec.shape(sizes)
    return shape[1] if len(shape) == 2 else None


def _passage_spans(item: PlannedArticle) -> list[tuple[int, int, int, int]]:
    spans = item.sentence_spans.tolist()  # plain ints: indexing the array per passage costs more
    return [(first, end, spans[first][0], spans[end - 1][1]) for first, end in item.passages]


def extend_runs(runs: list[tuple[bool, int, int]], run: tuple[bool, int, int]) -> None:
    """Append a run of rows (from the previous generation?, first source row, rows), merged with the
    last one when it continues it."""
    reused, first, count = run
    if runs and runs[-1][0] == reused and runs[-1][1] + runs[-1][2] == first:
        runs[-1] = (reused, runs[-1][1], runs[-1][2] + count)
    elif count:
        runs.append(run)


def _mtime(path: str, known: dict[str, float]) -> float:
    """The file's mtime (0 when gone or none), stat'ed once per build: `known` holds those seen."""
    if path not in known:
        try:
            known[path] = os.stat(path).st_mtime if path else 0.0
        except OSError:
            known[path] = 0.0
    return known[path]
