"""The weights' digest is remembered while the file is unchanged, and never for a changed file."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from index.weights_hash import RECORD_FILE, weights_sha256

ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # sha256(b"abc"), FIPS 180-2


def test_the_digest_is_the_files_sha256_and_is_recorded(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"abc")
    records = tmp_path / "cache"
    assert weights_sha256(weights, records, racy_seconds=0) == ABC
    recorded = json.loads((records / RECORD_FILE).read_text(encoding="utf-8"))
    assert recorded[str(weights.resolve())][-1] == ABC
    # The record is what answers while the file's identity is unchanged (shown with a planted digest).
    recorded[str(weights.resolve())][-1] = "f" * 64
    (records / RECORD_FILE).write_text(json.dumps(recorded), encoding="utf-8")
    assert weights_sha256(weights, records, racy_seconds=0) == "f" * 64


def test_a_file_changed_in_place_with_its_size_and_mtime_kept_is_hashed_again(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"abc")
    records = tmp_path / "cache"
    assert weights_sha256(weights, records, racy_seconds=0) == ABC
    before = weights.stat()
    time.sleep(0.05)  # past the kernel's clock tick, as RACY_SECONDS ensures for a recorded file
    with weights.open("r+b") as handle:  # same size, same inode
        handle.write(b"abd")
    os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime put back; ctime cannot be
    assert weights.stat().st_mtime_ns == before.st_mtime_ns
    assert weights_sha256(weights, records, racy_seconds=0) == hashlib.sha256(b"abd").hexdigest()


def test_a_file_written_just_before_hashing_is_not_recorded(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"abc")
    records = tmp_path / "cache"
    assert weights_sha256(weights, records) == ABC  # its ctime is under RACY_SECONDS old
    assert not (records / RECORD_FILE).exists()


def test_no_file_is_unknown(tmp_path: Path) -> None:
    assert weights_sha256(tmp_path / "missing", tmp_path) == "unknown"
    assert weights_sha256(tmp_path, tmp_path) == "unknown"  # a folder
