"""archive-qa: ask a folder of news articles questions, get verbatim cited sentences.

    from archive import Archive
    arc = Archive.build(["seeds/"], index_dir="idx")
    answer = arc.ask("How many Lebanese detainees did Israel agree to release?")

`Archive` is imported on first use, so `import archive` (and the CLI's `--help`)
does not pay for numpy, Whoosh and the engine (about 0.3 s instead of 2 s).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archive.errors import (
    ArchiveError,
    ArticleNotFoundError,
    ClusterError,
    IndexCorruptError,
    IndexIncompatibleError,
    IndexLockedError,
    IndexMissingError,
    InputLimitError,
    InvalidRequestError,
    ModelError,
)
from archive.models import (
    Answer,
    Article,
    BuildReport,
    Citation,
    Claim,
    Duplicate,
    FileProblem,
    Hit,
    IndexInfo,
    SearchMode,
)
from archive.settings import Settings, UnknownSettingWarning

if TYPE_CHECKING:
    from archive.api import Archive

__version__ = "0.1.0"

__all__ = [
    "Answer",
    "Archive",
    "ArchiveError",
    "Article",
    "ArticleNotFoundError",
    "BuildReport",
    "Citation",
    "Claim",
    "ClusterError",
    "Duplicate",
    "FileProblem",
    "Hit",
    "IndexCorruptError",
    "IndexIncompatibleError",
    "IndexInfo",
    "IndexLockedError",
    "IndexMissingError",
    "InputLimitError",
    "InvalidRequestError",
    "ModelError",
    "SearchMode",
    "Settings",
    "UnknownSettingWarning",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name == "Archive":
        from archive.api import Archive

        return Archive
    raise AttributeError(f"module 'archive' has no attribute {name!r}")
