"""Which files under the folders given are read: the folder walk and the symbolic-link rule.

Only what was asked for is read. A symbolic link (to a file or a folder) whose target lies
outside every folder given is not followed and is reported as skipped, with its target,
unless `follow` (`--follow-links`, `ARCHIVE_FOLLOW_LINKS`) opts in; links that stay inside
are followed. The walk is iterative, so deep trees cannot exhaust the stack, and it
remembers the real path of every folder it reads, so a symlink loop or a folder reached
twice is reported once and never read again, whether links are followed or not. Hidden
names (a leading ".") are skipped silently. Nothing here reads a file's contents.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from archive import decoding
from archive.models import FileProblem


@dataclass(frozen=True)
class LinkRule:
    """Whether a symbolic link may be followed: `roots` are the real paths of what was given."""

    roots: tuple[str, ...]
    follow: bool = False

    @classmethod
    def given(cls, roots: Sequence[str | Path], follow: bool = False) -> LinkRule:
        return cls(tuple(os.path.realpath(root) for root in roots), follow)

    def refusal(self, path: Path) -> str | None:
        """Why the link `path` is not followed (None: it may be); `path` need not be a link."""
        if self.follow or not path.is_symlink():
            return None
        target = os.path.realpath(path)
        if any(_inside(target, root) for root in self.roots):
            return None
        return f"symbolic link to {target}, outside the folders given; skipped (--follow-links reads it)"


@dataclass
class Walk:
    """The files found under one root, sorted by relative path, and what was skipped and why."""

    files: list[Path] = field(default_factory=list)
    skipped: list[FileProblem] = field(default_factory=list)

    def skip(self, path: Path | str, reason: str) -> None:
        self.skipped.append(FileProblem(str(path), reason))


def walk(root: Path, rule: LinkRule, visited: dict[str, str]) -> Walk:
    """Every regular file under the folder `root` that may be read (see the module docstring).

    `visited` maps the real path of each folder read so far to its name; pass the same dict
    for every root of one read, so a folder given twice or reached again through a link is
    read once.
    """
    out = Walk()
    stack: list[tuple[Path, dict[str, str]]] = [(root, {})]
    while stack:
        folder, ancestors = stack.pop()
        real = os.path.realpath(folder)
        if real in ancestors:
            out.skip(folder, f"symlink loop: leads back to {ancestors[real]}; not followed")
            continue
        if real in visited:
            out.skip(folder, f"same folder as {visited[real]}, already read; skipped")
            continue
        visited[real] = str(folder)
        try:
            with os.scandir(folder) as entries:
                listing = sorted((e for e in entries if not e.name.startswith(".")), key=lambda e: e.name)
        except OSError as exc:
            out.skip(folder, decoding.read_problem(exc))
            continue
        folders: list[Path] = []
        for entry in listing:
            path = Path(entry.path)
            try:
                _sort(entry, path, rule, folders, out)
            except OSError as exc:
                out.skip(path, decoding.read_problem(exc))
        inner = {**ancestors, real: str(folder)}
        stack.extend((sub, inner) for sub in reversed(folders))  # popped back in sorted order
    out.files.sort(key=lambda p: p.relative_to(root).parts)
    return out


def _sort(entry: os.DirEntry[str], path: Path, rule: LinkRule, folders: list[Path], out: Walk) -> None:
    """Put one folder entry where it belongs: a folder to walk, a file to read, or skipped."""
    if not is_utf8(entry.name):  # ids and reports must be valid text
        out.skip(printable(path), "file name is not valid UTF-8; skipped")
        return
    is_dir, is_file = entry.is_dir(), entry.is_file()
    refusal = rule.refusal(path) if (is_dir or is_file) and entry.is_symlink() else None
    if refusal:
        out.skip(path, refusal)
    elif is_dir:
        folders.append(path)
    elif is_file:
        out.files.append(path)
    else:
        out.skip(path, "broken symlink; skipped" if entry.is_symlink() else "not a regular file; skipped")


def is_utf8(name: str) -> bool:
    return not any("\udc80" <= c <= "\udcff" for c in name)  # how os.fsdecode keeps bad bytes


def printable(path: Path) -> str:
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)
