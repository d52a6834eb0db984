"""What a build reads back from its own staging folder: rows of an `.npy` file and article texts."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy.typing as npt

from index import appending, schema


@dataclass(frozen=True)
class StoredRows:
    """The rows of an `.npy` file, a chunk at a time, read from disk again on each iteration."""

    path: Path

    def __iter__(self) -> Iterator[npt.NDArray[Any]]:
        return appending.read_chunks(self.path)


class StoredTexts(Sequence[str]):
    """Article texts read back from an article store (for near-duplicates); `starts` holds where each
    record starts, and the store's end."""

    def __init__(self, path: Path, starts: Sequence[int]) -> None:
        self.path, self.starts = path, starts

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        if not 0 <= index < len(self):
            raise IndexError(index)
        start, end = self.starts[index], self.starts[index + 1]
        with self.path.open("rb") as handle:
            return schema.decode_article(os.pread(handle.fileno(), end - start, start)).text

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))
