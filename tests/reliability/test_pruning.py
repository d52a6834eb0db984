"""Old generations go while a build runs, never the live one nor the one before it."""

from __future__ import annotations

import time
from pathlib import Path

from archive import Archive, Settings
from index import layout
from index.embedder import Embedder
from tests.support.reliability import Builder, Corpus, ask_seed, version_of


def _generations(index: Path) -> set[str]:
    return {p.name for p in index.glob(f"{layout.GENERATION_PREFIX}*")}


def test_a_build_removes_the_generation_before_last_while_it_runs(
    builder: Builder, corpora: dict[str, Corpus], settings: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    Archive.build([corpora["A"].folder], index, settings, embedder).close()
    oldest = layout.current_name(index)
    Archive.build([corpora["B"].folder], index, settings, embedder).close()
    live = layout.current_name(index)
    assert _generations(index) == {oldest, live}  # the live one and the one before it

    job = builder.start("update", corpora["A"].folder, index, pause="indexing")
    builder.wait_for(job, {"paused"})
    deadline = time.monotonic() + 30
    while oldest in _generations(index) and time.monotonic() < deadline:
        time.sleep(0.05)
    # Halfway through, the oldest is gone (publishing would remove it anyway); the live one answers.
    assert _generations(index) == {live}
    assert version_of(index, corpora) == "B"
    assert ask_seed(index, settings, embedder).answered
    builder.resume(job)
    finished = builder.finish(job)

    assert layout.current_name(index) == finished["generation"]
    assert _generations(index) == {live, finished["generation"]}
    assert version_of(index, corpora) == "A"
