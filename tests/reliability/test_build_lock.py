"""One builder at a time: a second one refuses or waits, and a killed builder's lock dies with it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from archive import Archive, IndexLockedError, Settings
from archive.verify import verify_index
from index import layout
from index.embedder import Embedder
from tests.support.reliability import Builder, Corpus, run_cli, version_of


def test_a_second_builder_refuses_then_waits_its_turn(
    builder: Builder, corpora: dict[str, Corpus], settings: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    Archive.build([corpora["A"].folder], index, settings, embedder).close()
    first = builder.start("build", corpora["B"].folder, index, pause="indexing")  # lock held, staging half done
    builder.wait_for(first, {"paused"})

    with pytest.raises(IndexLockedError, match="Another process is building") as refused:
        Archive.build([corpora["A"].folder], index, settings, embedder)
    assert str(index) in str(refused.value)
    cli = run_cli("build", str(corpora["A"].folder), index=index)
    assert cli.returncode == 1
    assert cli.stderr.startswith("error: Another process is building") and "Traceback" not in cli.stderr

    started: list[float] = []
    second = threading.Thread(
        target=lambda: Archive.build(
            [corpora["A"].folder], index, settings, embedder, lambda *_: started.append(time.monotonic()), 120
        ).close()
    )
    second.start()
    time.sleep(1.0)
    assert second.is_alive() and not started, "the second builder should be waiting for the lock"
    resumed = time.monotonic()
    builder.resume(first)
    finished = builder.finish(first)
    second.join(timeout=120)
    assert not second.is_alive()
    assert started and started[0] > resumed  # it began reading only after the first let go
    # Both generations are whole: the first one published B, then the second one A over it.
    assert version_of(index, corpora) == "A"
    assert (index / finished["generation"]).is_dir() and finished["generation"] != layout.current_name(index)
    report = verify_index(index, settings, embedder, questions=1, reembed=1)
    assert report.ok, report.problems


def test_a_killed_builders_lock_is_released(
    builder: Builder, corpora: dict[str, Corpus], settings: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    Archive.build([corpora["A"].folder], index, settings, embedder).close()
    job = builder.start("update", corpora["B"].folder, index, pause="whoosh-segment")
    builder.wait_for(job, {"paused"})
    assert (index / layout.LOCK_FILE).read_text().strip() == str(job.pid)
    assert list(index.glob(".staging-*"))
    assert builder.kill(job) == -9
    # The LOCK file is still there and still names the dead builder, but flock died with it.
    assert (index / layout.LOCK_FILE).read_text().strip() == str(job.pid)
    started = time.monotonic()
    Archive.build([corpora["B"].folder], index, settings, embedder).close()  # no waiting allowed
    assert time.monotonic() - started < 60
    assert version_of(index, corpora) == "B"
    assert not list(index.glob(".staging-*"))
