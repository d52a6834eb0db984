"""The one reader of a generation (index/schema.py): manifest, Whoosh store, arrays, article store."""

from __future__ import annotations

import contextlib
import mmap
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index import schema
from index.catalogue import ArticleCatalogue
from index.errors import IndexCorruptError
from index.manifest import ArticleEntry, Manifest, check_files, read_manifest
from index.records import Article
from index.shard_search import LocalPool, ShardPool, ShardSearcher
from index.sparse import BM25Index
from index.store import PassageStore, date_key, source_key


@dataclass(frozen=True)
class PassageRef:
    """A passage located in its article: sentence range and character span."""

    row: int
    article: ArticleEntry
    number: int  # the passage's index within its article
    first_sentence: int
    end_sentence: int
    start: int
    end: int


class Snapshot(ArticleCatalogue):
    """Everything needed to answer from one generation; immutable once opened."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.manifest: Manifest = read_manifest(folder)
        check_files(folder, self.manifest)
        m = self.manifest
        super().__init__(m.articles)
        sizes = m.sizes()
        self.passage_vectors = schema.load(folder, schema.PASSAGE_VECTORS, sizes)
        self.sentence_vectors = schema.load(folder, schema.SENTENCE_VECTORS, sizes)
        self.passage_spans = schema.load(folder, schema.PASSAGE_SPANS, sizes)
        self.sentence_spans = schema.load(folder, schema.SENTENCE_SPANS, sizes)
        self.bm25 = BM25Index(folder, sizes)
        # Generations written before the coarse pass existed have none; they scan exactly.
        self.coarse_projection: npt.NDArray[np.float32] | None = None
        self.passage_coarse: npt.NDArray[np.float32] | None = None
        if m.coarse_dimension:
            self.coarse_projection = schema.load(folder, schema.COARSE_PROJECTION, sizes)
            self.passage_coarse = schema.load(folder, schema.COARSE_VECTORS, sizes)
        counts = np.fromiter((e.passage_count for e in self.entries), dtype=np.int64, count=len(self.entries))
        if int(counts.sum()) != m.passages:
            raise IndexCorruptError(f"{folder}: manifest passage counts do not add up; rebuild with `archive build`.")
        self._passage_article = np.repeat(np.arange(len(self.entries), dtype=np.int32), counts)
        self._article_source = np.array([source_key(e.source) for e in self.entries], dtype=object)
        self._article_date = np.array(
            [date_key(date.fromisoformat(e.date)) if e.date else 0 for e in self.entries], dtype=np.int32
        )
        self.store = PassageStore(folder / schema.WHOOSH)
        if self.store.doc_count != m.passages:
            raise IndexCorruptError(
                f"{folder / schema.WHOOSH} holds {self.store.doc_count} passages, the manifest says {m.passages}; "
                "rebuild with `archive build`."
            )
        try:
            # A file object, not a bare descriptor, so it closes itself when the snapshot is dropped.
            self._articles_file = (folder / schema.ARTICLES).open("rb")
        except OSError as exc:  # e.g. the generation was pruned while this reader was opening it
            self.store.close()
            raise IndexCorruptError(
                f"Index file {folder / schema.ARTICLES} cannot be opened ({exc}); rebuild with `archive build`."
            ) from exc
        # Also mapped: a record is then a slice, not a system call (an update recalls every
        # unchanged article). The open file serves where a mapping cannot be made (an empty file).
        self._articles_map: mmap.mmap | None = None
        with contextlib.suppress(OSError, ValueError):
            self._articles_map = mmap.mmap(self._articles_file.fileno(), 0, access=mmap.ACCESS_READ)

    @property
    def name(self) -> str:
        return self.folder.name

    # ----- searched as one shard (index/retriever.py, docs/sharding.md) -------------------

    @property
    def pool(self) -> ShardPool:
        """This generation as a pool of one shard, its rows the archive's rows."""
        return LocalPool([ShardSearcher(self)])

    @property
    def row_maps(self) -> tuple[None]:
        return (None,)

    @property
    def coarse_ready(self) -> bool:
        return self.passage_coarse is not None

    def passage(self, row: int) -> PassageRef:
        entry = self.entries[int(self._passage_article[row])]
        first, end, start, stop = (int(x) for x in self.passage_spans[row])
        return PassageRef(row, entry, row - entry.passage_row, first, end, start, stop)

    def passage_row(self, article_id: str, number: int) -> int:
        return self.entries[self.by_id[article_id]].passage_row + number

    def passage_mask(self, source: str | None, since: date | None, until: date | None) -> npt.NDArray[np.bool_] | None:
        """Which passage rows pass the filters, or None when there is no filter."""
        if not source and not since and not until:
            return None
        keep = np.ones(len(self.entries), dtype=bool)
        if source:
            keep &= self._article_source == source_key(source)
        if since or until:
            keep &= self._article_date > 0
            if since:
                keep &= self._article_date >= date_key(since)
            if until:
                keep &= self._article_date <= date_key(until)
        return np.asarray(keep[self._passage_article], dtype=bool)

    def article(self, article_id: str) -> Article:
        entry = self.entry(article_id)
        articles = self._articles_map if self._articles_map is not None else self._articles_file
        return schema.read_article(articles, self.folder, entry.offset, entry.length, article_id)

    # ----- what a build reuses of an unchanged article ------------------------------

    def article_layout(self, entry: ArticleEntry) -> tuple[npt.NDArray[np.int32], list[tuple[int, int]]]:
        """The article's sentence spans (n, 2) and its passages as sentence ranges [first, end)."""
        spans = self.sentence_spans[entry.sentence_row : entry.sentence_row + entry.sentence_count]
        # Plain ints through tolist(): indexing the arrays per passage costs more.
        rows = self.passage_spans[entry.passage_row : entry.passage_row + entry.passage_count, :2].tolist()
        return np.array(spans, dtype=np.int32), [(first, end) for first, end in rows]

    def article_vectors(self, entry: ArticleEntry) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """The article's passage and sentence vectors, in row order."""
        passages = self.passage_vectors[entry.passage_row : entry.passage_row + entry.passage_count]
        sentences = self.sentence_vectors[entry.sentence_row : entry.sentence_row + entry.sentence_count]
        return passages, sentences

    def minhash(self) -> npt.NDArray[np.uint64]:
        """Every article's MinHash signature, in manifest order (read on demand: only builds need it)."""
        return schema.load(self.folder, schema.MINHASH, self.manifest.sizes())

    def record_digests(self) -> npt.NDArray[np.uint8] | None:
        """Each article's record digest, in manifest order (archive/recall.py); None in a generation
        written before they were kept."""
        if schema.RECORD_DIGESTS.name not in self.manifest.files:
            return None
        return schema.load(self.folder, schema.RECORD_DIGESTS, self.manifest.sizes())

    def close(self) -> None:
        self.store.close()
        self._release_articles()

    def __del__(self) -> None:
        # A snapshot replaced by a newer generation is dropped, not closed (a query in another
        # thread may still use it); release its files when the last reference goes.
        self._release_articles()

    def _release_articles(self) -> None:
        """Unmap and close the article store (a snapshot that failed to open may hold neither)."""
        mapped = getattr(self, "_articles_map", None)
        if mapped is not None:
            mapped.close()
        articles = getattr(self, "_articles_file", None)
        if articles is not None and not articles.closed:
            articles.close()

    # ----- for the answer path (archive/answer.py): plain values out, no array handed over -----

    def sentence_span(self, row: int) -> tuple[int, int]:
        """The character span of sentence `row` in its article."""
        start, end = (int(x) for x in self.sentence_spans[row])
        return start, end

    def sentence_rows(self, article_id: str) -> range:
        """The sentence rows of an article, in text order."""
        entry = self.entry(article_id)
        return range(entry.sentence_row, entry.sentence_row + entry.sentence_count)

    def sentence_cosines(self, rows: list[int], vector: npt.NDArray[np.float32]) -> list[float]:
        """Cosine of each sentence row with `vector` (both normalised)."""
        return [float(x) for x in self.sentence_vectors[rows] @ vector]

    def passage_cosines(self, rows: list[int], vector: npt.NDArray[np.float32]) -> list[float]:
        """Cosine of each passage row with `vector` (both normalised)."""
        return [float(x) for x in self.passage_vectors[rows] @ vector]

    def sentence_similarity(self, rows: list[int]) -> npt.NDArray[np.float32]:
        """The cosine of every pair of the sentence rows: a (len(rows), len(rows)) matrix."""
        matrix = np.asarray(self.sentence_vectors[rows], dtype=np.float32)
        similarity: npt.NDArray[np.float32] = matrix @ matrix.T
        return similarity

    def term_idfs(self, terms: list[str]) -> dict[str, float]:
        """The whole-index IDF of each analysed term (the Whoosh store's, over the passage text)."""
        return {term: self.store.idf(term) for term in terms}
