"""A build that streams in batches writes the same index whatever the batch size (archive/building.py).

Builds and updates run with batches of three articles and with one batch for everything; both
share one embedding cache, so their vectors are the same bits and every file can be compared
(tests/support/index_files.py: byte for byte, Whoosh by what it reads, the manifest without its
time stamp). The corpus has reprints (near-duplicate stories span batches), a JSON Lines file
(read record by record) and, where ../shared holds it, a few SciFact abstracts.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from archive.api import Archive
from archive.settings import Settings
from archive.verify import verify_index
from bench import datasets
from index import layout
from index.embedder import Embedder
from index.manifest import read_manifest
from tests.support import ROOT, SEED_QUESTION, SEEDS
from tests.support.index_files import live_files

NEWS_PAGES = ROOT / "tests" / "data" / "html-news" / "pages"
SMALL, WHOLE = 3, 100_000
QUESTIONS = [SEED_QUESTION, "Which positions will Israel withdraw from?", "vitamin D and bone density"]


def corpus(folder: Path) -> list[Path]:
    """Seeds (copied, so a test can change them), news pages, and a JSON Lines file with two reprints of a seed."""
    seeds = folder / "seeds"
    shutil.copytree(SEEDS, seeds)
    lines = (SEEDS / "000_34248013aabff9bc.txt").read_text(encoding="utf-8").splitlines()
    body = "\n".join(lines[2:])
    records = [
        {"id": "wire/1", "title": "Border talks (wire)", "text": body.rsplit(".", 2)[0] + "."},
        {"id": "wire/2", "title": "Short note", "text": "A note that copies nothing at all."},
        {"id": "wire/3", "title": "Border talks (reprint)", "text": body.replace("Tuesday", "Tuesday evening", 1)},
    ]
    (folder / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    folders = [seeds, NEWS_PAGES, folder / "wire.jsonl"]
    if datasets.SCIFACT.exists():
        data = folder / "scifact"
        datasets.scifact_corpus(data, limit=12)
        folders.append(data)
    return folders


def settings_for(root: Path, batch: int) -> Settings:
    return Settings.from_env(
        environ={}, index_dir=root / "unused", embedding_cache=str(root / "cache.sqlite"), build_batch=batch
    )


def answers(archive: Archive) -> list[tuple[str, ...]]:
    found = []
    for question in QUESTIONS:
        answer = archive.ask(question)
        found.append(tuple(f"{c.article_id}:{c.start}-{c.end}" for c in answer.citations))
        found.append(tuple(f"{h.article_id}:{h.score:.6f}" for h in archive.search(question)))
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> tuple[Path, list[Path]]:
    """The corpus built with one batch (filling the shared cache) and with batches of three."""
    root = tmp_path_factory.mktemp("streaming")
    folders = corpus(root)
    for batch in (WHOLE, SMALL):
        Archive.build(folders, root / f"index-{batch}", settings_for(root, batch), embedder).close()
    return root, folders


def test_a_build_in_batches_of_three_writes_the_same_files(built: tuple[Path, list[Path]], embedder: Embedder) -> None:
    root, _ = built
    small, whole = root / f"index-{SMALL}", root / f"index-{WHOLE}"
    assert live_files(small) == live_files(whole)
    with (
        Archive.open(small, settings_for(root, SMALL), embedder) as a,
        Archive.open(whole, settings_for(root, WHOLE), embedder) as b,
    ):
        assert a.info().articles == b.info().articles
        assert answers(a) == answers(b)
    # Stories span batches: the wire copy and the reprint are grouped with the seed they copy.
    stories = {e.article_id: e.story for e in read_manifest(layout.current_generation(small)).articles}
    assert stories["wire/1"] == stories["wire/3"] == "000_34248013aabff9bc"
    assert stories["wire/2"] == "wire/2"
    # Nothing of the batches is left behind (the entries spilled, the postings' sorted runs).
    generation = layout.current_generation(small)
    on_disk = {path.relative_to(generation).as_posix() for path in generation.rglob("*") if path.is_file()}
    assert on_disk == {*read_manifest(generation).files, "manifest.json"}
    report = verify_index(small, settings_for(root, SMALL), embedder, questions=0, reembed=0)
    assert report.ok, report.problems


def test_an_update_in_batches_of_three_writes_the_same_files(
    built: tuple[Path, list[Path]], embedder: Embedder, tmp_path: Path
) -> None:
    """Added, changed, removed and unchanged articles in one update, carried Whoosh store and all."""
    root, folders = built
    for batch in (WHOLE, SMALL):
        shutil.copytree(root / f"index-{batch}", tmp_path / f"index-{batch}")
    seeds = tmp_path / "seeds"
    shutil.copytree(folders[0], seeds)
    changed = seeds / "003_12cca55447f6527d.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA sentence added later.\n", encoding="utf-8")
    (seeds / "new.txt").write_text("A new headline\n\nSomething else happened in another town.\n", encoding="utf-8")
    # The wire file is left out: its three articles are removed.
    now = [seeds, *folders[1:2], *folders[3:]]
    reports = {}
    for batch in (WHOLE, SMALL):
        with Archive.open(tmp_path / f"index-{batch}", settings_for(root, batch), embedder) as archive:
            reports[batch] = archive.update(now)
    small, whole = reports[SMALL], reports[WHOLE]
    assert (small.added, small.changed, small.removed) == (whole.added, whole.changed, whole.removed)
    assert small.removed == ("wire/1", "wire/2", "wire/3")
    assert "new" in small.added and "003_12cca55447f6527d" in small.changed
    assert live_files(tmp_path / f"index-{SMALL}") == live_files(tmp_path / f"index-{WHOLE}")
    report = verify_index(tmp_path / f"index-{SMALL}", settings_for(root, SMALL), embedder, questions=0, reembed=0)
    assert report.ok, report.problems
