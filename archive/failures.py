"""Errors from the machine (disk full, permission denied, read-only disk) as one sentence each.

What the CLI prints when an OSError escapes a command: what happened, where, whether the
previous index is intact (a build writes a new generation beside the live one, so a failed
one never touches it: index/layout.py), and what to do. Never raises.
"""

from __future__ import annotations

import errno
from pathlib import Path

from index import layout

_WHAT = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.EMFILE: "too many files are open",
    errno.EIO: "the disk reported an input/output error",
}
_TODO = {
    errno.ENOSPC: "free some space there, or build elsewhere with --index DIR, and run the command again",
    errno.EDQUOT: "free some space there, or build elsewhere with --index DIR, and run the command again",
    errno.EACCES: "check that folder's permissions, or use --index DIR for a folder you can write",
    errno.EPERM: "check that folder's permissions, or use --index DIR for a folder you can write",
    errno.EROFS: "use --index DIR for a folder on a writable disk",
}


def describe(exc: OSError, index_dir: Path | None) -> str:
    """One line for `exc`, raised while working on the index at `index_dir` (None: unknown)."""
    what = _WHAT.get(exc.errno or 0, exc.strerror or str(exc))
    where = exc.filename or index_dir
    sentence = f"Cannot use {where}: {what}." if where else f"{what[:1].upper()}{what[1:]}."
    if index_dir is not None:
        if layout.current_name(index_dir) is not None:
            sentence += f" The previous index in {index_dir} is intact and still answers."
        else:
            sentence += f" No index was written to {index_dir}."
    todo = _TODO.get(exc.errno or 0, "run the command again with -v for the details")
    return f"{sentence} To go on, {todo}."
