"""Build or update an index generation from article folders, a batch of articles at a time.

Articles flow through in batches of `settings.build_batch`: read (`FolderStream`), split and
planned, embedded, and handed to an `index.writer.GenerationWriter`, which appends them to
the staging folder's files, manifest entries included. So a build holds one batch's texts
and vectors, whatever the archive's size; across batches it keeps, per article, its id and
content hash (the readers' duplicate checks, the change tracking) and where its record
starts. What needs every article comes after the last batch, from disk: near-duplicate
stories (signatures and texts read back), the coarse projection, the manifest
(index/writer.py). `index.layout` then publishes the generation atomically.

Every file is read (that is how changes and deletions are found); an article whose text and
title are unchanged since the live generation reuses its sentence spans and vectors, and
only the rest are embedded. An update also carries the Whoosh store over and applies
deletions and additions to it, instead of re-indexing. This module never touches a file of
a generation itself.
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

import archive
from archive import planning, reprints
from archive.errors import InvalidRequestError
from archive.models import BuildReport
from archive.readers import FolderStream, ReadOutcome
from archive.recall import RecordRecall
from archive.sentences import SPLITTER
from archive.settings import Settings
from index import layout, pooling, schema
from index.embedder import Embedder
from index.encoding import Encoder, cache_path, open_cache, put_under_titles, title_texts
from index.records import Article, Progress, no_progress
from index.snapshot import Snapshot
from index.writer import BuildInfo, GenerationWriter, PlannedArticle, RowRuns, Written, extend_runs

Vectors = npt.NDArray[np.float32]


log = logging.getLogger(__name__)  # shown by `archive -v`; silent by default


def build_generation(
    roots: Sequence[str | Path],
    index_dir: Path,
    settings: Settings,
    embedder: Embedder,
    previous: Snapshot | None,
    incremental: bool,
    progress: Progress = no_progress,
    lock_wait: float = 0.0,
) -> BuildReport:
    started = time.perf_counter()
    check_roots(roots)
    embedder.load_in_background()  # made while this process reads, when there is text to embed
    with layout.build_lock(index_dir, wait_seconds=lock_wait):
        layout.remove_stale(index_dir)
        pruning = layout.prune_superseded(index_dir)
        tokens, overlap = settings.passage_tokens, settings.passage_overlap
        lender = previous if planning.reusable(previous, embedder.fingerprint, tokens, overlap) else None
        log.info("reading %s", ", ".join(str(root) for root in roots))
        progress("reading", 0, 1)
        recall = RecordRecall.of(previous) if incremental else None
        stream = FolderStream(roots, settings.max_article_chars, settings.follow_links, recall)
        tracker = planning.ChangeTracker(previous.entries if previous is not None else ())
        info = BuildInfo(archive.__version__, embedder.name, embedder.fingerprint, tokens, overlap, SPLITTER.name)
        dimension = lender.manifest.dimension if lender is not None else embedder.dimension
        staging = layout.new_staging(index_dir)
        encoder: Encoder | None = None
        try:
            writer = GenerationWriter(staging, info, dimension, lender, incremental and lender is not None, progress)
            try:
                encoder = open_encoder(settings, index_dir, embedder, progress)
                embed_seconds = _write_batches(stream, writer, tracker, lender, embedder, encoder, settings)
                progress("reading", 1, 1)
                outcome = stream.outcome()
                if not writer.articles:
                    raise _nothing_read(roots, outcome)
                changes = tracker.changes()
                log.info(
                    "%d articles read, %d not; %s the previous generation's vectors; embedded in %.1f s",
                    writer.articles,
                    len(outcome.failed),
                    "reusing" if lender is not None else "not reusing",
                    embed_seconds,
                )
                if writer.carry_store:
                    writer.delete(changes.removed)
                written = _finish(writer)
            except BaseException:
                writer.abandon()
                raise
            finally:
                if encoder is not None:
                    encoder.close()
            pruning.join()
            published = layout.publish(index_dir, staging)
            log.info("published %s in %s", published.name, index_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return build_report(
        changes,
        outcome,
        (written.articles, written.passages, written.sentences),
        time.perf_counter() - started,
        (embed_seconds, encoder.embedded, encoder.cache_hits),
    )


def _write_batches(
    stream: FolderStream,
    writer: GenerationWriter,
    tracker: planning.ChangeTracker,
    lender: Snapshot | None,
    embedder: Embedder,
    encoder: Encoder,
    settings: Settings,
) -> float:
    """Plan, embed and write the articles a batch at a time; the seconds spent embedding."""
    embed_seconds = 0.0
    for batch in batches(absolute_paths(stream), settings.build_batch):
        kinds = [tracker.see(article) for article in batch]
        planned = planning.plan(batch, lender, embedder, settings.passage_tokens, settings.passage_overlap)
        embed_started = time.perf_counter()
        vectors = vector_runs(planned, lender, encode_new(planned, encoder))
        embed_seconds += time.perf_counter() - embed_started
        reindex = None
        if writer.carry_store:  # only added and changed articles go into the carried Whoosh store
            writer.delete([a.article_id for a, kind in zip(batch, kinds, strict=True) if kind == planning.CHANGED])
            reindex = {a.article_id for a, kind in zip(batch, kinds, strict=True) if kind != planning.UNCHANGED}
        digests = [stream.digest(article.article_id) for article in batch]
        writer.add(planned, vectors, signatures(planned, lender), reindex, digests)
    return embed_seconds


def _finish(writer: GenerationWriter) -> Written:
    """Near-duplicate stories over every article (signatures and texts read back from disk), then the rest."""
    writer.end_batches()
    return writer.finish(reprints.find_stories(writer.texts(), writer.signatures()))


def batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(articles)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def absolute_paths(articles: Iterable[Article]) -> Iterator[Article]:
    """Articles with absolute paths, so staleness checks work from any working directory.

    One look-up per file (a JSONL file holds thousands of articles), and a copy only of an
    article whose path changes.
    """
    absolute: dict[str, str] = {}
    for article in articles:
        if not article.path:
            yield article
            continue
        if article.path not in absolute:
            absolute[article.path] = os.path.abspath(article.path)
        path = absolute[article.path]
        yield replace(article, path=path) if path != article.path else article


def build_report(
    changes: planning.Changes,
    outcome: ReadOutcome,
    counts: tuple[int, int, int],
    seconds: float,
    embedding: tuple[float, int, int],
) -> BuildReport:
    """What a build did: `counts` are the index's articles, passages and sentences; `embedding`
    its seconds embedding, texts embedded and cache hits."""
    articles, passages, sentences = counts
    embed_seconds, embedded, cache_hits = embedding
    return BuildReport(
        added=changes.added,
        changed=changes.changed,
        removed=changes.removed,
        unchanged=changes.unchanged,
        failed=outcome.failed,
        warnings=outcome.warnings,
        duplicates=outcome.duplicates,
        articles=articles,
        passages=passages,
        sentences=sentences,
        seconds=seconds,
        embed_seconds=embed_seconds,
        embedded=embedded,
        cache_hits=cache_hits,
    )


def check_roots(roots: Sequence[str | Path]) -> None:
    missing = [str(root) for root in roots if not Path(root).exists()]
    if missing:
        raise InvalidRequestError(f"No such folder or file: {', '.join(missing)}. Nothing was indexed.")


def read_articles(
    roots: Sequence[str | Path], settings: Settings, progress: Progress
) -> tuple[ReadOutcome, list[Article]]:
    """Every article of `roots` in read order (paths made absolute), held at once (a sharded build
    assigns them to shards); refuses to go on with none."""
    log.info("reading %s", ", ".join(str(root) for root in roots))
    progress("reading", 0, 1)
    stream = FolderStream(roots, settings.max_article_chars, settings.follow_links)
    articles = list(absolute_paths(stream))
    progress("reading", 1, 1)
    outcome = stream.outcome()
    if not articles:
        raise _nothing_read(roots, outcome)
    return outcome, articles


def _nothing_read(roots: Sequence[str | Path], outcome: ReadOutcome) -> InvalidRequestError:
    # Publishing an empty index would silently wipe a good one (an unmounted drive, a typo).
    problems = "; ".join(str(p) for p in outcome.failed[:3])
    return InvalidRequestError(
        f"No article could be read from {', '.join(str(r) for r in roots)}"
        + (f" ({len(outcome.failed)} problems: {problems})" if problems else "")
        + ". The index was left as it was."
    )


def open_encoder(settings: Settings, index_dir: Path, embedder: Embedder, progress: Progress) -> Encoder:
    return Encoder(embedder, open_cache(cache_path(settings.embedding_cache, index_dir), embedder), progress)


def encode_new(planned: Sequence[PlannedArticle], encoder: Encoder) -> tuple[Vectors, Vectors]:
    """Vectors of the passages and sentences of every article not reused, in article order.

    One forward pass per new passage gives its vector and its sentences' late-chunked ones; a
    sentence in two passages (the overlap) combines the two (index/pooling.py). Each title is
    embedded once, in the same call, and joins its article's passage vectors (`put_under_titles`).
    """
    fresh = [item for item in planned if item.reuse is None]
    texts: list[str] = []
    spans: list[list[tuple[int, int]]] = []
    for item in fresh:
        for text, passage_spans in _passage_inputs(item):
            texts.append(text)
            spans.append(passage_spans)
    titles = [item.article.title for item in fresh for _ in item.passages]
    distinct = title_texts(titles)
    embedded, pooled = encoder.encode_with_spans(
        [*texts, *distinct], [*spans, *([] for _ in distinct)], "embedding passages"
    )
    new_passages = put_under_titles(embedded, texts, titles, encoder.embedder)
    dimension = encoder.embedder.dimension
    sentence_vecs = np.empty((sum(len(item.sentence_spans) for item in fresh), dimension), dtype=np.float32)
    p_new = s_new = 0
    for item in fresh:
        n_p, n_s = len(item.passages), len(item.sentence_spans)
        held: list[list[tuple[Vectors, bool]]] = [[] for _ in range(n_s)]
        for (first, _), found in zip(item.passages, pooled[p_new : p_new + n_p], strict=True):
            for j, (vector, whole) in enumerate(zip(found.vectors, found.whole, strict=True)):
                held[first + j].append((vector, bool(whole)))
        for j, candidates in enumerate(held):
            sentence_vecs[s_new + j] = pooling.combine(candidates, dimension)
        p_new += n_p
        s_new += n_s
    return new_passages, sentence_vecs


def _passage_inputs(item: PlannedArticle) -> list[tuple[str, list[tuple[int, int]]]]:
    """Each passage's text and its sentences' character spans within it."""
    spans = item.sentence_spans
    inputs = []
    for (first, end), passage in zip(item.passages, item.passage_texts(), strict=True):
        shift = int(spans[first][0])
        inputs.append((passage, [(int(s) - shift, int(e) - shift) for s, e in spans[first:end]]))
    return inputs


def vector_runs(
    planned: Sequence[PlannedArticle], previous: Snapshot | None, new: tuple[Vectors, Vectors]
) -> tuple[RowRuns, RowRuns]:
    """Where every passage and sentence vector comes from, in article order: runs of the previous
    generation's rows (unchanged neighbours are neighbours there too: at 5,000 articles a few dozen
    runs, not 10,000 copies), and the `new` rows in turn."""
    new_passages, new_sentences = new
    lent = [item.reuse if previous is not None else None for item in planned]
    pairs = list(zip(planned, lent, strict=True))
    passages = _row_runs([(e.passage_row if e else None, i.passage_count) for i, e in pairs])
    sentences = _row_runs([(e.sentence_row if e else None, i.sentence_count) for i, e in pairs])
    return RowRuns(passages, new_passages), RowRuns(sentences, new_sentences)


def assemble_vectors(
    planned: Sequence[PlannedArticle], previous: Snapshot | None, new: tuple[Vectors, Vectors]
) -> tuple[Vectors, Vectors]:
    """Vectors for every passage and sentence, in article order, in memory (`vector_runs` filled in)."""
    passage_runs, sentence_runs = vector_runs(planned, previous, new)
    return (
        passage_runs.filled(previous.passage_vectors if previous is not None else None),
        sentence_runs.filled(previous.sentence_vectors if previous is not None else None),
    )


def _row_runs(items: Sequence[tuple[int | None, int]]) -> tuple[tuple[bool, int, int], ...]:
    """Copies that fill rows in order: per item (its first row in the previous generation, or None
    for a new article, whose rows come next from the new vectors; its row count), merged into
    (from the previous generation?, first source row, rows) runs."""
    runs: list[tuple[bool, int, int]] = []
    fresh = 0
    for old_first, count in items:
        reused = old_first is not None
        extend_runs(runs, (reused, old_first if old_first is not None else fresh, count))
        fresh += 0 if reused else count
    return tuple(runs)


def signatures(planned: Sequence[PlannedArticle], previous: Snapshot | None) -> npt.NDArray[np.uint64]:
    """Each article's MinHash signature (near-duplicate stories); unchanged articles' reused."""
    old = previous.minhash() if previous is not None else None
    result = np.empty((len(planned), schema.MINHASH_PERMUTATIONS), dtype=np.uint64)
    kept: list[int] = []  # positions in `planned`, and their rows in `old`
    rows: list[int] = []
    for i, item in enumerate(planned):
        if item.reuse is not None and old is not None and previous is not None:
            kept.append(i)
            rows.append(previous.by_id[item.reuse.article_id])
        else:
            result[i] = reprints.signature(item.article.text)
    if kept and old is not None:
        result[kept] = old[rows]  # one gather for every unchanged article, not a copy each
    return result
