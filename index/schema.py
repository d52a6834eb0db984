"""The on-disk format of one index generation: every file, its shape and dtype, in one place.

    gen-<stamp>-<id>/
      manifest.json            what the generation holds and how it was built (index/manifest.py)
      articles.bin             one orjson record per article, a line each; the manifest has offsets
      whoosh/                  the Whoosh store, one document per passage (index/store.py)
      *.npy                    the arrays below, saved without pickle, memory-mapped on open
      bm25_vocab.json          the BM25 sidecar's terms, a JSON list; a term's id is its position

Row counts and column counts are named after the manifest's figures (`Sizes`), so a reader
can check every array against what the manifest promises before trusting a byte of it.
Articles' rows are contiguous and in manifest order in every per-passage and per-sentence
array. `index/writer.py` is the one writer, `index/snapshot.py` the one reader and
`index/checks.py` the one checker of this format.
"""

from __future__ import annotations

import mmap
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
import orjson

from index import fileio
from index.errors import IndexCorruptError
from index.records import Article

# 2: the BM25 sidecar joined the generation. 3: sentence vectors are late-chunked from their passages.
# 4: passages are embedded without their title, which joins each passage vector afterwards (index/pooling.py).
SCHEMA_VERSION = 4

MANIFEST = "manifest.json"
ARTICLES = "articles.bin"
WHOOSH = "whoosh"
BM25_VOCAB = "bm25_vocab.json"

# Width of each article's MinHash signature (near-duplicate detection, archive/reprints.py).
MINHASH_PERMUTATIONS = 64
# Bytes of the digest of the record an article was read from (archive/recall.py).
DIGEST_BYTES = 16


@dataclass(frozen=True)
class Sizes:
    """The manifest's figures that array shapes are made of."""

    articles: int
    passages: int
    sentences: int
    dimension: int
    coarse_dimension: int = 0
    bm25_terms: int = 0
    bm25_postings: int = 0


@dataclass(frozen=True)
class ArrayFile:
    """One `.npy` file: `rows` and `columns` name a `Sizes` field or give a number; None columns: 1-D."""

    name: str
    dtype: type[np.generic]
    rows: str
    columns: str | int | None
    holds: str
    extra_rows: int = 0

    def shape(self, sizes: Sizes) -> tuple[int, ...]:
        rows = getattr(sizes, self.rows) + self.extra_rows
        if self.columns is None:
            return (rows,)
        columns = self.columns if isinstance(self.columns, int) else getattr(sizes, self.columns)
        return (rows, columns)


PASSAGE_VECTORS = ArrayFile(
    "passage_vectors.npy",
    np.float32,
    "passages",
    "dimension",
    "the passage's unit vector under its title (`pooling.under_title`)",
)
SENTENCE_VECTORS = ArrayFile(
    "sentence_vectors.npy",
    np.float32,
    "sentences",
    "dimension",
    "unit vector of the sentence, its tokens pooled from its passages' forward passes (index/pooling.py)",
)
PASSAGE_SPANS = ArrayFile(
    "passage_spans.npy",
    np.int32,
    "passages",
    4,
    "first sentence, end sentence (exclusive; both within the article), char start, char end",
)
SENTENCE_SPANS = ArrayFile("sentence_spans.npy", np.int32, "sentences", 2, "char start, char end in the article text")
MINHASH = ArrayFile("minhash.npy", np.uint64, "articles", MINHASH_PERMUTATIONS, "MinHash signature of the article")
RECORD_DIGESTS = ArrayFile(
    "record_digests.npy",
    np.uint8,
    "articles",
    DIGEST_BYTES,
    "digest of the JSON Lines record the article was read from, zeros for none (archive/recall.py); "
    "absent in generations written before it existed",
)
BM25_TERM_STARTS = ArrayFile(
    "bm25_term_starts.npy", np.int64, "bm25_terms", None, "term t's postings are [starts[t], starts[t+1])", 1
)
BM25_ROWS = ArrayFile("bm25_rows.npy", np.int32, "bm25_postings", None, "posting's passage row, ascending per term")
BM25_TF = ArrayFile("bm25_tf.npy", np.uint16, "bm25_postings", 2, "term count in the passage text, in the title")
BM25_LENGTHS = ArrayFile("bm25_lengths.npy", np.int32, "passages", 2, "terms in the passage text, in the title")
COARSE_PROJECTION = ArrayFile(
    "coarse_projection.npy", np.float32, "dimension", "coarse_dimension", "the coarse pass's projection"
)
COARSE_VECTORS = ArrayFile(
    "passage_coarse.npy", np.float32, "passages", "coarse_dimension", "passage vector times the projection"
)

