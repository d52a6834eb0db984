"""Arrays written and read a batch of rows at a time, so a build never holds a whole one.

An `.npy` file's header has room for a row count of any length (numpy pads it for exactly
this), so `ArrayAppender` writes the header with no rows, appends rows as batches finish and
rewrites the header in place with the final count: the bytes are those `np.save` writes for
the whole array. The readers here use plain reads, not memory maps: the pages of a mapped
file count in a process's resident memory for as long as it is mapped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from index import fileio

READ_ROWS = 16_384  # rows per read when a file is walked in chunks


class ArrayAppender:
    """One `.npy` file of rows with `columns` (None: a 1-D array), grown a batch at a time."""

    def __init__(self, path: Path, dtype: type[np.generic], columns: int | None) -> None:
        self.path, self.dtype, self.columns = path, np.dtype(dtype), columns
        self.rows = 0
        self._handle: BinaryIO = path.open("wb")
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
        self._handle.write(np.ascontiguousarray(rows).tobytes())
        self.rows += len(rows)

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


def _read_exactly(handle: BinaryIO, size: int) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise ValueError(f"{handle.name} ends early")
    return data
