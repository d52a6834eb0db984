"""Shared pieces of the reliability tests: two corpus versions, the forking builder, index checks."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive import Answer, Archive, Settings
from archive.readers import read_folders
from index import layout
from index.embedder import Embedder
from index.manifest import read_manifest
from index.shardset import read_shard_set
from tests.support import ROOT, SEED_QUESTION, SEEDS

FIRST_SEED = "000_34248013aabff9bc"
SECOND_SEED = "003_12cca55447f6527d"
MARKERS = {"A": "five Lebanese detainees", "B": "seven Lebanese detainees"}
ARCHIVE_CLI = Path(sys.executable).with_name("archive")


@dataclass(frozen=True)
class Corpus:
    """One version of the article folder: its files, and its articles' ids, hashes and texts."""

    name: str
    folder: Path
    hashes: frozenset[tuple[str, str]]
    texts: dict[str, str] = field(hash=False, compare=False)


def make_corpora(base: Path) -> dict[str, Corpus]:
    """Version A is the seeds; B changes the answer (five -> seven), drops one seed and adds a story."""
    a, b = base / "A", base / "B"
    shutil.copytree(SEEDS, a)
    shutil.copytree(SEEDS, b)
    first = b / f"{FIRST_SEED}.txt"
    first.write_text(first.read_text(encoding="utf-8").replace(MARKERS["A"], MARKERS["B"]), encoding="utf-8")
    (b / f"{SECOND_SEED}.txt").unlink()
    (b / "storm.md").write_text(
        "---\ntitle: Storm hits coast\nsource: Coast Herald\ndate: 2025-03-02\n---\n"
        "A storm with winds of 140 km/h hit the coast on Sunday. Ten fishing boats sank in the harbour.\n",
        encoding="utf-8",
    )
    return {name: corpus(name, folder) for name, folder in (("A", a), ("B", b))}


def corpus(name: str, folder: Path) -> Corpus:
    articles = read_folders([folder]).articles
    return Corpus(
        name,
        folder,
        frozenset((a.article_id, a.content_hash) for a in articles),
        {a.article_id: a.text for a in articles},
    )


def live_hashes(index: Path) -> frozenset[tuple[str, str]]:
    """The (article id, content hash) pairs of the live index, from its manifest (every shard's, when sharded)."""
    top = layout.current_top(index)
    folders = [index / ref.folder for ref in read_shard_set(top).shards] if layout.is_shard_set(top) else [top]
    return frozenset((e.article_id, e.content_hash) for folder in folders for e in read_manifest(folder).articles)


def version_of(index: Path, corpora: dict[str, Corpus]) -> str:
    hashes = live_hashes(index)
    names = [name for name, c in corpora.items() if c.hashes == hashes]
    assert len(names) == 1, f"the live generation holds neither corpus version: {sorted(hashes)}"
    return names[0]


Key = tuple[tuple[str, int, int, str, float], ...]


def answer_key(answer: Answer) -> Key:
    return tuple((c.article_id, c.start, c.end, c.sentence, round(c.score, 5)) for c in answer.citations)


def consistent_version(answer: Answer, corpora: dict[str, Corpus]) -> str:
    """The one corpus version every citation and hit of `answer` is verbatim from; fails on a mix."""
    assert answer.answered, answer.note
    version = next(name for name, marker in MARKERS.items() if marker in answer.citations[0].sentence)
    texts = corpora[version].texts
    spans = [(c.article_id, c.start, c.end, c.sentence) for c in answer.citations]
    spans += [(h.article_id, h.start, h.end, h.text) for h in answer.hits]
    for article_id, start, end, text in spans:
        assert article_id in texts, f"{article_id} is not in version {version}: a mixed answer"
        assert texts[article_id][start:end] == text, f"{article_id} {start}-{end} is not verbatim in {version}"
    return version


def ask_seed(index: Path, settings: Settings, embedder: Embedder) -> Answer:
    with Archive.open(index, settings, embedder) as archive:
        answer = archive.ask(SEED_QUESTION)
        for citation in answer.citations:
            assert archive.article(citation.article_id).text[citation.start : citation.end] == citation.sentence
        return answer


def run_cli(*args: str, index: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARCHIVE_INDEX_DIR": str(index), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [str(ARCHIVE_CLI), *args], capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


@dataclass
class Job:
    id: int
    pid: int
    events: queue.Queue[dict[str, Any]]
    seen: list[dict[str, Any]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    @property
    def last_point(self) -> str:
        points = [e["point"] for e in self.seen if e["event"] == "at"]
        return points[-1] if points else "(none yet)"


class Builder:
    """Client of tests/support/builder_zygote.py: one process, the model loaded once, a fork per job."""

    def __init__(self) -> None:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.builder_zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        self._queues: dict[int, queue.Queue[dict[str, Any]]] = {0: queue.Queue()}
        self._lock = threading.Lock()
        self._next_id = 1
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        ready = self._queues[0].get(timeout=120)
        assert ready["event"] == "ready", ready

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            event = json.loads(line)
            self._queue(int(event.get("job", 0))).put(event)

    def _queue(self, job: int) -> queue.Queue[dict[str, Any]]:
        with self._lock:
            return self._queues.setdefault(job, queue.Queue())

    def start(self, op: str, folder: Path, index: Path, pause: str | None = None, **options: Any) -> Job:
        with self._lock:
            job_id, self._next_id = self._next_id, self._next_id + 1
        self._send({"id": job_id, "op": op, "folders": [str(folder)], "index": str(index), "pause": pause, **options})
        job = Job(job_id, 0, self._queue(job_id))
        job.pid = int(self.wait_for(job, {"forked"}, timeout=60)["pid"])  # the worker may speak first
        return job

    def _send(self, request: dict[str, Any]) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write((json.dumps(request) + "\n").encode())
        self._process.stdin.flush()

    def next_event(self, job: Job, timeout: float) -> dict[str, Any]:
        event = job.events.get(timeout=timeout)
        job.seen.append(event)
        return event

    def wait_for(self, job: Job, kinds: set[str], timeout: float = 180) -> dict[str, Any]:
        """The job's next event of one of `kinds`; fails on an error or an unexpected exit."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.next_event(job, max(0.1, deadline - time.monotonic()))
            if event["event"] in kinds:
                return event
            assert event["event"] not in ("error", "exit"), f"job {job.id} ended early: {event}"

    def finish(self, job: Job, timeout: float = 180) -> dict[str, Any]:
        done = self.wait_for(job, {"done"}, timeout)
        assert self.wait_for(job, {"exit"}, timeout)["status"] == 0
        return done

    def kill(self, job: Job) -> int:
        """SIGKILL the worker and wait until it is reaped; its exit status (-9 unless it had ended)."""
        ended = [e for e in job.seen if e["event"] == "exit"]
        if ended:
            return int(ended[0]["status"])
        self._send({"id": job.id, "signal": int(signal.SIGKILL)})
        while True:
            event = self.next_event(job, 60)
            if event["event"] == "exit":
                return int(event["status"])

    def resume(self, job: Job) -> None:
        self._send({"id": job.id, "signal": int(signal.SIGUSR1)})

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join(timeout=10)
        assert self._process.stdout is not None
        self._process.stdout.close()
