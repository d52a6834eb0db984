"""The index layer's fixed choices and defaults, in a module that imports no numpy.

archive/settings.py reads them when it is imported, and loading the archive package (the
CLI's `--help` included) must stay fast; the retriever and the embedder use the same names.
"""

from __future__ import annotations

from typing import Literal, get_args

# "whoosh" and "rrf" are kept only to compare against the defaults (bench/RESULTS.md).
BM25Engine = Literal["sidecar", "whoosh"]
Fusion = Literal["score", "rrf"]
# "int8": the Linear layers quantized to int8 at load (torch dynamic quantization, one scale
# per output channel): about 2x the texts per second on these CPUs, SciFact dense nDCG@10
# 0.003 lower (bench/RESULTS.md). Per-tensor scales lost 0.016 and are not offered.
# With the onnx backend, int8 is ONNX Runtime's dynamic quantization, also per channel.
Quantize = Literal["off", "int8"]
# "onnx": ONNX Runtime on the project's own verified export (no torch on the query path);
# "torch": sentence-transformers, the reference, kept to compare.
Backend = Literal["onnx", "torch"]
BM25_ENGINES: tuple[BM25Engine, ...] = get_args(BM25Engine)
FUSIONS: tuple[Fusion, ...] = get_args(Fusion)
QUANTIZE_CHOICES: tuple[Quantize, ...] = get_args(Quantize)
BACKEND_CHOICES: tuple[Backend, ...] = get_args(Backend)

DEFAULT_BM25_ENGINE: BM25Engine = "sidecar"
DEFAULT_FUSION: Fusion = "score"
DEFAULT_BM25_WEIGHT = 0.3  # score fusion: weight of BM25 / best BM25 next to the cosine (chosen on SciFact)
DEFAULT_CANDIDATES = 100  # per leg, for rank fusion and the Whoosh engine
# Reciprocal-rank fusion constant from Cormack et al. (2009); larger values flatten the top ranks' advantage.
DEFAULT_RRF_K = 60
DEFAULT_EXACT_SCAN_ROWS = 50_000  # above this many passages the dense leg starts coarse

DEFAULT_QUANTIZE: Quantize = "off"
DEFAULT_BACKEND: Backend = "onnx"
# Texts per batch; they are sorted by length first, so batches pad little. Small batches run
# faster on these CPUs than large ones, with either backend: on 320 SciFact passages, ONNX at 8
# a batch took 0.83x the time of 64, and 4 a batch side by side 0.72x; torch at 4, 0.66x of its
# time at 64 (bench/RESULTS.md, "Small batches side by side").
DEFAULT_BATCH_SIZE = 4
DEFAULT_THREADS = 0  # 0: one embedding thread per core (torch's, or ONNX Runtime's)
