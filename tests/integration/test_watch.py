"""A watched folder keeps its index current: additions, changes, deletions and slow writes.

Each test runs the real watcher (watchfiles, real updates, the real model) in a thread on
a tmp folder, with short debounce and settle times, and stops it within a bounded time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from archive import Archive, Settings
from archive.errors import ArticleNotFoundError
from archive.watching import Watcher, WatchOptions, WatchUpdate, is_watched_name
from index.embedder import Embedder
from tests.support import SEEDS

FAST = WatchOptions(debounce_ms=300, settle_s=0.6, max_settle_s=20, rescan_s=1.0, lock_wait_s=30)
LIMIT_S = 90.0


def wait_for(condition: Callable[[], bool], what: str, limit: float = LIMIT_S) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def has_article(archive: Archive, article_id: str) -> bool:
    try:
        archive.article(article_id)
    except ArticleNotFoundError:
        return False
    return True


@contextmanager
def watching(archive: Archive, folder: Path, updates: list[WatchUpdate]) -> Iterator[None]:
    stop = threading.Event()
    watcher = Watcher(archive, [folder], updates.append, FAST, stop)
    thread = threading.Thread(target=watcher.run, kwargs={"initial_update": False}, daemon=True)
    thread.start()
    time.sleep(0.5)  # the notifier starts; anything earlier is caught by the first rescan anyway
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
        assert not thread.is_alive(), "the watcher did not stop"


def make_archive(tmp_path: Path, embedder: Embedder, settings: Settings) -> tuple[Archive, Path]:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "seed.txt").write_bytes((SEEDS / "000_34248013aabff9bc.txt").read_bytes())
    return Archive.build([folder], index_dir=tmp_path / "index", settings=settings, embedder=embedder), folder


ARTICLE = "---\ntitle: Ferry resumes\nsource: Harbour Gazette\ndate: 2025-03-11\n---\n{}\n"


def test_added_changed_and_deleted_files_are_indexed(tmp_path: Path, embedder: Embedder, settings: Settings) -> None:
    archive, folder = make_archive(tmp_path, embedder, settings)
    updates: list[WatchUpdate] = []
    with watching(archive, folder, updates):
        (folder / "ferry.md").write_text(ARTICLE.format("The ferry carried 412 passengers."), encoding="utf-8")
        wait_for(lambda: has_article(archive, "ferry"), "the added article")
        assert archive.article("ferry").source == "Harbour Gazette"
        (folder / "ferry.md").write_text(ARTICLE.format("The ferry carried 415 passengers."), encoding="utf-8")
        wait_for(lambda: "415" in archive.article("ferry").text, "the changed article")
        (folder / "ferry.md").unlink()
        wait_for(lambda: not has_article(archive, "ferry"), "the deleted article")
        (folder / ".hidden.txt").write_text("Hidden notes are never read.", encoding="utf-8")
        (folder / "draft.txt.part").write_text("A download in progress.", encoding="utf-8")
        time.sleep(2.5)  # several settle periods: nothing to update
    reports = [u.report for u in updates if u.report is not None]
    assert [u.error for u in updates] == [""] * len(updates)
    assert [(r.added, r.changed, r.removed) for r in reports if r.added or r.changed or r.removed] == [
        (("ferry",), (), ()),
        ((), ("ferry",), ()),
        ((), (), ("ferry",)),
    ]
    assert len(reports) == 3  # the hidden file and the partial download caused no update
    assert all(hit.article_id != "ferry" for hit in archive.search("ferry passengers", k=5))
    archive.close()


def test_a_file_written_slowly_is_read_once_complete(tmp_path: Path, embedder: Embedder, settings: Settings) -> None:
    archive, folder = make_archive(tmp_path, embedder, settings)
    updates: list[WatchUpdate] = []
    pieces = [ARTICLE.format("").rstrip("\n") + "\n"] + [f"Paragraph {n} of the slow report.\n" for n in range(1, 7)]
    with watching(archive, folder, updates):
        with (folder / "slow.md").open("w", encoding="utf-8") as handle:
            for piece in pieces:  # a piece every 0.25 s, well inside the 0.6 s settle time
                handle.write(piece)
                handle.flush()
                time.sleep(0.25)
        wait_for(lambda: has_article(archive, "slow"), "the slowly written article")
        time.sleep(2.0)  # any later update would show here
    article = archive.article("slow")
    assert article.text == "".join(f"Paragraph {n} of the slow report.\n" for n in range(1, 7))
    reports = [u.report for u in updates if u.report is not None]
    assert [r.added for r in reports] == [("slow",)] and all(not r.changed for r in reports)
    archive.close()


def test_partial_and_hidden_names_are_not_watched() -> None:
    assert is_watched_name("story.html") and is_watched_name("feed.rss")
    for name in (".story.html", "story.html.crdownload", "story.html.part", "notes.txt~", ".#x.md"):
        assert not is_watched_name(name)
