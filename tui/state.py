"""What the app keeps between runs: the questions asked (newest last) and the chosen theme.

One small JSON file, `tui.json`, in the state folder (archive/discovery.py: the `state_dir`
setting, else the user state folder). Reading never fails the app: a missing, unreadable or
damaged file is an empty state (and the damage is reported once, as a warning). Writing
replaces the file atomically, so a crash mid-write leaves the previous state.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from archive.discovery import STATE_FILE

MAX_QUESTIONS = 200  # oldest dropped first


@dataclass
class SavedState:
    """`questions`: oldest first, no immediate repeats; `theme`: a Textual theme name, "" for the default."""

    questions: list[str] = field(default_factory=list)
    theme: str = ""


def load_state(folder: Path) -> tuple[SavedState, str]:
    """The state saved in `folder`, and a warning ("" when none) if its file could not be used."""
    path = folder / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return SavedState(), ""
    except (OSError, ValueError) as exc:
        return SavedState(), f"{path} could not be read ({exc}); starting with no saved history."
    if not isinstance(data, dict):
        return SavedState(), f"{path} is not a JSON object; starting with no saved history."
    raw = data.get("questions", [])
    questions = [q for q in raw if isinstance(q, str) and q.strip()] if isinstance(raw, list) else []
    theme = data.get("theme", "")
    return SavedState(questions[-MAX_QUESTIONS:], theme if isinstance(theme, str) else ""), ""


def save_state(folder: Path, state: SavedState) -> Path:
    """Write `state` into `folder` (made if needed), atomically; OSError if the disk refuses."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {"questions": state.questions[-MAX_QUESTIONS:], "theme": state.theme}
    handle, temporary = tempfile.mkstemp(prefix=".tui-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, ensure_ascii=False, indent=1)
        os.replace(temporary, folder / STATE_FILE)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return folder / STATE_FILE
