"""On-disk layout of an index folder, atomic publication of new generations, and the build lock.

    INDEX_DIR/
      CURRENT              name of the live top: a generation, or a sharded index's set (replaced atomically)
      LOCK                 held (flock) by the one process building or updating
      gen-<stamp>-<id>/    a complete, immutable generation: manifest, Whoosh store, arrays
      set-<stamp>-<id>/    a sharded index's top: shards.json names one generation per shard (index/shardset.py)
      shard-NN/gen-.../    shard NN's generations; only a set names them
      .staging-<id>/       a generation or set being written; never read, removed when stale
                           (shard-NN/.staging-<id>/ likewise)

A build writes a whole generation into a staging folder, syncs it, renames it to
its final name and only then points CURRENT at it. A process killed at any moment
leaves CURRENT naming the previous, untouched generation. Readers resolve CURRENT
once per snapshot, so they never see a half-written generation; the previous
generation is kept so a reader that opened it just before a swap can finish.
A sharded build writes its changed shards' generations first (renamed into their
shard folders, named by nothing yet), then the set that names them, and swaps CURRENT
last: there is no per-shard pointer, so a kill never leaves a mix of shards.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from index import fileio
from index.errors import EngineError, IndexCorruptError, IndexIncompatibleError, IndexLockedError, IndexMissingError
from index.shardset import SET_PREFIX, SHARD_FOLDER_PREFIX, read_shard_set

CURRENT_FILE = "CURRENT"
LOCK_FILE = "LOCK"
GENERATION_PREFIX = "gen-"
STAGING_PREFIX = ".staging-"
# Generations kept besides the live one, for readers that opened them before a swap.
KEEP_PREVIOUS = 1


def current_generation(index_dir: Path) -> Path:
    """The live generation's folder, for an unsharded index (IndexIncompatibleError on a sharded one)."""
    top = current_top(index_dir)
    if is_shard_set(top):
        raise IndexIncompatibleError(
            f"The index at {index_dir} is sharded ({top.name}); open it with `archive` (index.reader.open_reader)."
        )
    return top


def is_shard_set(top: Path) -> bool:
    return top.name.startswith(SET_PREFIX)


def current_top(index_dir: Path) -> Path:
    """The live top's folder: a generation, or a sharded index's set.

    IndexMissingError when there is no index; IndexCorruptError when CURRENT is damaged, so that
    nothing quietly builds a fresh index over the user's.
    """
    pointer = index_dir / CURRENT_FILE
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise IndexMissingError(
            f"No index at {index_dir}. Build one with `archive build <folders> --index {index_dir}`."
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        name = f"<unreadable: {exc}>"
    folder = index_dir / name
    if not name.startswith((GENERATION_PREFIX, SET_PREFIX)) or not folder.is_dir():
        raise IndexCorruptError(
            f"{pointer} names {name!r}, which is not a generation folder here: the index is damaged. "
            f"Rebuild with `archive build <folders> --index {index_dir}`."
        )
    return folder


def current_name(index_dir: Path) -> str | None:
    """The live generation's name, cheaply, for change detection; None when there is none."""
    try:
        return (index_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None


def new_staging(index_dir: Path) -> Path:
    index_dir.mkdir(parents=True, exist_ok=True)
    staging = index_dir / f"{STAGING_PREFIX}{uuid.uuid4().hex[:12]}"
    staging.mkdir()
    return staging


def publish(index_dir: Path, staging: Path, prefix: str = GENERATION_PREFIX) -> Path:
    """Make `staging` (a generation, or with `SET_PREFIX` a sharded index's set) live, atomically; prune."""
    final = settle(index_dir, staging, prefix)
    temporary = index_dir / f"{CURRENT_FILE}.{uuid.uuid4().hex[:8]}.tmp"
    fileio.replace_text(index_dir / CURRENT_FILE, final.name + "\n", temporary)
    _prune(index_dir, keep=final.name)
    return final


def settle(folder: Path, staging: Path, prefix: str = GENERATION_PREFIX) -> Path:
    """Sync `staging` and rename it to its final, unique name in `folder` (a shard's generation: no pointer)."""
    fileio.sync_tree(staging)
    final = folder / f"{prefix}{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    os.rename(staging, final)
    fileio.sync_dir(folder)
    return final


def remove_stale(index_dir: Path) -> None:
    """Remove staging folders and pointer temporaries left by killed builds (call under the lock)."""
    if not index_dir.is_dir():
        return
    for entry in index_dir.iterdir():
        if entry.name.startswith(STAGING_PREFIX):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(CURRENT_FILE + ".") and entry.name.endswith(".tmp"):
            entry.unlink(missing_ok=True)
        elif entry.name.startswith(SHARD_FOLDER_PREFIX) and entry.is_dir():
            for inner in entry.iterdir():
                if inner.name.startswith(STAGING_PREFIX):
                    shutil.rmtree(inner, ignore_errors=True)


@contextlib.contextmanager
def build_lock(index_dir: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the index's build lock, waiting up to `wait_seconds` for another builder.

    flock locks die with their process, so a killed builder never leaves a stale lock.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK_FILE
    with path.open("a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as exc:
                if time.monotonic() >= deadline:
                    raise IndexLockedError(
                        f"Another process is building or updating the index at {index_dir} "
                        f"(lock {path}). Wait for it to finish and try again."
                    ) from exc
                time.sleep(0.1)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def prune_superseded(index_dir: Path) -> threading.Thread:
    """Start removing, on a thread, the tops that publishing the next one will prune anyway.

    `publish` keeps the new top and `KEEP_PREVIOUS` others, the live one first. A build under
    the lock may remove the older ones at its start instead, while it reads: unlinking a
    generation's ~150 MB took 0.13-0.19 s at the end of a fresh `archive update`. Only tops go
    here; shard generations are pruned by `publish` (a sharded build settles its new ones before
    its set is published). Join the thread before publishing.
    """
    live = current_name(index_dir)

    def prune() -> None:
        if live is not None:
            tops = _other_tops(index_dir, live)
            for old in tops[: max(0, len(tops) - (KEEP_PREVIOUS - 1))]:
                shutil.rmtree(old, ignore_errors=True)

    thread = threading.Thread(target=prune, name="prune-superseded", daemon=True)
    thread.start()
    return thread


def _other_tops(index_dir: Path, keep: str) -> list[Path]:
    """The tops (generations, shard sets) other than `keep`, oldest first."""
    return sorted(
        (p for p in index_dir.iterdir() if p.name.startswith((GENERATION_PREFIX, SET_PREFIX)) and p.name != keep),
        key=lambda p: p.stat().st_mtime,
    )


def _prune(index_dir: Path, keep: str) -> None:
    """Remove tops older than the live one and `KEEP_PREVIOUS` others, and shard generations none of those names."""
    tops = _other_tops(index_dir, keep)
    cut = max(0, len(tops) - KEEP_PREVIOUS)
    for old in tops[:cut]:
        shutil.rmtree(old, ignore_errors=True)
    named: set[str] = set()
    for top in [index_dir / keep, *tops[cut:]]:
        if is_shard_set(top):
            try:
                named.update(ref.folder for ref in read_shard_set(top).shards)
            except EngineError:
                return  # a kept set cannot be read: remove no shard generation rather than a named one
    for shard_dir in index_dir.glob(f"{SHARD_FOLDER_PREFIX}*"):
        for generation in shard_dir.glob(f"{GENERATION_PREFIX}*"):
            if f"{shard_dir.name}/{generation.name}" not in named:
                shutil.rmtree(generation, ignore_errors=True)
