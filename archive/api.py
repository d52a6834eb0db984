"""The public `Archive`: build, open, update, search, ask, read articles.

Scripts, the CLI and the TUI all use exactly this class. Everything it returns is a
frozen dataclass from `archive.models`; no Whoosh or numpy object crosses it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from archive.building import build_generation
from archive.cluster import pool_factory, shard_runner
from archive.errors import ArchiveError, IndexIncompatibleError, IndexMissingError, InputLimitError, InvalidRequestError
from archive.language import names_something
from archive.models import SEARCH_MODES, Answer, Article, BuildReport, Hit, IndexInfo, SearchMode
from archive.periods import Period, named_period
from archive.sentences import SPLITTER
from archive.settings import Settings
from archive.sharded_building import build_sharded
from index import layout
from index.blas import one_blas_thread
from index.embedder import Embedder
from index.reader import Reader, open_reader
from index.records import Progress, no_progress
from index.retriever import Retrieval, RetrievalOptions, retrieve
from index.sharded import ShardedSnapshot
from index.snapshot import Snapshot

if TYPE_CHECKING:
    from archive.answer import Evidence

ARTICLE_CACHE_SIZE = 256
EMPTY_QUESTION = "The question is empty: type some words to search for."
NAMES_NOTHING = (
    "The question has only question words and pronouns: name what it is about (a person, a place, an event)."
)
E = TypeVar("E", bound=Embedder)


class Archive:
    """An open index. Thread-safe for queries; sees newer generations as they are published."""

    def __init__(self, index_dir: Path, settings: Settings, embedder: Embedder | None = None) -> None:
        self.index_dir = index_dir
        self.settings = settings
        self.embedder = embedder or embedder_for(settings)
        self._lock = threading.RLock()
        self._pools = pool_factory(settings)  # Ray actors serve the shards when a cluster is set
        self._snapshot: Reader = open_reader(index_dir, self._pools)
        self._articles: OrderedDict[tuple[str, str], Article] = OrderedDict()
        self._model_checked = False
        self.last_report: BuildReport | None = None

    # ----- opening and building -------------------------------------------------------

    @classmethod
    def open(
        cls,
        index_dir: str | Path | None = None,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
    ) -> Archive:
        """Open the index at `index_dir` (default: settings.index_dir)."""
        settings = settings or Settings.from_env()
        return cls(Path(index_dir or settings.index_dir), settings, embedder)

    @classmethod
    def build(
        cls,
        folders: Sequence[str | Path],
        index_dir: str | Path | None = None,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        progress: Progress | None = None,
        lock_wait: float = 0.0,
        shards: int | None = None,
    ) -> Archive:
        """Index `folders` from scratch into a new generation and return the archive open on it.

        With `shards`, the index is split into that many shards (docs/sharding.md), answering
        exactly as one index; later updates keep the number. With `settings.ray_address`, the
        shards are embedded and written by tasks on that Ray cluster (archive/cluster/).
        """
        settings = settings or Settings.from_env()
        path = Path(index_dir or settings.index_dir)
        embedder = embedder or embedder_for(settings)
        if settings.ray_address and shards is None:
            raise InvalidRequestError(
                "A build on a Ray cluster splits the index into shards, one task each: give the number "
                "(`--shards N`, shards=N), for example one per CPU of the cluster."
            )
        if shards is not None:
            progress = progress or no_progress
            runner = shard_runner(settings, path, progress)
            report = build_sharded(folders, path, settings, embedder, None, shards, False, progress, lock_wait, runner)
        else:
            report = build_generation(
                folders,
                path,
                settings,
                embedder,
                None,
                incremental=False,
                progress=progress or no_progress,
                lock_wait=lock_wait,
            )
        archive = cls(path, settings, embedder)
        archive.last_report = report
        return archive

    @classmethod
    def open_or_build(
        cls,
        index_dir: str | Path | None = None,
        folders: Sequence[str | Path] | None = None,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        progress: Progress | None = None,
    ) -> Archive:
        """Open the index, building it from `folders` (default: the bundled seeds) if there is none."""
        settings = settings or Settings.from_env()
        path = Path(index_dir or settings.index_dir)
        try:
            return cls.open(path, settings, embedder)
        except IndexMissingError:
            return cls.build(folders or [settings.seeds_dir], path, settings, embedder, progress, lock_wait=600)

    def update(
        self, folders: Sequence[str | Path], progress: Progress | None = None, lock_wait: float = 0.0
    ) -> BuildReport:
        """Bring the index in line with `folders`: embed only added or changed articles, drop removed ones.

        A sharded index rewrites only the shards whose articles changed. The archive answers from
        the new generation from its next call on (`_current` moves to it), not by opening it here:
        a one-shot `archive update` would pay a fifth of a second at 5,000 articles for nothing.
        """
        current = self._current()
        if isinstance(current, ShardedSnapshot):
            shards = len(current.shard_set.shards)
            progress = progress or no_progress
            runner = shard_runner(self.settings, self.index_dir, progress)
            report = build_sharded(
                folders,
                self.index_dir,
                self.settings,
                self.embedder,
                current,
                shards,
                True,
                progress,
                lock_wait,
                runner,
            )
        else:
            report = build_generation(
                folders,
                self.index_dir,
                self.settings,
                self.embedder,
                current if isinstance(current, Snapshot) else None,
                incremental=True,
                progress=progress or no_progress,
                lock_wait=lock_wait,
            )
        self.last_report = report
        return report

    def refresh(self) -> bool:
        """Switch to the newest published generation if it changed; True when it did.

        The old snapshot is not closed here: a query running in another thread may still
        be reading it, and its files are released when the last reference goes.
        """
        name = layout.current_name(self.index_dir)
        with self._lock:
            if name is None or name == self._snapshot.name:
                return False
            self._snapshot = open_reader(self.index_dir, self._pools)
            self._model_checked = False
        return True

    @property
    def generation(self) -> str:
        """The name of the generation queries are answered from, after moving to the newest."""
        return self._current().name

    def close(self) -> None:
        with self._lock:
            self._snapshot.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----- the model ------------------------------------------------------------------

    @property
    def model_ready(self) -> bool:
        return self.embedder.loaded

    def load_model(self) -> None:
        """Load the embedding model now (otherwise it loads on the first dense query)."""
        self._query_embedder()

    def _query_embedder(self) -> Embedder:
        if not self._model_checked:
            built_with = self._current().manifest.model_fingerprint
            if built_with != self.embedder.fingerprint:
                raise IndexIncompatibleError(
                    f"The index at {self.index_dir} was built with model {self._current().manifest.model_name} "
                    f"(weights {built_with[:12]}), not the configured {self.embedder.name} "
                    f"(weights {self.embedder.fingerprint[:12]}). Rebuild with `archive build` "
                    "or set ARCHIVE_MODEL to the model it was built with."
                )
            self.embedder.load()
            self._model_checked = True
        return self.embedder

    # ----- queries --------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        mode: SearchMode = "hybrid",
        source: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> list[Hit]:
        """The `k` best passages for `query`, best first."""
        self._check(query, k, mode, since, until)
        if not query.strip():
            return []
        snapshot = self._current()
        retrieval = self._retrieve(snapshot, query, k, mode, source, since, until)
        return [self._hit(snapshot, p.row, p.score, rank) for rank, p in enumerate(retrieval.passages, start=1)]

    def ask(
        self,
        question: str,
        *,
        k: int = 5,
        mode: SearchMode = "hybrid",
        source: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> Answer:
        """Answer with up to `k` verbatim sentences, or `answered=False` and the closest passages."""
        from archive.answer import answer_parts, dated_summary  # not loaded by a build or an update

        with one_blas_thread():  # index/blas.py: the answer's products too
            started = time.perf_counter()
            self._check(question, k, mode, since, until)
            unsearched = _why_not_searched(question)
            if unsearched:
                return Answer(question, False, note=unsearched, searched=False)
            snapshot = self._current()
            depth = max(self.settings.answer_passages, k)
            retrieval = self._retrieve(snapshot, question, depth, mode, source, since, until)
            hits = tuple(self._hit(snapshot, p.row, p.score, r) for r, p in enumerate(retrieval.passages, start=1))
            query_vector = retrieval.query_vector
            if query_vector is None and self.embedder.loaded:
                query_vector = self.embedder.encode_one(question)  # sentence scoring uses the model when it can
            # The answer's sentences come from the hits' articles, read (and cached) just above.
            articles = {hit.article_id: self._article(snapshot, hit.article_id) for hit in hits}
            parts = answer_parts(snapshot, question, retrieval, query_vector, k, self.settings, articles)
            return Answer(
                question=question,
                answered=bool(parts.citations),
                citations=parts.citations,
                hits=hits[:k],
                confidence=parts.confidence,
                mode=retrieval.mode,
                seconds=time.perf_counter() - started,
                note=_note(retrieval.mode, mode, bool(parts.citations), named_period(question)),
                claims=parts.claims,
                conflict=parts.conflict,
                dated=dated_summary(parts.citations),
            )

    def evidence(self, question: str, *, mode: SearchMode = "hybrid") -> Evidence:
        """Every candidate sentence `ask` scores for `question`, with its signals and score.

        For tuning and inspecting the scorer (`bench/tune_answerer.py`): retrieval as `ask`
        does it with the default `k` and no filters; nothing is selected or cut. A question
        `ask` does not search (empty, or naming nothing) has no candidates.
        """
        from archive.answer import Evidence, evidence

        self._check(question, 1, mode, None, None)
        if _why_not_searched(question):
            return Evidence(question, {}, ())
        snapshot = self._current()
        retrieval = self._retrieve(snapshot, question, self.settings.answer_passages, mode, None, None, None)
        query_vector = retrieval.query_vector
        if query_vector is None and self.embedder.loaded:
            query_vector = self.embedder.encode_one(question)
        article_ids = dict.fromkeys(snapshot.passage(p.row).article.article_id for p in retrieval.passages)
        articles = {article_id: self._article(snapshot, article_id) for article_id in article_ids}
        return evidence(snapshot, question, retrieval, query_vector, self.settings, articles)

    def article(self, article_id: str) -> Article:
        """The stored article (its text is what citation offsets point into)."""
        return self._article(self._current(), article_id)

    def is_stale(self, article_id: str) -> bool:
        """True when the article's source file changed or vanished since it was indexed."""
        entry = self._current().entry(article_id)
        if not entry.path or not entry.source_mtime:
            return False
        try:
            return os.stat(entry.path).st_mtime != entry.source_mtime
        except OSError:
            return True

    def info(self) -> IndexInfo:
        snapshot = self._current()
        m = snapshot.manifest
        return IndexInfo(
            path=str(self.index_dir),
            articles=len(m.articles),
            passages=m.passages,
            sentences=m.sentences,
            sources=snapshot.sources(),
            built_at=m.built_at,
            model=m.model_name,
            schema_version=m.schema_version,
            package_version=m.package_version,
            splitter=f"{SPLITTER.library} ({SPLITTER.name})",
            index_splitter=m.splitter,
        )

    # ----- internals --------------------------------------------------------------------

    def _current(self) -> Reader:
        """The snapshot to serve from, moving to a newer published generation first if there is one.

        Reading the one-line CURRENT file costs microseconds. A new generation that cannot be
        opened is not served; the one in use stays valid (its files are kept by the builder).
        """
        with contextlib.suppress(ArchiveError):
            self.refresh()
        with self._lock:
            return self._snapshot

    def _check(self, text: str, k: int, mode: str, since: date | None, until: date | None) -> None:
        if len(text) > self.settings.max_query_chars:
            raise InputLimitError(
                f"The query is {len(text):,} characters long; the limit is {self.settings.max_query_chars:,}."
            )
        if any("\ud800" <= ch <= "\udfff" for ch in text):
            raise InvalidRequestError(
                "The query holds characters that are not valid Unicode (an undecodable byte from the terminal?); "
                "retype it."
            )
        if k < 1:
            raise InvalidRequestError(f"k must be at least 1 (got {k}).")
        if mode not in SEARCH_MODES:
            raise InvalidRequestError(f"Unknown search mode {mode!r}; use one of {', '.join(SEARCH_MODES)}.")
        if since and until and since > until:
            raise InvalidRequestError(f"The date range is empty: since {since} is after until {until}.")

    def _retrieve(
        self,
        snapshot: Reader,
        text: str,
        k: int,
        mode: SearchMode,
        source: str | None,
        since: date | None,
        until: date | None,
    ) -> Retrieval:
        # BM25 needs no model; a BM25 request still uses the model for sentence scoring if it is loaded.
        embedder = self._query_embedder() if mode != "bm25" or self.embedder.loaded else None
        options = retrieval_options(self.settings)
        return retrieve(snapshot, embedder, text, k, mode, options, source, since, until)

    def _hit(self, snapshot: Reader, row: int, score: float, rank: int) -> Hit:
        ref = snapshot.passage(row)
        article = self._article(snapshot, ref.article.article_id)
        return Hit(
            article_id=article.article_id,
            title=article.title,
            source=article.source,
            date=article.date,
            text=article.text[ref.start : ref.end],
            start=ref.start,
            end=ref.end,
            score=score,
            rank=rank,
            content_hash=article.content_hash,
        )

    def _article(self, snapshot: Reader, article_id: str) -> Article:
        key = (snapshot.name, article_id)
        with self._lock:
            cached = self._articles.get(key)
            if cached is not None:
                self._articles.move_to_end(key)
                return cached
        article = snapshot.article(article_id)
        with self._lock:
            self._articles[key] = article
            if len(self._articles) > ARTICLE_CACHE_SIZE:
                self._articles.popitem(last=False)
        return article


