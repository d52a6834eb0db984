"""Files named after what a user or an article supplied: safe names, and answers saved as Markdown.

Anything that comes from outside (a question, an article's id or title) may hold `/`, `..`,
control characters or a device name. `safe_name` turns such text into one plain file name,
and `inside` refuses a path that would leave its folder, so nothing derived from an article
can write or read outside the folder meant for it (an id such as `../../etc/x` becomes
`etc-x`). Every file name this package derives from such text goes through here.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import datetime
from pathlib import Path

from archive.errors import InvalidRequestError
from archive.models import Answer

MAX_STEM = 60  # characters of a derived name, before any suffix
# Names Windows reserves for devices, whatever the suffix.
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))})
_UNSAFE = re.compile(r"[^\w.-]+")  # \w: letters and digits of any script, and _


def safe_name(text: str, fallback: str = "untitled", max_chars: int = MAX_STEM) -> str:
    """`text` as one file name with no folder in it: letters, digits, `_`, `-` and inner dots.

    Every other run of characters (`/`, `\\`, spaces, controls, `:` ...) becomes one `-`;
    leading and trailing dots and dashes go (no hidden files, no `..`); a device name
    gets a `_` in front; an empty result is `fallback`.
    """
    normal = unicodedata.normalize("NFKC", text)
    name = _UNSAFE.sub("-", normal)
    name = re.sub(r"\.{2,}", ".", name).strip(".-")[:max_chars].strip(".-")
    if not name:
        return fallback
    if name.split(".")[0].lower() in _RESERVED:
        name = "_" + name
    return name


def inside(folder: Path, name: str) -> Path:
    """`folder / name`, refused (InvalidRequestError) unless it names an entry of `folder` itself."""
    base = Path(os.path.realpath(folder))
    path = Path(os.path.realpath(base / name))
    if path.parent != base or name in ("", ".", ".."):
        raise InvalidRequestError(f"{name!r} would leave the folder {folder}; refused.")
    return path


def export_answer(answer: Answer, urls: dict[str, str], folder: Path, when: datetime | None = None) -> Path:
    """Write `answer` as Markdown (archive/render.py) into `folder`, made if needed; the path.

    The name is the time and the question, made safe: `2026-11-30-0142-who-won.md`; an
    existing file is never replaced (`-2`, `-3` ... are added).
    """
    from archive.render import answer_markdown

    stamp = (when or datetime.now()).strftime("%Y-%m-%d-%H%M")
    stem = f"{stamp}-{safe_name(answer.question.lower(), fallback='answer')}"
    folder.mkdir(parents=True, exist_ok=True)
    text = answer_markdown(answer, urls).encode("utf-8")
    for number in range(1, 1000):
        path = inside(folder, f"{stem}.md" if number == 1 else f"{stem}-{number}.md")
        try:
            with path.open("xb") as handle:  # exclusive: never over another export
                handle.write(text)
        except FileExistsError:
            continue
        return path
    raise InvalidRequestError(f"{folder} already holds 999 exports named {stem}; move some away.")
