"""The ONNX export: verified before it is published, published once, and safe to race."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from archive.errors import ModelError
from index.embedder import Embedder
from index.onnx_export import (
    FLOORS,
    ONNX_FILE,
    PROBE_TEXTS,
    WEIGHTS_DATA_FILE,
    ExportError,
    ensure_export,
    find_export,
    read_record,
)
from tests.support import ROOT


@pytest.fixture()
def private_cache(tmp_path: Path, embedder: Embedder) -> Path:
    """A cache folder holding only a copy of the session's verified fp32 export (exporting costs tens of seconds)."""
    embedder.load()
    published = find_export(_default_cache(embedder), _weights(embedder), "fp32")
    assert published is not None
    cache = tmp_path / "onnx-cache"
    cache.mkdir()
    shutil.copytree(published.parent, cache / published.parent.name)
    return cache


def _default_cache(embedder: Embedder) -> Path:
    from index.onnx_export import default_cache_dir

    return embedder.onnx_cache or default_cache_dir()


def _weights(embedder: Embedder) -> str:
    return embedder.fingerprint.partition("+")[0]


def test_the_published_export_records_its_probe(embedder: Embedder) -> None:
    published = find_export(_default_cache(embedder), _weights(embedder), "fp32")
    assert published is not None
    record = read_record(published.parent)
    assert record is not None
    assert record.weights_sha256 == _weights(embedder) and record.variant == "fp32"
    assert record.probe_texts == len(PROBE_TEXTS) >= 15 and record.min_cosine >= FLOORS["fp32"]
    assert record.onnx_bytes == published.stat().st_size
    # The weights sit beside the graph (a session maps them): the graph itself is small.
    weights = published.with_name(WEIGHTS_DATA_FILE)
    assert record.data_bytes == weights.stat().st_size > 80_000_000 > 1_000_000 > record.onnx_bytes


def test_an_export_whose_weights_file_was_cut_short_is_not_used(private_cache: Path, embedder: Embedder) -> None:
    published = find_export(private_cache, _weights(embedder), "fp32")
    assert published is not None
    weights = published.with_name(WEIGHTS_DATA_FILE)
    with weights.open("r+b") as handle:
        handle.truncate(weights.stat().st_size - 4096)
    assert find_export(private_cache, _weights(embedder), "fp32") is None
    weights.unlink()
    assert find_export(private_cache, _weights(embedder), "fp32") is None


def test_a_damaged_export_is_replaced_by_a_fresh_one(private_cache: Path, embedder: Embedder) -> None:
    published = find_export(private_cache, _weights(embedder), "fp32")
    assert published is not None
    weights = published.with_name(WEIGHTS_DATA_FILE)
    with weights.open("r+b") as handle:
        handle.truncate(weights.stat().st_size // 2)
    fresh = ensure_export(embedder.model_path, _weights(embedder), "fp32", private_cache)
    assert fresh == published, "the same key's folder, exported again"
    assert find_export(private_cache, _weights(embedder), "fp32") == fresh
    record = read_record(fresh.parent)
    assert record is not None and record.data_bytes == weights.stat().st_size > 80_000_000
    leftovers = [p.name for p in private_cache.iterdir() if p.name.startswith((".damaged-", ".staging-"))]
    assert leftovers == []


def test_the_fp32_export_runs_fused_attention(embedder: Embedder) -> None:
    import onnx

    published = find_export(_default_cache(embedder), _weights(embedder), "fp32")
    assert published is not None
    kinds = [node.op_type for node in onnx.load(str(published), load_external_data=False).graph.node]
    # MiniLM-L6 has six attention layers: one fused operator each, no unfused softmax left over.
    assert kinds.count("Attention") == 6 and "Softmax" not in kinds
    assert kinds.count("SkipLayerNormalization") == 12


def test_an_export_below_its_probe_floor_is_refused_and_nothing_published(
    private_cache: Path, embedder: Embedder
) -> None:
    # int8 weights cannot reach fp32's floor: a real export that really fails its probe.
    with pytest.raises(ExportError, match=r"refused: probe text \d+ .* below 0.9999"):
        ensure_export(embedder.model_path, _weights(embedder), "int8", private_cache, floor=FLOORS["fp32"])
    assert find_export(private_cache, _weights(embedder), "int8") is None
    published = [p.name for p in private_cache.iterdir() if not p.name.startswith(".lock-")]
    assert len(published) == 1 and "-fp32-" in published[0], "only the fp32 copy; no int8, no staging folder"


def test_a_refused_export_reaches_the_user_as_a_model_error(tmp_path: Path) -> None:
    folder = tmp_path / "no-tokenizer"
    folder.mkdir()
    with pytest.raises(ModelError, match=r"tokenizer\.json.*ARCHIVE_BACKEND=torch"):
        Embedder(str(folder)).encode(["text"])
    with pytest.raises(ModelError, match="onnx, torch"):
        Embedder(backend="tensorflow")


EXPORT_SCRIPT = """
import sys
from index.embedder import Embedder
from pathlib import Path
model = Embedder(quantize='int8', onnx_cache=Path(sys.argv[1]))
vector = model.encode_one('Who won the election?')
print(model._load().words is not None, float(vector @ vector))
"""


@pytest.mark.slow
def test_two_processes_exporting_at_once_publish_one_verified_file(private_cache: Path, embedder: Embedder) -> None:
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", EXPORT_SCRIPT, str(private_cache)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [run.communicate(timeout=600) for run in runs]
    for run, (out, err) in zip(runs, results, strict=True):
        assert run.returncode == 0, err[-3000:]
        assert out.split()[0] == "True" and abs(float(out.split()[1]) - 1.0) < 1e-5
    announcements = sum(err.count("exporting the embedding model to ONNX (int8)") for _, err in results)
    assert announcements == 1, "the second process waited and reused the first one's export"
    published = find_export(private_cache, _weights(embedder), "int8")
    assert published is not None and published.name == ONNX_FILE
    record = read_record(published.parent)
    assert record is not None and FLOORS["int8"] <= record.min_cosine < FLOORS["fp32"]
    assert len([p for p in private_cache.glob("*-int8-*") if p.is_dir()]) == 1 and not list(
        private_cache.glob(".staging-*")
    )
    # And the published file is what an int8 embedder now uses, without exporting again.
    int8 = Embedder(quantize="int8", onnx_cache=private_cache)
    cosines = np.sum(int8.encode(list(PROBE_TEXTS)) * embedder.encode(list(PROBE_TEXTS)), axis=1)
    assert cosines.min() >= FLOORS["int8"] and not np.allclose(cosines, 1.0)
