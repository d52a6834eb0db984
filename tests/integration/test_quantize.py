"""The int8 option: faster embedding whose vectors stay close to fp32's and never mix with them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from archive.api import Archive
from archive.errors import IndexIncompatibleError, ModelError
from archive.settings import Settings
from index.embedder import Embedder
from index.onnx_export import ONNX_FILE, find_export, variant_tag
from tests.support import SEED_QUESTION, SEEDS


@pytest.fixture(scope="module")
def int8() -> Embedder:
    model = Embedder(quantize="int8")
    model.load()
    return model


def test_int8_vectors_stay_close_to_fp32(int8: Embedder, embedder: Embedder) -> None:
    texts = [
        line for path in sorted(SEEDS.iterdir()) for line in path.read_text("utf-8").splitlines() if len(line) > 40
    ]
    assert len(texts) >= 10
    cosines = np.sum(int8.encode(texts) * embedder.encode(texts), axis=1)
    assert cosines.min() > 0.93 and cosines.mean() > 0.97
    assert not np.allclose(cosines, 1.0)  # it is a different computation, not the same model twice
    assert int8.fingerprint == embedder.fingerprint + "+int8-r7-onnx"  # the default backend's int8


def test_an_int8_index_answers_and_refuses_fp32_queries(
    tmp_path: Path, int8: Embedder, embedder: Embedder, settings: Settings
) -> None:
    quantized = replace(settings, quantize="int8")
    archive = Archive.build([SEEDS], index_dir=tmp_path / "index", settings=quantized, embedder=int8)
    assert any("five Lebanese detainees" in c.sentence for c in archive.ask(SEED_QUESTION).citations)
    fp32 = Archive.open(tmp_path / "index", settings=settings, embedder=embedder)
    with pytest.raises(IndexIncompatibleError, match="archive build"):
        fp32.ask(SEED_QUESTION)
    archive.close()
    fp32.close()


def test_int8_weights_are_seven_bit_so_no_cpu_saturates_them(int8: Embedder) -> None:
    """Every quantized weight lies in [-64, 64]: a pair of u8 x s7 products (2 x 255 x 64 = 32,640)
    fits a 16-bit lane on CPUs without VNNI, so no CPU saturates them."""
    import onnx
    from onnx import numpy_helper

    weights, variant = int8._export_key()
    onnx_file = find_export(int8._record_dir(), weights, variant)
    assert onnx_file is not None and onnx_file.name == ONNX_FILE and variant_tag(variant) in onnx_file.parent.name
    graph = onnx.load(str(onnx_file)).graph  # its weights load from model.onnx.data beside it
    quantized = [numpy_helper.to_array(t) for t in graph.initializer if t.data_type == onnx.TensorProto.INT8]
    big = [w for w in quantized if w.ndim == 2]  # the layers' weight matrices, not zero points
    assert len(big) == 36  # six layers: Q, K, V, output, two feed-forward matrices each
    assert all(w.min() >= -64 and w.max() <= 64 for w in big)
    assert max(int(np.abs(w).max()) for w in big) >= 60  # the range is used, not a constant


def test_an_unknown_quantization_is_refused() -> None:
    with pytest.raises(ModelError, match="int8"):
        Embedder(quantize="int4")
