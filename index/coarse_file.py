"""The coarse pass's files of a new generation (index/coarse.py): the projection and every passage's
projected row, made from the passage vectors on disk a chunk at a time."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index import appending, coarse, fileio, schema
from index.snapshot import Snapshot

Vectors = npt.NDArray[np.float32]


def carried_projection(previous: Snapshot | None, dimension: int) -> Vectors | None:
    """The previous generation's coarse projection when it fits (an update keeps it: carried rows keep their values)."""
    projection = previous.coarse_projection if previous is not None else None
    if projection is None or projection.shape[0] != dimension:
        return None
    return np.asarray(projection, dtype=np.float32)


def write_coarse(
    staging: Path,
    passage_file: Path,
    projection: Vectors,
    syncs: fileio.BackgroundSyncs,
    kept: tuple[Path, Sequence[tuple[bool, int, int]]] | None = None,
) -> int:
    """The dense leg's coarse pass (index/coarse.py): the passage vectors on disk projected a chunk at a time.

    With `kept` (an update keeping the previous projection: the previous coarse file and where each
    passage row came from, as runs), a kept passage's row is copied, and only the others are projected.
    """
    projection = np.asarray(projection, dtype=np.float32)
    schema.save(staging, schema.COARSE_PROJECTION, projection)
    out = appending.ArrayAppender(staging / schema.COARSE_VECTORS.name, np.float32, int(projection.shape[1]), syncs)
    lent = appending.RowFile(kept[0]) if kept is not None else None
    runs = kept[1] if kept is not None else ()
    try:
        if lent is None:
            for chunk in appending.read_chunks(passage_file):
                out.append(coarse.project(chunk, projection))
        else:
            for reused, first, count in runs:
                if reused:
                    out.copy_rows(lent, first, count)
                    continue
                for start in range(first, first + count, appending.READ_ROWS):
                    end = min(start + appending.READ_ROWS, first + count)
                    out.append(coarse.project(appending.read_slice(passage_file, start, end), projection))
    except BaseException:
        out.abandon()
        raise
    finally:
        if lent is not None:
            lent.close()
    out.close()
    return int(projection.shape[1])