CORE_ARRAYS = (PASSAGE_VECTORS, SENTENCE_VECTORS, PASSAGE_SPANS, SENTENCE_SPANS)
BM25_ARRAYS = (BM25_TERM_STARTS, BM25_ROWS, BM25_TF, BM25_LENGTHS)
COARSE_ARRAYS = (COARSE_PROJECTION, COARSE_VECTORS)  # absent when the manifest's coarse_dimension is 0


def save(folder: Path, spec: ArrayFile, array: npt.NDArray[Any]) -> None:
    """Write an array of the format; its dtype must be the format's (a wrong one is a bug, not bad input)."""
    if array.dtype != np.dtype(spec.dtype):
        raise TypeError(f"{spec.name} holds {np.dtype(spec.dtype)}, not {array.dtype}")
    fileio.write_array(folder / spec.name, array)


def load(folder: Path, spec: ArrayFile, sizes: Sizes) -> npt.NDArray[Any]:
    """Memory-map an array as a plain ndarray view, checked against the shape the manifest promises.

    A plain view rather than numpy's memmap subclass: that makes every row gather several
    times slower (measured at 16x SciFact), and nothing here writes.
    """
    path = folder / spec.name
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"Index file {path} cannot be read ({exc}); rebuild with `archive build`.") from exc
    shape = spec.shape(sizes)
    if array.shape != shape or array.dtype != np.dtype(spec.dtype):
        raise IndexCorruptError(
            f"Index file {path} holds {array.dtype}{array.shape}, expected {np.dtype(spec.dtype)}{shape}; "
            "rebuild with `archive build`."
        )
    return np.asarray(array)


def title_embedding_text(title: str) -> str:
    """What an article's title vector embeds (`pooling.under_title` joins it to each passage's vector).

    The title itself; a function so that one place says it, and bench.scale can embed replicas'
    titles without their marker."""
    return title


def encode_article(article: Article) -> bytes:
    """One article as a line of `articles.bin`."""
    record = {
        "article_id": article.article_id,
        "title": article.title,
        "subtitle": article.subtitle,
        "text": article.text,
        "source": article.source,
        "date": article.date.isoformat() if article.date else "",
        "url": article.url,
        "authors": list(article.authors),
        "path": article.path,
        "content_hash": article.content_hash,
        "extra": [list(pair) for pair in article.extra],
    }
    return orjson.dumps(record) + b"\n"


def read_article(articles: BinaryIO | mmap.mmap, folder: Path, offset: int, length: int, article_id: str) -> Article:
    """The record of `article_id` at `offset` in `articles.bin` of generation `folder`, open or mapped;
    IndexCorruptError, naming the file, when the record is damaged or holds another article."""
    if isinstance(articles, mmap.mmap):  # a slice of a mapping: no system call (an update reads thousands)
        raw = articles[offset : offset + length]
    else:
        raw = os.pread(articles.fileno(), length, offset)
    try:
        article = decode_article(raw)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise IndexCorruptError(
            f"{folder / ARTICLES}: the record of {article_id!r} is damaged ({exc}); rebuild with `archive build`."
        ) from exc
    if article.article_id != article_id:
        raise IndexCorruptError(f"{folder / ARTICLES}: record for {article_id!r} is misplaced.")
    return article


def decode_article(raw: bytes) -> Article:
    """The article in one record of `articles.bin`; ValueError (or KeyError, TypeError) when damaged.

    Lean on purpose (an update decodes every unchanged article: 6 us each instead of 12): fields
    are taken as stored and checked for type, not converted."""
    record = orjson.loads(raw)
    texts = (
        record["article_id"], record["title"], record["subtitle"], record["text"],
        record["source"], record["url"], record["path"], record["content_hash"], record["date"],
    )  # fmt: skip
    authors, extra = record["authors"], record["extra"]
    if any(type(value) is not str for value in texts):
        raise TypeError("a text field is not a string")
    article_id, title, subtitle, text, source, url, path, content_hash, raw_date = texts
    return Article(
        article_id=article_id,
        title=title,
        subtitle=subtitle,
        text=text,
        source=source,
        date=date.fromisoformat(raw_date) if raw_date else None,
        url=url,
        authors=_strings(authors),
        path=path,
        content_hash=content_hash,
        extra=tuple((k, v) for k, v in map(_strings, _list(extra))),
    )


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise TypeError(f"expected a list, found {type(value).__name__}")
    return value


def _strings(values: Any) -> tuple[str, ...]:
    if any(type(value) is not str for value in _list(values)):
        raise TypeError("expected a list of strings")
    return tuple(values)
