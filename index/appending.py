"""Arrays written and read a batch of rows at a time, so a build never holds a whole one.

An `.npy` file's header has room for a row count of any length (numpy pads it for exactly
this), so `ArrayAppender` writes the header with no rows, appends rows as batches finish and
rewrites the header in place with the final count: the bytes are those `np.save` writes for
the whole array. The readers here use plain reads, not memory maps: the pages of a mapped
file count in a process's resident memory for as long as it is mapped.

An update copies the runs of rows it keeps from the previous generation's file with
`copy_rows`: file to file inside the kernel (`os.copy_file_range`), never through Python.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from index import fileio

READ_ROWS = 16_384  # rows per read when a file is walked in chunks


class RowFile:
    """An `.npy` file of rows opened for copying runs of them (`ArrayAppender.copy_rows`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.shape, self.dtype, self.offset = header(path)
        self.row_bytes = int(np.prod(self.shape[1:], dtype=np.int64)) * self.dtype.itemsize
        self._handle = path.open("rb", buffering=0)

    def fileno(self) -> int:
        return self._handle.fileno()

    def close(self) -> None:
        self._handle.close()


class ArrayAppender:
    """One `.npy` file of rows with `columns` (None: a 1-D array), grown a batch at a time.

    With `syncs`, `close` leaves the file's sync to a background thread (`fileio.BackgroundSyncs`).
    """

    def __init__(
        self, path: Path, dtype: type[np.generic], columns: int | None, syncs: fileio.BackgroundSyncs | None = None
    ) -> None:
        self.path, self.dtype, self.columns = path, np.dtype(dtype), columns
        self.rows = 0
        self._syncs = syncs
        # Unbuffered: `copy_rows` writes through the descriptor, so no buffer may hold bytes back.
        self._handle: BinaryIO = path.open("wb", buffering=0)
        self._write_header()
        self._data_start = self._handle.tell()

    def _shape(self) -> tuple[int, ...]:
        return (self.rows,) if self.columns is None else (self.rows, self.columns)

    def _write_header(self) -> None:
        header = {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False, "shape": self._shape()}
        np.lib.format.write_array_header_1_0(self._handle, header)

    def append(self, rows: npt.NDArray[Any]) -> None:
        if rows.dtype != self.dtype or rows.shape[1:] != self._shape()[1:]:
            raise TypeError(
                f"{self.path.name} takes {self.dtype} rows of {self._shape()[1:]}, not {rows.dtype}{rows.shape}"
            )
        _write_all(self._handle, np.ascontiguousarray(rows).data.cast("B"))
        self.rows += len(rows)

    def copy_rows(self, source: RowFile, first: int, count: int) -> None:
        """Append rows [first, first + count) of `source`, a file of the same dtype and columns."""
        if source.dtype != self.dtype or source.shape[1:] != self._shape()[1:]:
            raise TypeError(f"{self.path.name} takes {self.dtype} rows of {self._shape()[1:]}, not {source.path}")
        if first < 0 or first + count > source.shape[0]:
            raise ValueError(f"rows {first}-{first + count} are not all in {source.path}")
        _copy_range(source.fileno(), self._handle, source.offset + first * source.row_bytes, count * source.row_bytes)
        self.rows += count

    def close(self) -> None:
        """Write the final header over the first (same length) and sync the file."""
        if self._handle.closed:
            return
        end = self._handle.tell()
        self._handle.seek(0)
        self._write_header()
        if self._handle.tell() != self._data_start:  # numpy pads the header for any row count
            raise AssertionError(f"the header of {self.path} changed length")
        self._handle.seek(end)
        if self._syncs is not None:
            self._syncs.sync_and_close(self._handle)
            return
        fileio.sync(self._handle)
        self._handle.close()

    def abandon(self) -> None:
        self._handle.close()


def header(path: Path) -> tuple[tuple[int, ...], np.dtype[Any], int]:
    """An `.npy` file's shape, dtype and data offset."""
    with path.open("rb") as handle:
        version = np.lib.format.read_magic(handle)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read(handle)
        if fortran:
            raise ValueError(f"{path} is in Fortran order")
        return tuple(shape), dtype, handle.tell()


def read_rows(path: Path, rows: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
    """The given rows of an `.npy` file of rows, read one by one (for a sample, not a scan)."""
    shape, dtype, offset = header(path)
    width = int(np.prod(shape[1:], dtype=np.int64)) * dtype.itemsize
    result = np.empty((len(rows), *shape[1:]), dtype=dtype)
    with path.open("rb") as handle:
        for i, row in enumerate(rows):
            handle.seek(offset + int(row) * width)
            result[i] = np.frombuffer(_read_exactly(handle, width), dtype=dtype).reshape(shape[1:])
    return result


def read_chunks(path: Path, rows_per_chunk: int = READ_ROWS) -> Iterator[npt.NDArray[Any]]:
    """An `.npy` file of rows, in consecutive chunks of at most `rows_per_chunk` rows."""
    shape, dtype, offset = header(path)
    width = int(np.prod(shape[1:], dtype=np.int64)) * dtype.itemsize
    with path.open("rb") as handle:
        handle.seek(offset)
        for start in range(0, shape[0], rows_per_chunk):
            count = min(rows_per_chunk, shape[0] - start)
            yield np.frombuffer(_read_exactly(handle, count * width), dtype=dtype).reshape(count, *shape[1:])


def read_slice(path: Path, start: int, end: int) -> npt.NDArray[Any]:
    """Rows [start, end) of an `.npy` file of rows."""
    shape, dtype, offset = header(path)
    width = int(np.prod(shape[1:], dtype=np.int64)) * dtype.itemsize
    with path.open("rb") as handle:
        handle.seek(offset + start * width)
        data = _read_exactly(handle, (end - start) * width)
    return np.frombuffer(data, dtype=dtype).reshape(end - start, *shape[1:]).copy()


def _write_all(handle: BinaryIO, data: memoryview) -> None:
    """Write all of `data` through an unbuffered file (a raw write may take only part of it)."""
    done = 0
    while done < len(data):
        written = handle.write(data[done:])
        if not written:
            raise OSError(errno.EIO, f"could not write to {handle.name}")
        done += written


def _copy_range(source: int, handle: BinaryIO, offset: int, size: int) -> None:
    """Append `size` bytes of descriptor `source` from `offset` to `handle`, in the kernel where it can."""
    target = handle.fileno()
    while size > 0:
        try:
            copied = os.copy_file_range(source, target, size, offset)
        except (AttributeError, OSError) as exc:  # no such call here, or not between these files
            if isinstance(exc, OSError) and exc.errno not in _NO_KERNEL_COPY:
                raise
            break
        if copied == 0:
            raise OSError(errno.EIO, f"{handle.name}: the file to copy from ends early")
        offset, size = offset + copied, size - copied
    while size > 0:
        chunk = os.pread(source, min(size, 1 << 24), offset)
        if not chunk:
            raise OSError(errno.EIO, f"{handle.name}: the file to copy from ends early")
        _write_all(handle, memoryview(chunk))
        offset, size = offset + len(chunk), size - len(chunk)


_NO_KERNEL_COPY = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP}


def _read_exactly(handle: BinaryIO, size: int) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise ValueError(f"{handle.name} ends early")
    return data
