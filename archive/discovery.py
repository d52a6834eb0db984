"""Where the index is, found the way git finds a repository; never builds or reads one.

Commands that read an index take the first of:

    1. `--index DIR`
    2. `ARCHIVE_INDEX_DIR`
    3. `.archive/index` in the current folder or the nearest parent holding a `.archive/` folder
    4. `index_dir` in the user config file (`archive.toml` in the user config folder)
    5. the per-user index, `<user data folder>/index` (platformdirs: ~/.local/share/archive-qa/index)

Commands that write one (`init`, `build`, `update`) take 1-4 the same way, then create
`.archive/index` in the current folder: an index is made where the user is, as `git init` does.
The demo index (the bundled seeds) lives apart, in `<user data folder>/demo`, so a demo never
writes over, or answers in place of, the user's own archive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "archive-qa"
ARCHIVE_FOLDER = ".archive"
INDEX_FOLDER = "index"
STATE_FILE = "tui.json"  # the terminal app's question history and theme, in the state folder
KEYMAP_FILE = "keymap.toml"  # the terminal app's keys, in the user config folder


@dataclass(frozen=True)
class Location:
    """An index folder and the rule that chose it (`origin` is shown by `archive config`)."""

    path: Path
    origin: str


def user_data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME)


def user_config_dir() -> Path:
    return platformdirs.user_config_path(APP_NAME)


def state_dir(setting: str = "") -> Path:
    """The terminal app's state folder: the `state_dir` setting, else the user state folder."""
    return Path(setting).expanduser() if setting else platformdirs.user_state_path(APP_NAME)


def export_dir(setting: str = "") -> Path:
    """Where answers are saved as files: the `export_dir` setting, else <Documents>/archive-qa."""
    return Path(setting).expanduser() if setting else platformdirs.user_documents_path() / APP_NAME


def keymap_file() -> Path:
    return user_config_dir() / KEYMAP_FILE


def demo_index_dir() -> Path:
    return user_data_dir() / "demo"


def nearest_archive(start: Path) -> Path | None:
    """The `.archive/` folder in `start` or its nearest parent that has one."""
    here = start.resolve()
    for folder in (here, *here.parents):
        candidate = folder / ARCHIVE_FOLDER
        if candidate.is_dir():
            return candidate
    return None


def locate(
    flag: Path | None,
    environ: Mapping[str, str],
    cwd: Path,
    configured: Location | None = None,
    *,
    writing: bool = False,
) -> Location:
    """The index folder by the rules above; `configured` is the user config file's `index_dir`."""
    if flag is not None:
        return Location(flag.expanduser(), "--index")
    if environ.get("ARCHIVE_INDEX_DIR"):
        return Location(Path(environ["ARCHIVE_INDEX_DIR"]).expanduser(), "ARCHIVE_INDEX_DIR")
    found = nearest_archive(cwd)
    if found is not None:
        return Location(found / INDEX_FOLDER, f"nearest {ARCHIVE_FOLDER}/ folder")
    if configured is not None:
        return configured
    if writing:
        return Location(cwd.resolve() / ARCHIVE_FOLDER / INDEX_FOLDER, f"new {ARCHIVE_FOLDER}/ in the current folder")
    return Location(user_data_dir() / INDEX_FOLDER, "per-user default")


def searched(cwd: Path) -> str:
    """Where `locate` looked, in words, for the message that says no index was found."""
    return (
        f"no --index, no ARCHIVE_INDEX_DIR, no {ARCHIVE_FOLDER}/ folder in {cwd.resolve()} or its parents, "
        f"no index_dir in {user_config_dir() / 'archive.toml'}, and no index at {user_data_dir() / INDEX_FOLDER}"
    )
