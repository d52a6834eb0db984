"""The keymap file: checked entry by entry, each error naming the file and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.keymap import KeymapError, key_problem, load_keymap


def keymap(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "keymap.toml"
    path.write_text(text, encoding="utf-8")
    return load_keymap(path)


def test_no_file_means_the_default_keys(tmp_path: Path) -> None:
    assert load_keymap(tmp_path / "keymap.toml") == {}


def test_good_entries_are_kept(tmp_path: Path) -> None:
    text = 'copy_citation = "c"\nfocus_question = "/ , ctrl+k"\nquit = "ctrl+q"\nopen_url = "f5"\n'
    assert keymap(tmp_path, text) == {
        "copy_citation": "c",
        "focus_question": "/,ctrl+k",
        "quit": "ctrl+q",
        "open_url": "f5",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('copy_citaton = "c"', r"copy_citaton in .*keymap.toml is not an action; did you mean copy_citation\?"),
        ('zzz = "c"', r"zzz in .* is not an action; the actions are: focus_question, "),
        ("copy_citation = 3", r'copy_citation in .* must be keys in quotes, such as "ctrl\+y"'),
        ('copy_citation = "ctlr+y"', r"copy_citation = 'ctlr\+y' in .*: 'ctlr' is not a modifier"),
        ('copy_citation = "yank"', r"'yank' is not a key \(a character, or a name such as escape"),
        ('copy_citation = "y,,z"', r"an empty key"),
        ("copy_citation = ", r"is not valid TOML"),
    ],
)
def test_bad_entries_are_errors_that_say_what_to_fix(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(KeymapError, match=message):
        keymap(tmp_path, text)


@pytest.mark.parametrize("key", ["y", "ctrl+y", "f12", "escape", "question_mark", "ctrl+shift+up", "é", "+"])
def test_textual_keys_are_accepted(key: str) -> None:
    assert key_problem(key) == ""
