"""The model weights' sha256 (an index's model fingerprint), remembered while the file is unchanged.

Hashing the 90 MB weights cost every process 0.05-0.15 s, a tenth of a one-article update.
The digest is kept in a small JSON record (in the ONNX export cache folder), keyed by the
file's real path, and used only while the file's identity is exactly the recorded one: device,
inode, size, and mtime and ctime to the nanosecond. Writing to the file or replacing it sets
its ctime to the current time, which no program can set back, so a changed file never matches.
A digest is recorded only when the file's ctime was at least `RACY_SECONDS` old when hashing
began: a file written again within the clock's resolution of being hashed could keep its ctime.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import time
import uuid
from pathlib import Path

RECORD_FILE = "weights-sha256.json"
RACY_SECONDS = 2.0


def weights_sha256(weights: Path, record_dir: Path | None, racy_seconds: float = RACY_SECONDS) -> str:
    """sha256 of `weights` in hex ("unknown" when it is no file), from the record in `record_dir`
    when the file is the one recorded; a fresh digest is recorded there when that is safe."""
    try:
        before = weights.stat()
    except OSError:
        return "unknown"
    if not stat.S_ISREG(before.st_mode):
        return "unknown"
    key = str(weights.resolve())
    records = _read(record_dir) if record_dir is not None else {}
    known = records.get(key)
    if isinstance(known, list) and len(known) == 6 and known[:5] == _identity(before) and isinstance(known[5], str):
        return known[5]
    started = time.time_ns()
    digest = hashlib.sha256()
    with weights.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    value = digest.hexdigest()
    with contextlib.suppress(OSError):
        unchanged = _identity(weights.stat()) == _identity(before)
        if record_dir is not None and unchanged and started - before.st_ctime_ns >= racy_seconds * 1e9:
            records[key] = [*_identity(before), value]
            _write(record_dir, records)
    return value


def _identity(status: os.stat_result) -> list[int]:
    return [status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns]


def _read(record_dir: Path) -> dict[str, object]:
    try:
        records = json.loads((record_dir / RECORD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return records if isinstance(records, dict) else {}


def _write(record_dir: Path, records: dict[str, object]) -> None:
    """Replace the record whole (a reader sees the old one or the new one); a failure costs a re-hash later."""
    record_dir.mkdir(parents=True, exist_ok=True)
    temporary = record_dir / f".{RECORD_FILE}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        temporary.write_text(json.dumps(records, indent=1), encoding="utf-8")
        os.replace(temporary, record_dir / RECORD_FILE)
    finally:
        temporary.unlink(missing_ok=True)
