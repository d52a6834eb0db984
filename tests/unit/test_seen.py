"""The readers' compact duplicate checks (archive/seen.py): every key found with its note, no other."""

from __future__ import annotations

import pytest

from archive.seen import PLAIN_LIMIT, RECENT, FirstSeen

# 0: compact from the first key; 100: plain strings, then moved into the compact form; the default:
# every key below stays plain.
LIMITS = [0, 100, PLAIN_LIMIT]


@pytest.mark.parametrize("plain_limit", LIMITS)
def test_keys_are_found_with_their_notes_across_runs_and_merges(plain_limit: int) -> None:
    seen = FirstSeen(plain_limit)
    count = 3 * RECENT + 5  # three runs' worth (two of them merged) and a few still in the dict
    for i in range(count):
        seen.add(f"wire/{i}", f"/news/wire.jsonl:{i + 1}")
    assert len(seen) == count
    assert seen.get("wire/0") == "/news/wire.jsonl:1"
    assert seen.get(f"wire/{RECENT}") == f"/news/wire.jsonl:{RECENT + 1}"
    assert seen.get(f"wire/{count - 1}") == f"/news/wire.jsonl:{count}"
    assert all(seen.get(f"wire/{i}") == f"/news/wire.jsonl:{i + 1}" for i in range(0, count, 97))
    assert seen.get("wire/-1") is None
    assert seen.get(f"wire/{count}") is None


@pytest.mark.parametrize("plain_limit", LIMITS)
def test_notes_and_keys_keep_any_text(plain_limit: int) -> None:
    """A path read from an undecodable name holds a lone surrogate (os.fsdecode); an id may be empty."""
    seen = FirstSeen(plain_limit)
    seen.add("caf\udce9", "/news/caf\udce9.txt")
    seen.add("", "")
    seen.add("Zürich", "/news/zürich.md")
    assert seen.get("caf\udce9") == "/news/caf\udce9.txt"
    assert seen.get("") == ""
    assert seen.get("Zürich") == "/news/zürich.md"
    assert seen.get("Zurich") is None


def test_keys_added_after_the_move_to_the_compact_form_are_found_with_the_earlier_ones() -> None:
    seen = FirstSeen(plain_limit=3)
    for i in range(6):
        seen.add(f"id-{i}", f"note {i}")
        assert len(seen) == i + 1
    assert [seen.get(f"id-{i}") for i in range(6)] == [f"note {i}" for i in range(6)]
    assert seen.get("id-6") is None
