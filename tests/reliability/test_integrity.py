"""`archive verify` finds damage that keeps file sizes, and `show` says when a source file changed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import orjson
import pytest

from archive import Archive, Settings
from archive.verify import verify_index
from index import layout, schema
from index.embedder import Embedder
from tests.support import SEEDS
from tests.support.reliability import FIRST_SEED, SECOND_SEED, run_cli

Array = npt.NDArray[np.generic]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, settings: Settings) -> Path:
    index = tmp_path_factory.mktemp("integrity") / "index"
    Archive.build([SEEDS], index, settings, embedder).close()
    return index


def flip_text_byte(folder: Path) -> None:
    data = bytearray((folder / schema.ARTICLES).read_bytes())
    at = data.index(b"detainees")
    data[at] = ord("D")  # same size, still valid JSON: only the content hash can tell
    (folder / schema.ARTICLES).write_bytes(bytes(data))


def edit_array(spec: schema.ArrayFile, change: Callable[[Array], None]) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        array = np.load(folder / spec.name, mmap_mode="r+")
        change(array)
        array.flush()

    return damage


def swap_rows(array: Array) -> None:
    array[[0, -1]] = array[[-1, 0]]


def edit_manifest_hash(folder: Path) -> None:
    text = (folder / schema.MANIFEST).read_text(encoding="utf-8")
    manifest = orjson.loads(text)
    old = manifest["articles"][0][manifest["article_fields"].index("content_hash")]
    new = ("0" if old[0] != "0" else "1") + old[1:]
    (folder / schema.MANIFEST).write_text(text.replace(old, new), encoding="utf-8")


DAMAGE = {
    "text byte": (flip_text_byte, "does not match its content hash"),
    "NaN vector": (edit_array(schema.SENTENCE_VECTORS, lambda a: a.__setitem__((3, 7), np.nan)), "not finite unit"),
    "scaled vector": (edit_array(schema.PASSAGE_VECTORS, lambda a: a.__setitem__(2, a[2] * 2)), "not finite unit"),
    "swapped rows": (edit_array(schema.PASSAGE_VECTORS, swap_rows), "stored vector is not its text's"),
    "swapped spans": (edit_array(schema.SENTENCE_SPANS, swap_rows), "sentence spans fall outside"),
    "manifest hash": (edit_manifest_hash, "does not match its content hash"),
    "BM25 count": (edit_array(schema.BM25_TF, lambda a: a.__setitem__((5, 0), a[5, 0] + 1)), "wrong BM25 postings"),
    "BM25 length": (edit_array(schema.BM25_LENGTHS, lambda a: a.__setitem__((0, 0), -1)), "wrong BM25 postings"),
    "coarse row": (edit_array(schema.COARSE_VECTORS, swap_rows), "do not match the passage vectors"),
    "BM25 rows": (edit_array(schema.BM25_ROWS, lambda a: a.__setitem__(0, 10**6)), "passage rows out of range"),
}


def test_a_sound_index_verifies(built: Path, settings: Settings, embedder: Embedder) -> None:
    report = verify_index(built, settings, embedder)
    assert report.ok and report.problems == ()
    assert report.generation == layout.current_name(built)
    assert report.counts["articles_hashed"] == report.counts["articles"] == 2
    assert report.counts["whoosh_documents"] == report.counts["passages"]
    assert report.counts["postings_passages_checked"] == report.counts["passages"]
    assert report.counts["questions_asked"] == 2 and report.counts["citations_checked"] > 0


@pytest.mark.parametrize("damage", DAMAGE)
def test_damage_that_keeps_file_sizes_is_found(
    built: Path, tmp_path: Path, settings: Settings, embedder: Embedder, damage: str
) -> None:
    copy = tmp_path / "index"
    shutil.copytree(built, copy)
    change, expected = DAMAGE[damage]
    change(layout.current_generation(copy))
    report = verify_index(copy, settings, embedder)
    assert not report.ok
    assert any(expected in problem for problem in report.problems), report.problems


def test_the_verify_command(built: Path, tmp_path: Path) -> None:
    sound = run_cli("verify", "--json", index=built)
    assert sound.returncode == 0, sound.stderr
    assert orjson.loads(sound.stdout)["ok"] is True
    copy = tmp_path / "index"
    shutil.copytree(built, copy)
    flip_text_byte(layout.current_generation(copy))
    damaged = run_cli("verify", index=copy)
    assert damaged.returncode == 1 and "Traceback" not in damaged.stderr
    assert f"problem: article '{FIRST_SEED}': its stored text does not match its content hash" in damaged.stdout
    assert "archive build" in damaged.stdout
    missing = run_cli("verify", index=tmp_path / "nothing")
    assert missing.returncode == 1 and "archive build" in missing.stdout


def test_a_changed_or_vanished_source_is_stale(
    seeds_copy: Path, tmp_path: Path, settings: Settings, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = tmp_path / "index"
    monkeypatch.chdir(seeds_copy.parent)  # built from a relative path, checked from elsewhere
    Archive.build([Path(seeds_copy.name)], index, settings, embedder).close()
    monkeypatch.chdir(tmp_path.parent)
    with Archive.open(index, settings, embedder) as archive:
        assert not archive.is_stale(FIRST_SEED) and not archive.is_stale(SECOND_SEED)
        first = seeds_copy / f"{FIRST_SEED}.txt"
        first.write_text(first.read_text(encoding="utf-8") + "\nA late correction.\n", encoding="utf-8")
        os.utime(first, (1_700_000_000, 1_700_000_000))  # a changed mtime, whatever the clock's resolution
        assert archive.is_stale(FIRST_SEED)
        (seeds_copy / f"{SECOND_SEED}.txt").unlink()
        assert archive.is_stale(SECOND_SEED)
    shown = run_cli("show", FIRST_SEED, index=index)
    assert shown.returncode == 0 and "changed or vanished since indexing" in shown.stdout
    Archive.build([seeds_copy], index, settings, embedder).close()
    fresh = run_cli("show", FIRST_SEED, index=index)
    assert fresh.returncode == 0 and "changed or vanished" not in fresh.stdout
    assert "A late correction." in fresh.stdout
