"""The manifest round-trips, reads article rows in any field order, and refuses a damaged row."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import orjson
import pytest

from index.catalogue import ArticleCatalogue
from index.errors import IndexCorruptError
from index.manifest import ArticleEntry, Manifest, SpilledEntries, read_manifest, write_manifest
from index.schema import MANIFEST

ENTRIES = (
    ArticleEntry(
        "a", "h1", "Harbour reopens", "Coast Herald", "2025-03-02", "/news/a.md", 0, 2, 0, 3, 0, 120, 1.5, "a"
    ),
    ArticleEntry("b", "h2", "Bridge closed", "", "", "/news/b.md", 2, 1, 3, 2, 120, 80, 2.5, "a"),
)


def manifest() -> Manifest:
    return Manifest("0.1.0", "model", "f" * 64, 384, 128, 1, "splitter", "2026-01-01T00:00:00+00:00", ENTRIES, 3, 5)


def test_a_manifest_reads_back_as_written(tmp_path: Path) -> None:
    write_manifest(tmp_path, manifest())
    assert read_manifest(tmp_path) == manifest()
    assert read_manifest(tmp_path).articles[1].source_mtime == 2.5


def test_article_rows_in_another_field_order_read_by_name(tmp_path: Path) -> None:
    write_manifest(tmp_path, manifest())
    data = orjson.loads((tmp_path / MANIFEST).read_bytes())
    data["article_fields"] = list(reversed(data["article_fields"]))
    data["articles"] = [list(reversed(row)) for row in data["articles"]]
    (tmp_path / MANIFEST).write_bytes(orjson.dumps(data))
    assert read_manifest(tmp_path).articles == ENTRIES


@pytest.mark.parametrize("width", [12, 15])
def test_an_article_row_with_too_few_or_too_many_fields_is_damage(tmp_path: Path, width: int) -> None:
    """12: the two fields with defaults (source mtime, story) missing; 15: one too many."""
    write_manifest(tmp_path, manifest())
    data = orjson.loads((tmp_path / MANIFEST).read_bytes())
    data["articles"][1] = (data["articles"][1] + ["extra"])[:width]
    (tmp_path / MANIFEST).write_bytes(orjson.dumps(data))
    with pytest.raises(IndexCorruptError, match="damaged"):
        read_manifest(tmp_path)


def test_a_manifest_of_thousands_of_articles_is_written_in_pieces_and_reads_back(tmp_path: Path) -> None:
    """Past 4,096 rows the JSON is written a piece at a time; the file is still one JSON document."""
    entries = tuple(
        ArticleEntry(f"id{i}", f"h{i}", f"Title {i}", "Wire", "2025-01-02", "/news/all.jsonl", i, 1, i, 2, i * 9, 9)
        for i in range(9000)
    )
    written = Manifest("0.1.0", "model", "f" * 64, 384, 128, 1, "splitter", "2026-01-01", entries, 9000, 18000)
    write_manifest(tmp_path, written)
    data = orjson.loads((tmp_path / MANIFEST).read_bytes())
    assert len(data["articles"]) == 9000
    assert data["articles"][8999][:3] == ["id8999", "h8999", "Title 8999"]
    assert data["passages"] == 9000
    read = read_manifest(tmp_path)
    assert read == written
    assert read.articles[4096].passage_row == 4096


def thousands(count: int) -> tuple[ArticleEntry, ...]:
    return tuple(
        ArticleEntry(
            f"id{i}", f"h{i}", f"Title {i}", "Wire", "2025-01-02", "/news/all.jsonl", i, 1, i, 2, i * 9, 9, 0.5
        )
        for i in range(count)
    )


@pytest.mark.parametrize("count", [2, 9000])
def test_a_manifest_written_from_spilled_entries_is_the_same_file(tmp_path: Path, count: int) -> None:
    """A build spills entries a batch at a time; the manifest streamed from them is byte for byte
    the one written from the entries in memory (indented under 50 rows, in pieces past 4,096)."""
    entries = ENTRIES if count == 2 else thousands(count)
    whole = Manifest("0.1.0", "model", "f" * 64, 384, 128, 1, "splitter", "2026-01-01", entries, count, 2 * count)
    write_manifest(tmp_path, whole)
    expected = (tmp_path / MANIFEST).read_bytes()
    spilled = SpilledEntries(tmp_path / "spill")
    for start in range(0, count, 1000):
        spilled.append(entries[start : start + 1000])
    write_manifest(tmp_path, replace(whole, articles=()), spilled)
    assert (tmp_path / MANIFEST).read_bytes() == expected
    assert read_manifest(tmp_path).articles == entries


def test_spilled_entries_name_each_story_by_its_first_articles_id(tmp_path: Path) -> None:
    """Rows 0 and 2 are one story, 1 is alone, 3 and 4 are a story begun by 3: stories given by row."""
    spilled = SpilledEntries(tmp_path / "spill")
    spilled.append(thousands(3))
    spilled.append(thousands(5)[3:])
    spilled.name_stories(np.array([0, 1, 0, 3, 3]))
    rows = [row for chunk in spilled.chunks() for row in chunk]
    assert [(row[0], row[-1]) for row in rows] == [
        ("id0", "id0"),
        ("id1", "id1"),
        ("id2", "id0"),
        ("id3", "id3"),
        ("id4", "id3"),
    ]
    spilled.remove()
    assert not (tmp_path / "spill").exists()


def test_a_large_manifest_is_a_piece_a_line_and_reads_back_in_any_layout(tmp_path: Path) -> None:
    """Past 50 rows: the head, one line per 4,096 rows, the close; a reader parses a line at a time.
    The same JSON on one line (as an earlier version wrote it) reads the same."""
    written = Manifest("0.1.0", "model", "f" * 64, 384, 128, 1, "splitter", "2026-01-01", thousands(9000), 9000, 1)
    write_manifest(tmp_path, written)
    lines = (tmp_path / MANIFEST).read_bytes().split(b"\n")
    assert len(lines) == 5  # head, 4,096 + 4,096 + 808 rows, close
    assert lines[1].count(b'"Title ') == 4096 and lines[3].count(b'"Title ') == 808
    assert read_manifest(tmp_path) == written
    (tmp_path / MANIFEST).write_bytes(orjson.dumps(orjson.loads((tmp_path / MANIFEST).read_bytes())))
    assert read_manifest(tmp_path) == written


def test_a_manifest_cut_short_between_its_pieces_is_damage(tmp_path: Path) -> None:
    written = Manifest("0.1.0", "model", "f" * 64, 384, 128, 1, "splitter", "2026-01-01", thousands(9000), 9000, 1)
    write_manifest(tmp_path, written)
    lines = (tmp_path / MANIFEST).read_bytes().split(b"\n")
    (tmp_path / MANIFEST).write_bytes(b"\n".join(lines[:3]) + b"\n")
    with pytest.raises(IndexCorruptError, match="damaged"):
        read_manifest(tmp_path)


def test_the_catalogue_finds_an_entry_by_its_texts_hash() -> None:
    """What an update plans against: the previous generation's article with the same text, if any."""
    copy = replace(ENTRIES[0], article_id="c", story="a")  # the same text under another id, later in the build
    catalogue = ArticleCatalogue([*ENTRIES, copy])
    assert catalogue.with_content("h2") is ENTRIES[1]
    assert catalogue.with_content("h1") is copy
    assert catalogue.with_content("h3") is None
