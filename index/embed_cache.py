"""A persistent cache of embeddings keyed by model fingerprint and exact text (SQLite).

Rebuilding an index, re-adding a moved article or indexing reprinted wire copy then
costs a lookup instead of a forward pass. SQLite gives crash safety and concurrent
readers for free; the key is a digest, so the cache never holds article text.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

LOOKUP_CHUNK = 500  # keys per SELECT, under SQLite's bound-parameter limit


class EmbeddingCache:
    def __init__(self, path: Path, model_fingerprint: str, dimension: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.dimension = dimension
        self._prefix = model_fingerprint.encode("ascii") + b"\0"
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        # A commit is not synced (the WAL is, at checkpoints): a crash may lose the last vectors
        # stored, never the database, and they are only a cache. Saves an fsync per update.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")
        self._db.commit()

    def key(self, text: str) -> bytes:
        return hashlib.blake2b(self._prefix + text.encode("utf-8", "surrogatepass"), digest_size=20).digest()

    def get_many(self, texts: Sequence[str]) -> list[npt.NDArray[np.float32] | None]:
        keys = [self.key(t) for t in texts]
        found: dict[bytes, bytes] = {}
        with self._lock:
            for start in range(0, len(keys), LOOKUP_CHUNK):
                chunk = keys[start : start + LOOKUP_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk)
                found.update(rows.fetchall())
        result: list[npt.NDArray[np.float32] | None] = []
        for key in keys:
            blob = found.get(key)
            if blob is not None and len(blob) == 4 * self.dimension:
                result.append(np.frombuffer(blob, dtype=np.float32))
            else:
                result.append(None)
        return result

    def put_many(self, texts: Sequence[str], vectors: npt.NDArray[np.float32]) -> None:
        rows = [
            (self.key(t), np.ascontiguousarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()
