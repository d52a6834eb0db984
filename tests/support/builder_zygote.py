"""A builder process for kill tests: loads the model once, then forks one worker per job.

Loading the embedding model costs seconds and a SIGKILLed process cannot be reused, so
this process only loads the model (no forward pass: torch's thread pools stay unborn,
which keeps the fork safe) and forks a fresh worker for every build or update it is sent.

Protocol, one JSON object a line. Stdin takes jobs:
    {"id": 3, "op": "build" | "update", "folders": [...], "index": "...", "pause": POINT | null,
     "cache": "auto" | "off" | PATH, "lock_wait": 0.0, "shards": N | null}
Stdout gives events: {"event": "ready"}; {"event": "forked", "job", "pid"}; {"event": "at",
"job", "point"} as the worker passes each point of POINTS; {"event": "paused", "job", "point"}
where it stops at the job's `pause` point and waits for SIGUSR1 (or the test kills it);
{"event": "done", "job", "generation", "articles"}; {"event": "error", "job", "message"}; and
{"event": "exit", "job", "status"} once the worker is reaped (status -9 after SIGKILL).
A line {"id": 3, "signal": 9} sends a signal to job 3's worker if it has not been reaped yet:
the zygote is the worker's parent, so until then the pid cannot have been reused.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import whoosh.index as whoosh_index
import whoosh.writing as whoosh_writing

import archive.decoding
from archive.api import Archive
from archive.errors import ArchiveError
from archive.settings import Settings
from index import appending, embed_cache, fileio, layout, schema, writer
from index.embedder import Embedder

# Where a worker can be told to stop, in the order a build passes them.
POINTS = (
    "reading",  # build lock held, nothing read yet
    "prune",  # the generation before last half deleted (on its own thread, while the build goes on)
    "read-file",  # between two article files
    "tokenize",  # sentences split, counting word pieces
    "embed-passages",  # passage and (late-chunked) sentence vectors computed, not yet stored
    "cache-write",  # inside an embedding-cache transaction, before its commit
    "indexing",  # staging folder made, Whoosh store empty
    "whoosh-segment",  # Whoosh segment written, its table of contents not yet
    "whoosh-toc",  # Whoosh table of contents written, old files not yet cleaned
    "articles-write",  # article store half written
    "vectors-partial",  # sentence vector file partly written (a batch appended, its header still says 0 rows)
    "spans-write",  # vector files complete, the span arrays' headers not yet written
    "manifest-partial",  # manifest half written
    "swap-fsync",  # staging complete, about to be synced and renamed
    "swap-renamed",  # renamed to its generation name, CURRENT still names the old one
    "swap-pointer",  # new CURRENT written to a temporary file, not yet renamed over
    "swap-replaced",  # CURRENT names the new generation; shard generations not yet pruned
)
AFTER_SWAP = frozenset({"swap-replaced"})  # a kill here leaves the new generation live


def emit(event: dict[str, Any]) -> None:
    """One line in one write, so lines from the zygote and its workers never interleave."""
    os.write(1, (json.dumps(event) + "\n").encode())


class Worker:
    """Runs one job in a forked process, reporting each point it passes and pausing at one."""

    def __init__(self, job: dict[str, Any]) -> None:
        self.job = job
        self.calls: dict[str, int] = {}
        self.stage = ""

    def reach(self, point: str) -> None:
        emit({"event": "at", "job": self.job["id"], "point": point})
        if point == self.job.get("pause"):
            emit({"event": "paused", "job": self.job["id"], "point": point})
            signal.sigwait({signal.SIGUSR1})

    def nth(self, name: str) -> int:
        self.calls[name] = self.calls.get(name, 0) + 1
        return self.calls[name]

    def progress(self, stage: str, done: int, total: int) -> None:
        if stage in ("reading", "indexing") and done == 0:
            self.reach(stage)
        elif stage != self.stage:
            emit({"event": "at", "job": self.job["id"], "point": stage})
        self.stage = stage

    def install(self, embedder: Embedder) -> None:
        """Wrap the functions a build goes through; only ever done in a forked worker."""
        wrap(archive.decoding, "read_bytes", lambda f, *a: self._second("read-file", f, *a))
        wrap(embedder, "count_tokens", lambda f, *a: self._before("tokenize", f, *a))
        wrap(embedder, "encode_with_spans", self._encode)
        wrap(embed_cache.EmbeddingCache, "put_many", self._put_many)
        wrap(whoosh_writing.SegmentWriter, "_commit_toc", lambda f, *a: self._before("whoosh-segment", f, *a))
        wrap(whoosh_index, "clean_files", lambda f, *a: self._before("whoosh-toc", f, *a))
        wrap(schema, "encode_article", lambda f, *a: self._second("articles-write", f, *a))
        wrap(appending.ArrayAppender, "append", self._append_rows)
        wrap(appending.ArrayAppender, "close", self._close_array)
        wrap(writer, "write_manifest", self._write_manifest)
        wrap(fileio, "sync_tree", lambda f, *a: self._before("swap-fsync", f, *a))
        wrap(os, "rename", self._rename)
        wrap(os, "replace", self._replace)
        wrap(shutil, "rmtree", self._rmtree)

    def _before(self, point: str, original: Callable[..., Any], *args: Any) -> Any:
        self.reach(point)
        return original(*args)

    def _second(self, point: str, original: Callable[..., Any], *args: Any) -> Any:
        if self.nth(point) == 2:
            self.reach(point)
        return original(*args)

    def _encode(self, original: Callable[..., Any], *args: Any) -> Any:
        result = original(*args)
        if self.nth("encode") == 1:  # one pass gives passage and sentence vectors (index/pooling.py)
            self.reach("embed-passages")
        return result

    def _put_many(self, original: Callable[..., Any], cache: Any, texts: Any, rows: Any) -> None:
        if self.job.get("pause") != "cache-write":
            return original(cache, texts, rows)  # type: ignore[no-any-return]
        cache._db.executemany(  # the insert without its commit, then stop
            "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
            [(cache.key(t), v.tobytes()) for t, v in zip(texts, rows, strict=True)],
        )
        self.reach("cache-write")
        return original(cache, texts, rows)  # type: ignore[no-any-return]

    def _append_rows(self, original: Callable[..., Any], appender: appending.ArrayAppender, rows: Any) -> None:
        original(appender, rows)
        if appender.path.name == schema.SENTENCE_VECTORS.name and self.nth("sentence-rows") == 1:
            self.reach("vectors-partial")

    def _close_array(self, original: Callable[..., Any], appender: appending.ArrayAppender) -> None:
        if appender.path.name == schema.PASSAGE_SPANS.name:
            self.reach("spans-write")
        original(appender)

    def _write_manifest(self, original: Callable[..., Any], folder: Path, manifest: Any, *rest: Any) -> None:
        # Written whole, then cut: a build's article rows are streamed from its spilled entries.
        original(folder, manifest, *rest)
        data = (folder / "manifest.json").read_bytes()
        (folder / "manifest.json").write_bytes(data[: len(data) // 2])
        self.reach("manifest-partial")
        original(folder, manifest, *rest)

    def _rename(self, original: Callable[..., Any], source: Any, target: Any, *rest: Any) -> None:
        original(source, target, *rest)
        if Path(target).name.startswith(layout.GENERATION_PREFIX):
            self.reach("swap-renamed")

    def _replace(self, original: Callable[..., Any], source: Any, target: Any, *rest: Any) -> None:
        pointer = Path(target).name == layout.CURRENT_FILE
        if pointer:
            self.reach("swap-pointer")
        original(source, target, *rest)
        if pointer:
            self.reach("swap-replaced")

    def _rmtree(self, original: Callable[..., Any], path: Any, *args: Any, **kwargs: Any) -> None:
        folder = Path(path)
        if folder.name.startswith(layout.GENERATION_PREFIX) and folder.is_dir():
            for name in sorted(p.name for p in folder.iterdir())[::2]:  # half of it gone
                target = folder / name
                if target.is_dir():
                    original(target, ignore_errors=True)
                else:
                    target.unlink()
            self.reach("prune")
        original(path, *args, **kwargs)

    def run(self, embedder: Embedder) -> int:
        job = self.job
        index = Path(job["index"])
        settings = Settings.from_env(environ={}, index_dir=index, embedding_cache=job.get("cache", "auto"))
        wait = float(job.get("lock_wait", 0.0))
        if job["op"] == "build":
            shards = job.get("shards")
            archive = Archive.build(job["folders"], index, settings, embedder, self.progress, wait, shards)
        else:
            archive = Archive.open(index, settings, embedder)
            archive.update(job["folders"], self.progress, lock_wait=wait)
        emit(
            {
                "event": "done",
                "job": job["id"],
                "generation": layout.current_name(index),
                "articles": archive.info().articles,
            }
        )
        return 0


def wrap(owner: Any, name: str, wrapper: Callable[..., Any]) -> None:
    """Replace `owner.name` with `wrapper(original, *args)`, keeping methods bound as methods."""
    original = getattr(owner, name)
    if isinstance(owner, type):

        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            return wrapper(lambda *a, **k: original(*a, **k), self, *args, **kwargs)

        setattr(owner, name, method)
    else:
        setattr(owner, name, lambda *args, **kwargs: wrapper(original, *args, **kwargs))


def work(job: dict[str, Any], embedder: Embedder) -> None:
    """The forked worker's whole life; it leaves through os._exit only."""
    status = 1
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
        worker = Worker(job)
        worker.install(embedder)
        status = worker.run(embedder)
    except ArchiveError as exc:
        emit({"event": "error", "job": job["id"], "kind": type(exc).__name__, "message": str(exc)})
        status = 3
    except BaseException:
        emit({"event": "error", "job": job["id"], "kind": "crash", "message": traceback.format_exc()})
        status = 4
    finally:
        os._exit(status)


def main() -> None:
    embedder = Embedder()
    embedder.load()
    assert embedder.dimension > 0 and embedder.fingerprint  # read now, before any fork
    emit({"event": "ready", "pid": os.getpid()})
    jobs: dict[int, int] = {}  # worker pid -> job id
    pending = b""
    while True:
        readable, _, _ = select.select([0], [], [], 0.02)
        while jobs:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            emit({"event": "exit", "job": jobs.pop(pid), "status": os.waitstatus_to_exitcode(status)})
        if not readable:
            continue
        chunk = os.read(0, 65536)
        if not chunk:
            break
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            job = json.loads(line)
            if "signal" in job:  # only while unreaped, so the pid cannot belong to another process
                pid = next((p for p, j in jobs.items() if j == job["id"]), 0)
                if pid:
                    os.kill(pid, job["signal"])
                continue
            pid = os.fork()
            if pid == 0:
                work(job, embedder)
            jobs[pid] = job["id"]
            emit({"event": "forked", "job": job["id"], "pid": pid})
    for pid in jobs:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
