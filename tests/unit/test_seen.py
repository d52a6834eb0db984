"""The readers' compact duplicate checks (archive/seen.py): every key found with its note, no other."""

from __future__ import annotations

from archive.seen import RECENT, FirstSeen


def test_keys_are_found_with_their_notes_across_runs_and_merges() -> None:
    seen = FirstSeen()
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


def test_notes_and_keys_keep_any_text() -> None:
    """A path read from an undecodable name holds a lone surrogate (os.fsdecode); an id may be empty."""
    seen = FirstSeen()
    seen.add("caf\udce9", "/news/caf\udce9.txt")
    seen.add("", "")
    seen.add("Zürich", "/news/zürich.md")
    assert seen.get("caf\udce9") == "/news/caf\udce9.txt"
    assert seen.get("") == ""
    assert seen.get("Zürich") == "/news/zürich.md"
    assert seen.get("Zurich") is None
