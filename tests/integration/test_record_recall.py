"""An update takes an unchanged JSON Lines record's article from the previous generation (archive/recall.py):
what it writes is what a build from scratch writes, and nothing a record's line, place or warnings
decide is ever taken from a stale read."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from archive.api import Archive
from archive.settings import Settings
from index import layout
from index.embedder import Embedder
from index.manifest import read_manifest
from tests.support import open_generation

RECORDS = [
    {"id": "harbour", "title": "Harbour reopens", "text": "The harbour reopened on Monday. Ferries resume on Friday."},
    {"title": "Bridge closed", "text": "The old bridge was closed for repairs. Traffic goes through the tunnel."},
    {"id": "school", "title": "New school", "text": "A new school opened in the north. It has places for 400 pupils."},
    {"title": "Storm warning", "text": "A storm warning was issued for the coast. Winds may reach 120 km/h."},
]
ODD_DATE = {"id": "market", "title": "Market moves", "date": "sometime soon", "text": "The market moves. Stalls open."}
SAME_FILES = (
    "articles.bin",
    "record_digests.npy",
    "passage_spans.npy",
    "sentence_spans.npy",
    "minhash.npy",
    "passage_vectors.npy",
    "sentence_vectors.npy",
)


def write(path: Path, records: list[dict[str, str]]) -> None:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")


def settings_in(root: Path) -> Settings:
    # One embedding cache for both indexes: the same text gets the same vector bits in either.
    return Settings.from_env(environ={}, index_dir=root / "unused", embedding_cache=str(root / "cache.sqlite"))


def generation_file(index_dir: Path, name: str) -> bytes:
    return (layout.current_generation(index_dir) / name).read_bytes()


def test_an_update_writes_what_a_fresh_build_writes(tmp_path: Path, embedder: Embedder) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    write(folder / "wire.jsonl", RECORDS)
    settings = settings_in(tmp_path)
    updated = Archive.build([folder], tmp_path / "updated", settings, embedder)
    # The first two lines stay (recalled); a record inserted third moves the lines after it: the
    # storm record, with no id, gets a new default id (`wire/N`, N its line); school's text changes.
    changed = {**RECORDS[2], "text": "A new school opened in the north. It has places for 450 pupils."}
    library = {"id": "library", "title": "Library hours", "text": "The library opens on Sundays."}
    write(folder / "wire.jsonl", [RECORDS[0], RECORDS[1], library, changed, RECORDS[3]])
    report = updated.update([folder])
    assert (report.added, report.changed, report.removed) == (("library", "wire/5"), ("school",), ("wire/4",))
    assert report.unchanged == 2

    fresh = Archive.build([folder], tmp_path / "fresh", settings, embedder)
    for name in SAME_FILES:
        assert generation_file(updated.index_dir, name) == generation_file(fresh.index_dir, name), name
    entries = [read_manifest(layout.current_generation(a.index_dir)).articles for a in (updated, fresh)]
    assert entries[0] == entries[1]
    assert [e.article_id for e in entries[0]] == ["harbour", "wire/2", "library", "school", "wire/5"]
    updated.close()
    fresh.close()


def test_unchanged_lines_are_recalled_and_their_digests_kept(tmp_path: Path, embedder: Embedder) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    write(folder / "wire.jsonl", RECORDS)
    archive = Archive.build([folder], tmp_path / "index", settings_in(tmp_path), embedder)
    before = open_generation(archive.index_dir)
    digests = np.array(before.record_digests())
    assert digests.shape == (4, 16) and digests.any(axis=1).all()  # every record read cleanly is remembered
    articles = {e.article_id: before.article(e.article_id) for e in before.entries}
    before.close()

    write(folder / "wire.jsonl", [*RECORDS[:3], {**RECORDS[3], "text": "A storm warning was lifted on the coast."}])
    report = archive.update([folder])
    assert (report.added, report.changed, report.unchanged) == ((), ("wire/4",), 3)
    after = open_generation(archive.index_dir)
    kept = np.array(after.record_digests())
    assert (kept[:3] == digests[:3]).all() and not (kept[3] == digests[3]).all()
    for article_id in ("harbour", "wire/2", "school"):
        assert after.article(article_id) == articles[article_id]
    assert after.article("wire/4").text == "A storm warning was lifted on the coast."
    after.close()
    archive.close()


def test_a_record_read_with_a_warning_is_read_again_and_warned_about_again(tmp_path: Path, embedder: Embedder) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    write(folder / "wire.jsonl", [*RECORDS, ODD_DATE])
    archive = Archive.build([folder], tmp_path / "index", settings_in(tmp_path), embedder)
    assert archive.last_report is not None
    warned = [w.reason for w in archive.last_report.warnings]
    assert warned == ["date 'sometime soon' not understood; left empty"]
    snapshot = open_generation(archive.index_dir)
    assert not np.array(snapshot.record_digests())[4].any()  # not remembered: zeros
    snapshot.close()

    write(folder / "wire.jsonl", [*RECORDS[:3], {**RECORDS[3], "text": "Winds dropped overnight."}, ODD_DATE])
    report = archive.update([folder])
    assert [w.reason for w in report.warnings] == warned
    assert report.changed == ("wire/4",)
    archive.close()


def test_the_same_lines_in_another_file_are_read_again(tmp_path: Path, embedder: Embedder) -> None:
    """A record's digest covers its file's path: moved, its articles point at the new file."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    write(first / "wire.jsonl", RECORDS)
    write(second / "wire.jsonl", RECORDS)
    archive = Archive.build([first], tmp_path / "index", settings_in(tmp_path), embedder)
    report = archive.update([second])
    assert report.changed == ("harbour", "wire/2", "school", "wire/4")  # same text, new path
    snapshot = open_generation(archive.index_dir)
    assert {e.path for e in snapshot.entries} == {str(second / "wire.jsonl")}
    assert {snapshot.article(e.article_id).path for e in snapshot.entries} == {str(second / "wire.jsonl")}
    snapshot.close()
    archive.close()
