"""The user's keymap file: action names mapped to keys, as posting does, checked before use.

`keymap.toml` in the user config folder (archive/discovery.py), for example:

    copy_citation = "c"            # one key
    focus_question = "/,ctrl+k"    # or several, comma-separated
    quit = "ctrl+q"

Each name is the id of one of the app's bindings (`ACTIONS` lists them, `?` shows them);
each key is a Textual key: a character or a key name (`escape`, `f5`, `pageup` ...), with
`ctrl+`, `shift+`, `alt+` ... in front. An unknown name (with the closest known one), a
bad key, a value that is not text or a file that is not TOML is a KeymapError naming the
file; no file means the default keys.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path

from textual.keys import Keys, key_to_character

from archive.errors import InvalidRequestError

# Binding ids the keymap may rebind, with what each does (the defaults live on the bindings).
ACTIONS: dict[str, str] = {
    "focus_question": "focus the question box",
    "focus_filters": "focus the filters",
    "cycle_mode": "next retrieval mode",
    "copy_citation": "copy the selected citation",
    "export_answer": "save the answer as Markdown",
    "open_url": "open the article's URL in the browser",
    "open_reader": "open the selected citation in the reader",
    "keys": "show or hide the keys",
    "quit": "quit",
    "next_citation": "reader: next citation",
    "previous_citation": "reader: previous citation",
}
MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_KEY_NAMES = frozenset(key.value for key in Keys)


class KeymapError(InvalidRequestError):
    """The keymap file cannot be used; the message names the file and the entry."""


def load_keymap(path: Path) -> dict[str, str]:
    """The keymap in `path` (binding id -> comma-separated keys); {} when there is no file."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise KeymapError(f"{path} is not valid TOML ({exc}); fix or remove it.") from exc
    except OSError as exc:
        raise KeymapError(f"{path} cannot be read ({exc.strerror or exc}).") from exc
    keymap: dict[str, str] = {}
    for name, value in data.items():
        if name not in ACTIONS:
            close = difflib.get_close_matches(name, ACTIONS, n=1)
            hint = f"did you mean {close[0]}?" if close else "the actions are: " + ", ".join(ACTIONS)
            raise KeymapError(f"{name} in {path} is not an action; {hint}")
        if not isinstance(value, str) or not value.strip():
            raise KeymapError(f'{name} in {path} must be keys in quotes, such as "ctrl+y" or "y,f2".')
        for key in value.split(","):
            problem = key_problem(key.strip())
            if problem:
                raise KeymapError(f"{name} = {value!r} in {path}: {problem}")
        keymap[name] = ",".join(key.strip() for key in value.split(","))
    return keymap


def key_problem(key: str) -> str:
    """Why `key` is not a key Textual can bind ("" when it is)."""
    if not key:
        return "an empty key (two commas, or one at the end)."
    *modifiers, base = key.split("+") if len(key) > 1 else [key]
    unknown = [m for m in modifiers if m not in MODIFIERS]
    if unknown:
        return f"{unknown[0]!r} is not a modifier (use {', '.join(sorted(MODIFIERS))})."
    if len(base) == 1 and base.isprintable():
        return ""
    if base in _KEY_NAMES or key_to_character(base) is not None:
        return ""
    return f"{base!r} is not a key (a character, or a name such as escape, enter, f5, pageup, space)."