def embedder_for(settings: Settings, kind: type[E] = Embedder) -> E:  # type: ignore[assignment]
    """The embedding model as `settings` configure it (not loaded until first used); `kind`, an
    Embedder subclass taking the same arguments (a benchmark's recording one)."""
    onnx_cache = Path(settings.onnx_cache).expanduser() if settings.onnx_cache else None
    return kind(settings.model, settings.batch_size, settings.threads, settings.quantize, settings.backend, onnx_cache)


def retrieval_options(settings: Settings) -> RetrievalOptions:
    """The retriever's options as `settings` give them (the API and the benchmarks share this)."""
    s = settings
    return RetrievalOptions(
        s.candidates, s.rrf_k, s.bm25_engine, s.fusion, s.bm25_weight, exact_scan_rows=s.exact_scan_rows
    )


def _why_not_searched(question: str) -> str:
    """Why `question` is not searched (`EMPTY_QUESTION`, `NAMES_NOTHING`), or "" when it is."""
    if not question.strip():
        return EMPTY_QUESTION
    return "" if names_something(question) else NAMES_NOTHING


def _note(used: SearchMode, asked: SearchMode, answered: bool, period: Period | None) -> str:
    parts = []
    if period is not None:
        parts.append(f"Sources dated or mentioning dates {period.text!r} were preferred.")
    if used != asked:
        parts.append(f"Answered with {used} only: the embedding model is not loaded.")
    if not answered:
        parts.append("The archive holds no answer to this question; the closest passages are listed.")
    return " ".join(parts)
