"""Embedding a build's texts: length-sorted chunks, through the embedding cache when there is one.

The cache only saves time, so it never stops a build: a damaged cache file is replaced, a
busy or unopenable one is skipped (on open, or from the chunk where it failed).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index.embed_cache import EmbeddingCache
from index.embedder import Embedder
from index.records import Progress

EMBED_CHUNK = 256  # texts per progress step while embedding
CACHE_FILE = "embeddings.sqlite"  # the default cache's name in the index folder

Vectors = npt.NDArray[np.float32]


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
    """Embeds in length-sorted chunks, through the cache when there is one, reporting progress."""

    def __init__(self, embedder: Embedder, cache: EmbeddingCache | None, progress: Progress) -> None:
        self.embedder, self.cache, self.progress = embedder, cache, progress
        self.embedded = self.cache_hits = 0

    def encode(self, texts: list[str], stage: str) -> Vectors:
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

    def _encode_chunk(self, chunk: list[str]) -> Vectors:
        if self.cache is not None:
            try:
                return self._through_cache(self.cache, chunk)
            except sqlite3.DatabaseError as exc:  # damaged or busy: embed without it from here on
                self.cache.close()
                if not isinstance(exc, sqlite3.OperationalError):
                    _discard(self.cache.path)
                self.cache = None
        self.embedded += len(chunk)
        return self.embedder.encode(chunk)

    def _through_cache(self, cache: EmbeddingCache, chunk: list[str]) -> Vectors:
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
