"""`.npy` files grown a batch at a time (index/appending.py): appended rows, rows copied from another
file in the kernel, and a sync left to a background thread all give the file `np.save` would."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index import appending, fileio


def test_rows_appended_and_copied_make_one_array(tmp_path: Path) -> None:
    source = tmp_path / "old.npy"
    np.save(source, np.arange(12, dtype=np.float32).reshape(6, 2), allow_pickle=False)
    syncs = fileio.BackgroundSyncs()
    out = appending.ArrayAppender(tmp_path / "new.npy", np.float32, 2, syncs)
    lent = appending.RowFile(source)
    out.append(np.array([[100, 101]], dtype=np.float32))
    out.copy_rows(lent, 2, 3)  # rows 2, 3 and 4 of the old file
    out.append(np.array([[200, 201], [202, 203]], dtype=np.float32))
    out.copy_rows(lent, 0, 1)
    out.copy_rows(lent, 5, 0)  # nothing
    out.close()
    syncs.wait()
    lent.close()
    expected = [[100, 101], [4, 5], [6, 7], [8, 9], [200, 201], [202, 203], [0, 1]]
    assert np.load(tmp_path / "new.npy", allow_pickle=False).tolist() == expected
    reference = tmp_path / "reference.npy"
    np.save(reference, np.array(expected, dtype=np.float32), allow_pickle=False)
    assert (tmp_path / "new.npy").read_bytes() == reference.read_bytes()


def test_rows_of_another_shape_or_outside_the_file_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "old.npy"
    np.save(source, np.zeros((4, 3), dtype=np.float32), allow_pickle=False)
    lent = appending.RowFile(source)
    narrower = appending.ArrayAppender(tmp_path / "narrow.npy", np.float32, 2)
    with pytest.raises(TypeError):
        narrower.copy_rows(lent, 0, 1)
    wider = appending.ArrayAppender(tmp_path / "ints.npy", np.int32, 3)
    with pytest.raises(TypeError):
        wider.copy_rows(lent, 0, 1)
    same = appending.ArrayAppender(tmp_path / "same.npy", np.float32, 3)
    with pytest.raises(ValueError, match="not all in"):
        same.copy_rows(lent, 2, 3)
    for appender in (narrower, wider, same):
        appender.abandon()
    lent.close()


def test_a_file_left_to_background_syncs_is_closed_once_they_are_waited_for(tmp_path: Path) -> None:
    syncs = fileio.BackgroundSyncs()
    handle = (tmp_path / "data.bin").open("wb")
    handle.write(b"written before the sync")
    syncs.sync_and_close(handle)
    syncs.wait()
    assert handle.closed
    assert (tmp_path / "data.bin").read_bytes() == b"written before the sync"
    syncs.wait()  # nothing left: returns at once


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12, dtype=np.float32).reshape(3, 4),
        np.zeros((0, 384), dtype=np.float32),
        np.array([7, 1, 65535], dtype=np.uint16),
        np.arange(10, dtype=np.int64)[::2],  # not contiguous: written in C order
    ],
)
def test_arrays_are_written_as_np_save_writes_them(tmp_path: Path, array: np.ndarray) -> None:
    """Our .npy writer (which lets a full disk's ENOSPC through) writes np.save's bytes."""
    ours, theirs = tmp_path / "ours.npy", tmp_path / "theirs.npy"
    fileio.write_array(ours, array)
    np.save(theirs, array, allow_pickle=False)
    assert ours.read_bytes() == theirs.read_bytes()
    assert np.array_equal(np.load(ours), array)
