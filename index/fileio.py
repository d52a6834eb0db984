"""Durable writes: every file of a generation goes to disk through here, synced before it is published."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
import orjson

from index.errors import IndexCorruptError


def sync(handle: BinaryIO) -> None:
    """Flush Python's buffer and the kernel's for an open file."""
    handle.flush()
    os.fsync(handle.fileno())


class BackgroundSyncs:
    """Files synced and closed on their own threads while the caller goes on writing; `wait` joins them.

    fsync releases the GIL: a generation's big files go to disk while the rest of it is computed,
    instead of the writer stopping for each. `wait` before anything depends on them being on
    disk (publishing syncs the whole folder again in any case, index/layout.py).
    """

    def __init__(self) -> None:
        self._threads: list[threading.Thread] = []
        self._errors: list[OSError] = []

    def sync_and_close(self, handle: BinaryIO) -> None:
        handle.flush()
        thread = threading.Thread(target=self._sync, args=(handle,), name="fsync", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _sync(self, handle: BinaryIO) -> None:
        try:
            os.fsync(handle.fileno())
        except OSError as exc:
            self._errors.append(exc)
        finally:
            handle.close()

    def wait(self) -> None:
        """Every file handed over is synced and closed; the first error raised, if any."""
        for thread in self._threads:
            thread.join()
        self._threads.clear()
        if self._errors:
            error, self._errors = self._errors[0], []
            raise error


def write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` and sync it (the caller publishes the folder atomically)."""
    with path.open("wb") as handle:
        handle.write(data)
        sync(handle)


def write_array(path: Path, array: npt.NDArray[np.generic]) -> None:
    """An array in `.npy` form, without pickle, synced."""
    with path.open("wb") as handle:
        write_npy(handle, array)
        sync(handle)


def save_array(path: Path | str, array: npt.NDArray[np.generic]) -> None:
    """An array in `.npy` form, not synced (a build's scratch files)."""
    with open(path, "wb") as handle:
        write_npy(handle, array)


def write_npy(handle: BinaryIO, array: npt.NDArray[np.generic]) -> None:
    """The bytes `np.save` writes (a version 1.0 header, then the data in C order), written through
    `handle`: a full disk then raises OSError with its errno (ENOSPC), where numpy's own file
    write reports only "N requested and M written", which no caller can tell from any other."""
    array = np.ascontiguousarray(array)
    np.lib.format.write_array_header_1_0(handle, np.lib.format.header_data_from_array_1_0(array))
    if array.size:
        handle.write(array.data.cast("B"))


def replace_text(path: Path, text: str, temporary: Path) -> None:
    """Replace `path` by `text` atomically: written and synced as `temporary`, then renamed over it."""
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    sync_dir(path.parent)


def sync_dir(folder: Path) -> None:
    """Sync a folder's entries (new names, renames) to disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_tree(folder: Path) -> None:
    """Sync every file and folder below `folder`."""
    for root, _, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        sync_dir(Path(root))


def read_json_record(path: Path) -> dict[str, Any]:
    """A generation's JSON record (manifest, shard set); IndexCorruptError naming it when missing or damaged."""
    try:
        data: dict[str, Any] = orjson.loads(path.read_bytes())
    except FileNotFoundError as exc:
        raise IndexCorruptError(f"{path} is missing; rebuild the index with `archive build`.") from exc
    except orjson.JSONDecodeError as exc:
        raise IndexCorruptError(f"{path} is damaged ({exc}); rebuild the index with `archive build`.") from exc
    return data
