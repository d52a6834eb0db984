"""Errors raised by the archive, each with a message meant for the user.

ArchiveError                  base: `str(err)` is the user-facing message
├── IndexMissingError         no index at the given folder
├── IndexIncompatibleError    built with another schema version or model
├── IndexCorruptError         a file of the index is damaged or truncated
├── IndexLockedError          another build holds the index lock
├── ArticleNotFoundError      no article with that id
├── InputLimitError           a question or article exceeds a documented limit
├── InvalidRequestError       bad argument: unknown mode, bad date, k < 1 ...
├── ModelError                the embedding model cannot be loaded
└── ClusterError              the Ray cluster is unreachable, or a shard's task or actor failed past its retries

The engine's errors are defined in `index.errors` (the layer that raises them) and
re-exported here; `ArchiveError` is that layer's base class, so one `except ArchiveError`
catches everything the library raises on purpose.
"""

from __future__ import annotations

from index.errors import (
    ArticleNotFoundError,
    IndexCorruptError,
    IndexIncompatibleError,
    IndexLockedError,
    IndexMissingError,
    ModelError,
)
from index.errors import EngineError as ArchiveError

__all__ = [
    "ArchiveError",
    "ArticleNotFoundError",
    "ClusterError",
    "IndexCorruptError",
    "IndexIncompatibleError",
    "IndexLockedError",
    "IndexMissingError",
    "InputLimitError",
    "InvalidRequestError",
    "ModelError",
]


class InputLimitError(ArchiveError, ValueError):
    title = "Input too large"


class InvalidRequestError(ArchiveError, ValueError):
    title = "Invalid request"


class ClusterError(ArchiveError):
    title = "Cluster error"
