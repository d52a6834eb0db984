"""A sharded index served from Ray actors: the same answers as in process, through a killed actor too."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

from archive.api import Archive
from archive.settings import Settings
from index.embedder import Embedder
from tests.cluster.conftest import SHARDS, answer_key
from tests.support import SEED_QUESTION, ray_cluster
from tests.support.cli import run_archive

QUESTIONS = [
    SEED_QUESTION,
    "What did the negotiations in Naqoura address?",
    "Which positions will Israel withdraw from?",
    "Who was released?",
]


def test_answers_through_shard_actors_equal_in_process_answers(
    local_build: Archive, ray_settings: Settings, embedder: Embedder
) -> None:
    served = Archive.open(local_build.index_dir, settings=ray_settings, embedder=embedder)
    try:
        for question in QUESTIONS:
            assert answer_key(served, question) == answer_key(local_build, question), question
            assert len(ray_cluster.workers("ShardActor")) == SHARDS, "one actor per shard answered"
            for mode in ("hybrid", "bm25", "dense"):
                assert served.search(question, k=8, mode=mode) == local_build.search(question, k=8, mode=mode)
        assert served.search("Naqoura", source="no such outlet") == []
    finally:
        served.close()
    assert ray_cluster.wait_for_no_workers("ShardActor"), "closing the archive ends its actors"


def test_a_shard_actor_killed_during_queries_is_replaced_and_the_queries_answered(
    local_build: Archive, ray_settings: Settings, embedder: Embedder
) -> None:
    expected = {q: answer_key(local_build, q) for q in QUESTIONS}
    served = Archive.open(local_build.index_dir, settings=ray_settings, embedder=embedder)
    try:
        served.ask(SEED_QUESTION)
        actors = ray_cluster.workers("ShardActor")
        assert len(actors) == SHARDS
        answers: list[tuple[str, tuple[object, ...]]] = []
        failures: list[BaseException] = []

        def ask_all() -> None:
            try:
                for question in QUESTIONS * 3:
                    answers.append((question, answer_key(served, question)))
            except BaseException as exc:
                failures.append(exc)

        asker = threading.Thread(target=ask_all)
        asker.start()
        while not answers and asker.is_alive():
            time.sleep(0.01)
        os.kill(actors[0], signal.SIGKILL)
        asker.join()
        assert not failures, failures
        assert len(answers) == len(QUESTIONS) * 3
        assert all(key == expected[question] for question, key in answers)
        now = ray_cluster.workers("ShardActor")
        assert len(now) == SHARDS and actors[0] not in now and actors[1] in now, "the killed one was replaced"
    finally:
        served.close()
    assert ray_cluster.wait_for_no_workers("ShardActor")


def test_archive_ask_with_ray_answers_from_the_cluster(local_build: Archive, ray_address: str, tmp_path: Path) -> None:
    """The command line joins the cluster itself (`--ray`), as a user's shell would."""
    result = run_archive(
        "ask", SEED_QUESTION, "--json", "--ray", ray_address, home=tmp_path, index=local_build.index_dir
    )
    assert result.returncode == 0, result.stderr[-3000:]
    cited = [(c["article_id"], c["start"], c["end"]) for c in json.loads(result.stdout)["citations"]]
    expected = local_build.ask(SEED_QUESTION).citations
    assert cited == [(c.article_id, c.start, c.end) for c in expected] and cited
