"""Errors the engine raises, each with a message meant for the user.

`archive.errors` re-exports this tree under its public names (`ArchiveError` is
`EngineError`) and adds the errors of the API layer, so users catch one base class.

EngineError                   base: `str(err)` is the user-facing message
├── IndexMissingError         no index at the given folder
├── IndexIncompatibleError    built with another schema version or model
├── IndexCorruptError         a file of the index is damaged or truncated
├── IndexLockedError          another build holds the index lock
├── ArticleNotFoundError      no article with that id
└── ModelError                the embedding model cannot be loaded
"""

from __future__ import annotations


class EngineError(Exception):
    """Base class; `title` is a short heading for UIs, the message says what to do."""

    title = "Archive error"


class IndexMissingError(EngineError):
    title = "No index"


class IndexIncompatibleError(EngineError):
    title = "Incompatible index"


class IndexCorruptError(EngineError):
    title = "Damaged index"


class IndexLockedError(EngineError):
    title = "Index busy"


class ArticleNotFoundError(EngineError, KeyError):
    title = "Article not found"

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "article not found"


class ModelError(EngineError):
    title = "Embedding model unavailable"
