"""Errors raised by the archive, each with a message meant for the user.

ArchiveError                  base: `str(err)` is the user-facing message
├── IndexMissingError         no index at the given folder
├── IndexIncompatibleError    built with another schema version or model
├── IndexCorruptError         a file of the index is damaged or truncated
├── IndexLockedError          another build holds the index lock
├── ArticleNotFoundError      no article with that id
├── InputLimitError           a question or article exceeds a documented limit
├── InvalidRequestError       bad argument: unknown mode, bad date, k < 1 ...
└── ModelError                the embedding model cannot be loaded
"""

from __future__ import annotations


class ArchiveError(Exception):
    """Base class; `title` is a short heading for UIs, the message says what to do."""

    title = "Archive error"


class IndexMissingError(ArchiveError):
    title = "No index"


class IndexIncompatibleError(ArchiveError):
    title = "Incompatible index"


class IndexCorruptError(ArchiveError):
    title = "Damaged index"


class IndexLockedError(ArchiveError):
    title = "Index busy"


class ArticleNotFoundError(ArchiveError, KeyError):
    title = "Article not found"

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "article not found"


class InputLimitError(ArchiveError, ValueError):
    title = "Input too large"


class InvalidRequestError(ArchiveError, ValueError):
    title = "Invalid request"


class ModelError(ArchiveError):
    title = "Embedding model unavailable"
