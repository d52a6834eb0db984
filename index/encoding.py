"""Embedding a build's texts: length-sorted chunks, through the embedding cache when there is one.

Passages are encoded once each, with their sentences' late-chunked vectors pooled from the
same forward pass (`encode_with_spans`, index/pooling.py), and each title once an article
(`pooling.under_title` joins it to its passages); nothing else is encoded in a build.
The cache only saves time, so it never stops a build: a damaged cache file is replaced, a
busy or unopenable one is skipped (on open, or from the chunk where it failed).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index import pooling, schema
from index.embed_cache import EmbeddingCache
from index.embedder import Embedder
from index.pooling import SpanVectors
from index.records import Progress

EMBED_CHUNK = 256  # texts per progress step while embedding
CACHE_FILE = "embeddings.sqlite"  # the default cache's name in the index folder

Vectors = npt.NDArray[np.float32]
Spans = list[tuple[int, int]]


def span_key(text: str, span: tuple[int, int]) -> str:
    """The cache key of a span's late-chunked vector: the text it was pooled in, and where."""
    return f"{text}\0late {span[0]} {span[1]}"


def title_texts(titles: Iterable[str]) -> list[str]:
    """The distinct texts embedded for articles' `titles` (none for an article without one)."""
    return sorted({schema.title_embedding_text(title) for title in titles} - {""})


def put_under_titles(embedded: Vectors, texts: Sequence[str], titles: Sequence[str], embedder: Embedder) -> Vectors:
    """The passage vectors of `texts`, each joined to its title's (`pooling.under_title`).

    `embedded` holds the vectors of `[*texts, *title_texts(titles)]`; `texts[i]` is a passage
    of an article titled `titles[i]`. Word pieces are counted as the model reads them: no more
    than its window holds (a longer text is cut).
    """
    distinct = title_texts(titles)
    passages: Vectors = embedded[: len(texts)].copy()
    readable = embedder.window - 2  # [CLS] and [SEP] take two places of the window
    counts = [min(count, readable) for count in embedder.count_tokens([*distinct, *texts])]
    by_title = {title: (embedded[len(texts) + k], counts[k]) for k, title in enumerate(distinct)}
    passage_tokens = counts[len(distinct) :]
    title_of = [schema.title_embedding_text(title) for title in titles]
    rows = [i for i, title in enumerate(title_of) if title]
    if not rows:
        return passages
    theirs = [by_title[title_of[i]] for i in rows]
    at = np.asarray(rows)
    passages[at] = pooling.under_title(
        passages[at],
        [passage_tokens[i] for i in rows],
        np.stack([vector for vector, _ in theirs]),
        [tokens for _, tokens in theirs],
    )
    return passages


def cache_path(choice: str, index_dir: Path) -> Path | None:
    """Where the cache lives for a setting: "auto" in the index folder, "off"/"" none, else a path."""
    choice = choice.strip()
    if choice in ("", "off"):
        return None
    return index_dir / CACHE_FILE if choice == "auto" else Path(choice).expanduser()


def open_cache(path: Path | None, embedder: Embedder) -> EmbeddingCache | None:
    if path is None:
        return None
    try:
        return EmbeddingCache(path, embedder.fingerprint, embedder.dimension)
    except sqlite3.OperationalError:
        return None  # busy or cannot be opened: embed without it
    except sqlite3.DatabaseError:
        _discard(path)
        return EmbeddingCache(path, embedder.fingerprint, embedder.dimension)


def _discard(path: Path) -> None:
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        path.with_name(name).unlink(missing_ok=True)


class Encoder:
    """Embeds a build's texts in length-sorted chunks, through the cache when there is one, reporting progress."""

    def __init__(self, embedder: Embedder, cache: EmbeddingCache | None, progress: Progress) -> None:
        self.embedder, self.cache, self.progress = embedder, cache, progress
        self.embedded = self.cache_hits = 0

    def encode_with_spans(self, texts: list[str], spans: list[Spans], stage: str) -> tuple[Vectors, list[SpanVectors]]:
        """Each text's vector and its spans' late-chunked vectors, one forward pass per text not cached.

        A text is taken from the cache only when its vector and every span's are there; cached
        spans count as whole (a span is cut only when it is a passage's one, over-long sentence).
        """
        vectors = np.empty((len(texts), self.embedder.dimension), dtype=np.float32)
        pooled: list[SpanVectors] = [SpanVectors(np.empty((0, 0), np.float32), np.empty(0, bool))] * len(texts)
        if not texts:
            return vectors, pooled
        order = np.argsort([len(t) for t in texts], kind="stable")
        self.progress(stage, 0, len(texts))
        for start in range(0, len(texts), EMBED_CHUNK):
            rows = [int(i) for i in order[start : start + EMBED_CHUNK]]
            chunk_vectors, chunk_pooled = self._spans_chunk([texts[i] for i in rows], [spans[i] for i in rows])
            vectors[rows] = chunk_vectors
            for i, found in zip(rows, chunk_pooled, strict=True):
                pooled[i] = found
            self.progress(stage, min(start + EMBED_CHUNK, len(texts)), len(texts))
        return vectors, pooled

    def _spans_chunk(self, texts: list[str], spans: list[Spans]) -> tuple[Vectors, list[SpanVectors]]:
        keys = [
            [text, *(span_key(text, span) for span in text_spans)]
            for text, text_spans in zip(texts, spans, strict=True)
        ]
        found: list[Vectors | None] = []
        if self.cache is not None:
            try:
                found = self.cache.get_many([key for text_keys in keys for key in text_keys])
            except sqlite3.DatabaseError as exc:  # damaged or busy: embed without it from here on
                self._drop_cache(exc)
        vectors = np.empty((len(texts), self.embedder.dimension), dtype=np.float32)
        pooled: list[SpanVectors | None] = [None] * len(texts)
        position = 0
        for i, text_keys in enumerate(keys):
            hit = found[position : position + len(text_keys)]
            position += len(text_keys)
            if hit and all(v is not None for v in hit):
                vectors[i] = hit[0]
                pooled[i] = SpanVectors(
                    np.asarray([v for v in hit[1:] if v is not None], dtype=np.float32).reshape(
                        -1, self.embedder.dimension
                    ),  # a text without spans (a title) has none
                    np.ones(len(text_keys) - 1, dtype=bool),
                )
        missing = [i for i, p in enumerate(pooled) if p is None]
        self.cache_hits += len(texts) - len(missing)
        self.embedded += len(missing)
        if missing:
            fresh, fresh_pooled = self.embedder.encode_with_spans(
                [texts[i] for i in missing], [spans[i] for i in missing]
            )
            vectors[missing] = fresh
            for n, i in enumerate(missing):
                pooled[i] = fresh_pooled[n]
            self._store(
                [key for i in missing for key in keys[i]],
                np.concatenate([np.vstack([fresh[n : n + 1], fresh_pooled[n].vectors]) for n in range(len(missing))]),
            )
        return vectors, [p for p in pooled if p is not None]

    def _store(self, keys: list[str], vectors: Vectors) -> None:
        if self.cache is None:
            return
        try:
            self.cache.put_many(keys, vectors)
        except sqlite3.DatabaseError as exc:
            self._drop_cache(exc)

    def _drop_cache(self, exc: sqlite3.DatabaseError) -> None:
        assert self.cache is not None
        self.cache.close()
        if not isinstance(exc, sqlite3.OperationalError):
            _discard(self.cache.path)
        self.cache = None

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
