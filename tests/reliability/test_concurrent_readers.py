"""Readers answer from one whole generation while another process rebuilds, and follow the swaps.

The corpus alternates between versions A and B, whose answers to the seed question
differ; every answer a reader gets must come entirely from one version (citations and
hits verbatim from that version's texts, no article of the other). A query that holds
a snapshot across several swaps, after its folder has been pruned, must still answer
exactly as it did at first (the open files and memory maps outlive the unlink).
"""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from pathlib import Path

import pytest

from archive import Archive, Hit, IndexCorruptError, SearchMode, Settings
from index import layout
from index import snapshot as snapshot_module
from index.embedder import Embedder
from index.retriever import RetrievalOptions, retrieve
from index.snapshot import Snapshot
from index.store import PassageStore
from tests.support import SEED_QUESTION
from tests.support.reliability import Builder, Corpus, consistent_version

SWAPS = 8
MIN_ROUNDS = 30
OTHER = {"A": "B", "B": "A"}


def hit_versions(hits: list[Hit], corpora: dict[str, Corpus]) -> set[str]:
    """The versions every hit is verbatim from; empty when the hits mix versions."""
    return {
        name
        for name, c in corpora.items()
        if all(h.article_id in c.texts and c.texts[h.article_id][h.start : h.end] == h.text for h in hits)
    }


def snapshot_answer(snapshot: Snapshot, embedder: Embedder) -> list[tuple[str, str]]:
    """Ranked passage texts straight from a snapshot: Whoosh, vectors and the article store."""
    retrieval = retrieve(snapshot, embedder, SEED_QUESTION, 5, "hybrid", RetrievalOptions())
    refs = [snapshot.passage(p.row) for p in retrieval.passages]
    return [(r.article.article_id, snapshot.article(r.article.article_id).text[r.start : r.end]) for r in refs]


@pytest.mark.slow
def test_readers_see_whole_versions_while_another_process_rebuilds(
    builder: Builder, corpora: dict[str, Corpus], settings: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    for version in ("B", "A"):  # warm the embedding cache with both versions: swaps come fast
        builder.finish(builder.start("build", corpora[version].folder, index))
    pinned = Snapshot(layout.current_generation(index))  # a long query that began before every swap
    pinned_first = snapshot_answer(pinned, embedder)
    follower = Archive.open(index, settings, embedder)
    published: list[str] = []
    failures: list[BaseException] = []
    enough, finished = threading.Event(), threading.Event()

    def rebuild() -> None:
        live = "A"
        try:
            while len(published) < SWAPS or not enough.is_set():
                live = OTHER[live]
                builder.finish(builder.start(("update", "build")[len(published) % 2], corpora[live].folder, index))
                published.append(live)
        except BaseException as exc:
            failures.append(exc)
        finally:
            finished.set()

    thread = threading.Thread(target=rebuild)
    thread.start()
    seen: Counter[str] = Counter()
    queries = 0
    while not finished.is_set():
        mode: SearchMode = "hybrid" if queries % 4 == 0 else "bm25"  # BM25 rounds are quick, so many fall inside swaps
        seen[consistent_version(follower.ask(SEED_QUESTION, mode=mode), corpora)] += 1
        assert hit_versions(follower.search("Lebanese detainees released at Naqoura", k=10, mode=mode), corpora)
        if queries % 5 == 0:  # a reader that opens the index afresh mid-swap
            with Archive.open(index, settings, embedder) as fresh:
                seen[consistent_version(fresh.ask(SEED_QUESTION, mode="bm25"), corpora)] += 1
        queries += 1
        if queries >= MIN_ROUNDS:
            enough.set()
    thread.join()
    assert not failures, failures
    assert published[:4] == ["B", "A", "B", "A"]
    assert seen["A"] and seen["B"], seen  # the long-lived reader followed the swaps
    assert consistent_version(follower.ask(SEED_QUESTION), corpora) == published[-1]
    follower.close()
    # Pruned from disk several generations ago, the pinned snapshot still answers as it did.
    assert not pinned.folder.exists()
    assert snapshot_answer(pinned, embedder) == pinned_first
    pinned.close()
    print(f"\n{queries} query rounds during {len(published)} swaps; answers by version: {dict(seen)}")


def test_a_generation_pruned_while_a_reader_opens_it_is_skipped_cleanly(
    corpora: dict[str, Corpus], settings: Settings, embedder: Embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two quick builds can prune a generation a reader has just found in CURRENT and is opening."""
    index = tmp_path / "index"
    Archive.build([corpora["A"].folder], index, settings, embedder).close()
    follower = Archive.open(index, settings, embedder)
    assert consistent_version(follower.ask(SEED_QUESTION), corpora) == "A"
    Archive.build([corpora["B"].folder], index, settings, embedder).close()
    opened, vanished = PassageStore, []

    def open_then_vanish(path: Path) -> PassageStore:
        store = opened(path)
        shutil.rmtree(path.parent)  # pruned between the Whoosh store and the article store
        vanished.append(path.parent)
        return store

    monkeypatch.setattr(snapshot_module, "PassageStore", open_then_vanish)
    assert consistent_version(follower.ask(SEED_QUESTION), corpora) == "A"  # keeps its whole snapshot
    assert vanished  # it did try the new generation, and got IndexCorruptError, not an OSError
    with pytest.raises(IndexCorruptError, match="archive build"):  # CURRENT now names a folder that is gone
        Archive.open(index, settings, embedder)
    monkeypatch.undo()
    Archive.build([corpora["B"].folder], index, settings, embedder).close()
    assert consistent_version(follower.ask(SEED_QUESTION), corpora) == "B"  # and moves on when it can
    follower.close()
