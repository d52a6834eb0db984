"""Export the embedding model to ONNX once, verify it, and keep it in a cache folder.

    CACHE_DIR/                     the setting ARCHIVE_ONNX_CACHE, else the user's cache directory
      <key>/                       one published export, never changed once renamed here;
                                   key = <sha256>-<variant tag>-f<format>-torch-<v>-ort-<v>
        model.onnx                 the transformer, graph-optimised: ids, mask, types -> last_hidden_state
        model.onnx.data            its weights (external initializers, memory-mapped when a session opens)
        export.json                what it was made from and its probe result
      .lock-<key>                  flock held by the one process exporting that key
      .staging-<key>-<id>/         an export being written and verified; never read

The key names the weights (sha256), the variant ("fp32", or "int8-r7": ONNX Runtime dynamic
quantization, per output channel, 7-bit weights), this module's folder format and the exporter and runtime
versions, so a new torch or onnxruntime exports afresh instead of trusting an old file. An
export is written and verified in a staging folder and renamed into place whole: a process
killed mid-export leaves nothing a reader would open, and two processes exporting at once
queue on the lock, the second finding the first one's result.

Verification: every probe text (news sentences, long passages past the truncation length,
empty-ish and non-Latin text) must embed with cosine >= the variant's floor to
sentence-transformers' own fp32 vector, or the export is refused and nothing is published.

Exporting needs torch, sentence-transformers and onnx; finding a published export needs none
of them (this module imports them only inside the export itself).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from index.onnx_encoder import INPUT_NAMES, OUTPUT_NAME, OnnxEncoder

ONNX_FILE = "model.onnx"
# The weights beside the graph rather than inside it: ONNX Runtime then maps them instead of
# parsing and copying 90 MB out of the protobuf, and a session opens in ~0.25 s instead of ~0.6 s.
WEIGHTS_DATA_FILE = "model.onnx.data"
META_FILE = "export.json"
VARIANTS = ("fp32", "int8")
# Lowest cosine to sentence-transformers' fp32 vector a probe text may have. fp32 is the same
# computation in another runtime; int8 loses a little by design (bench/RESULTS.md has its nDCG).
FLOORS = {"fp32": 0.9999, "int8": 0.95}
OPSET = 17
# Bumped when what an export folder holds changes, so old folders are not mistaken for new ones.
# 3: weights beside the graph (model.onnx.data); 4: eager attention, fused (Attention, SkipLayerNormalization).
EXPORT_FORMAT = 4
# How int8 weights are quantized: to 7 bits ("reduce_range"). With 8-bit weights, x86 CPUs
# without VNNI (AVX2, or AVX-512 alone) sum each pair of u8 x s8 products into a saturating
# 16-bit lane, so one export gave worse vectors there than on VNNI or AMX machines, and an
# index built on one and updated on another would mix them unnoticed. At 7 bits no pair sum
# can saturate (2 x 255 x 64 < 32768) on any of them (float kernels still differ by rounding,
# as fp32's do); speed on a VNNI/AMX host was the same (bench/RESULTS.md, "int8 with 7-bit
# weights"). The tag is part of the export key and of the int8 fingerprint, so indexes built
# with the earlier 8-bit weights ask for a rebuild.
INT8_RECIPE = "r7"

_LONG = (
    "The ministry said the new rules would apply to every port in the country from the first of next month, "
    "and that inspectors would be given the power to hold cargo for up to ten days while documents are checked. "
)
PROBE_TEXTS: tuple[str, ...] = (
    "How many Lebanese detainees did Israel agree to release?",
    "Israel agreed to release five Lebanese detainees in exchange for the remains of two soldiers.",
    "The central bank raised its key interest rate by a quarter point on Thursday.",
    "Shares in the company fell 12% after it cut its full-year forecast.",
    "Rescue teams searched through the night for survivors of the earthquake.",
    "Who won the election?",
    _LONG * 12,  # far past 256 word pieces: truncation must match
    (_LONG * 3).upper(),
    "",
    " ",
    "?",
    "...",
    "北京市政府周三宣布了新的空气污染治理措施。",
    "أعلنت الحكومة عن خطة جديدة لدعم المزارعين.",
    "Правительство объявило о новых мерах поддержки экономики.",
    "Η κυβέρνηση ανακοίνωσε νέα μέτρα για την οικονομία.",
    "सरकार ने किसानों के लिए नई योजना की घोषणा की।",
    "🌍📈 2024-03-01 #news @agency",
)


class ExportError(Exception):
    """The ONNX export cannot be made or was refused; the message says what to do."""


@dataclass(frozen=True)
class ExportRecord:
    """What a published export was made from, and how close its probe vectors came (export.json)."""

    weights_sha256: str
    variant: str
    torch: str
    onnxruntime: str
    onnx_bytes: int
    data_bytes: int  # WEIGHTS_DATA_FILE's size
    probe_texts: int
    min_cosine: float


def default_cache_dir() -> Path:
    """The user's cache directory (platformdirs when installed) /archive-qa/onnx; the caller may name another."""
    try:
        import platformdirs
    except ImportError:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "archive-qa"
    else:
        root = Path(platformdirs.user_cache_dir("archive-qa"))
    return root / "onnx"


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def variant_tag(variant: str) -> str:
    """The variant with its quantization recipe: "fp32", "int8-r7"."""
    return variant if variant == "fp32" else f"{variant}-{INT8_RECIPE}"


def export_key(weights_sha256: str, variant: str, torch_version: str) -> str:
    tag = variant_tag(variant)
    return f"{weights_sha256}-{tag}-f{EXPORT_FORMAT}-torch-{torch_version}-ort-{_version('onnxruntime')}"


def find_export(cache_dir: Path, weights_sha256: str, variant: str) -> Path | None:
    """The published model.onnx for these weights, variant and installed versions, or None."""
    torch_version = _version("torch")
    if torch_version is not None:
        candidates = [cache_dir / export_key(weights_sha256, variant, torch_version)]
    else:  # no torch to export with: any exporter's verified file for this runtime will do
        pattern = export_key(weights_sha256, variant, "*")
        candidates = sorted(cache_dir.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for folder in candidates:
        record = read_record(folder)
        if record is not None and _sizes(folder) == (record.onnx_bytes, record.data_bytes):
            return folder / ONNX_FILE
    return None


def _sizes(folder: Path) -> tuple[int, int] | None:
    """The sizes of the graph and its weights file, None when either is missing."""
    try:
        return (folder / ONNX_FILE).stat().st_size, (folder / WEIGHTS_DATA_FILE).stat().st_size
    except OSError:
        return None


def read_record(folder: Path) -> ExportRecord | None:
    try:
        return ExportRecord(**json.loads((folder / META_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def ensure_export(
    model_dir: Path, weights_sha256: str, variant: str, cache_dir: Path | None = None, floor: float | None = None
) -> Path:
    """The verified model.onnx for `model_dir`, exporting it first if no process has yet.

    `floor` overrides the variant's probe floor (FLOORS). Raises ExportError when torch or onnx
    is missing, or when the export fails its probe (nothing is published then).
    """
    if variant not in VARIANTS:
        raise ExportError(f"Unknown ONNX variant {variant!r}; use one of {', '.join(VARIANTS)}.")
    cache_dir = cache_dir or default_cache_dir()
    found = find_export(cache_dir, weights_sha256, variant)
    if found is not None:
        return found
    torch_version = _version("torch")
    if torch_version is None or _version("onnx") is None:
        raise ExportError(
            f"No ONNX export of the embedding model in {cache_dir}, and torch and onnx are needed to make one: "
            "install them (scripts/setup.sh does), or set ARCHIVE_BACKEND=torch."
        )
    key = export_key(weights_sha256, variant, torch_version)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _export_lock(cache_dir, key):
        found = find_export(cache_dir, weights_sha256, variant)  # made while this process waited
        if found is not None:
            return found
        print(
            f"archive: exporting the embedding model to ONNX ({variant}) once, into {cache_dir} ...",
            file=sys.stderr,
            flush=True,
        )
        staging = cache_dir / f".staging-{key}-{uuid.uuid4().hex[:8]}"
        staging.mkdir()
        try:
            model = _sentence_transformer(model_dir)
            _build(model, staging, variant)
            reference = _reference(model)
            min_cosine = verify(staging / ONNX_FILE, model_dir, FLOORS[variant] if floor is None else floor, reference)
            record = ExportRecord(
                weights_sha256, variant, torch_version, str(_version("onnxruntime")),
                (staging / ONNX_FILE).stat().st_size, (staging / WEIGHTS_DATA_FILE).stat().st_size,
                len(PROBE_TEXTS), min_cosine,
            )  # fmt: skip
            (staging / META_FILE).write_text(json.dumps(asdict(record), indent=1), encoding="utf-8")
            _sync_folder(staging)
            _set_aside_damaged(cache_dir, key)
            os.rename(staging, cache_dir / key)
            _sync_folder(cache_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return cache_dir / key / ONNX_FILE


def verify(onnx_file: Path, model_dir: Path, floor: float, reference: Any = None) -> float:
    """Smallest probe cosine between `onnx_file` and sentence-transformers' fp32 vectors; ExportError below `floor`.

    `reference`: those vectors for PROBE_TEXTS when the caller has them, else computed here.
    """
    if reference is None:
        reference = _reference(_sentence_transformer(model_dir))
    produced = OnnxEncoder(onnx_file, model_dir, batch_size=8).encode(PROBE_TEXTS)
    cosines = np.sum(produced * reference, axis=1)
    worst = int(np.argmin(cosines))
    if not cosines[worst] >= floor:  # also refuses NaN
        text = PROBE_TEXTS[worst]
        raise ExportError(
            f"The ONNX export of {model_dir} was refused: probe text {worst} ({text[:40]!r}) has cosine "
            f"{cosines[worst]:.6f} to sentence-transformers' vector, below {floor}. Nothing was cached; "
            "use ARCHIVE_BACKEND=torch, or report the torch/onnxruntime versions."
        )
    return float(cosines[worst])


def _reference(model: Any) -> Any:
    """sentence-transformers' own normalised fp32 probe vectors: the reference every export must match."""
    return model.encode(list(PROBE_TEXTS), batch_size=8, normalize_embeddings=True, convert_to_numpy=True)


def _sentence_transformer(model_dir: Path) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    transformers.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    return SentenceTransformer(str(model_dir), device="cpu")


def _build(model: Any, staging: Path, variant: str) -> None:
    """Write `staging`/model.onnx: the transformer exported, int8-quantized if asked, then graph-optimised.

    fp32 graphs get ONNX Runtime's BERT fusions (one Attention operator per layer, skip + layer
    norm, embeddings + layer norm), which its generic passes do not find. The optimised graph is
    saved so that a process opening it skips those passes: the session opens in half the time.
    """
    raw = staging / "exported.onnx"
    _export(model, raw)
    if variant == "fp32":
        fused = staging / "fused.onnx"
        _fuse_attention(raw, fused, model[0].auto_model.config)
        raw.unlink()
        raw = fused
    if variant == "int8":  # quantized from the plain graph: the quantizer cannot read fused operators
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantized = staging / "quantized.onnx"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantize_dynamic(raw, quantized, weight_type=QuantType.QInt8, per_channel=True, reduce_range=True)
        raw.unlink()
        raw = quantized
    optimise(raw, staging / ONNX_FILE)
    raw.unlink()


def _export(model: Any, target: Path) -> None:
    import torch

    transformer = model[0].auto_model.eval()
    # The scaled-dot-product attention traces to a masked-softmax pattern (IsNaN, Where) that no
    # fusion recognises; the eager one traces to the plain MatMul-Softmax-MatMul that ONNX Runtime
    # fuses into its Attention operator. Both compute the same vectors (the probe checks).
    transformer.set_attn_implementation("eager")

    class Hidden(torch.nn.Module):
        """The transformer with positional inputs and one output, as the ONNX graph has them."""

        def __init__(self) -> None:
            super().__init__()
            self.inner = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out[0]

    sample = torch.ones((2, 16), dtype=torch.int64)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUT_NAMES, OUTPUT_NAME)}
    # The tracer warns about shape checks it freezes; the probe verifies the graph on every shape kind.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Hidden(), (sample, sample, torch.zeros_like(sample)), str(target),
            input_names=list(INPUT_NAMES), output_names=[OUTPUT_NAME], dynamic_axes=axes,
            opset_version=OPSET, do_constant_folding=True, dynamo=False,
        )  # fmt: skip


def _fuse_attention(source: Path, target: Path, config: Any) -> None:
    """Rewrite `source` with ONNX Runtime's BERT fusions: 8% less CPU per text than its generic passes
    (bench/RESULTS.md, "Embedding backends"), the same vectors to within float rounding."""
    from onnxruntime.transformers import optimizer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fused = optimizer.optimize_model(
            str(source), model_type="bert", num_heads=int(config.num_attention_heads),
            hidden_size=int(config.hidden_size), opt_level=0,
        )  # fmt: skip
    if fused.get_fused_operator_statistics().get("Attention", 0) != int(config.num_hidden_layers):
        raise ExportError("ONNX Runtime did not fuse every attention layer of the exported model; nothing was cached.")
    fused.save_model_to_file(str(target))


def optimise(source: Path, target: Path) -> None:
    """Save `source` after ONNX Runtime's extended graph optimisations (not the hardware-specific layout ones),
    its weights in WEIGHTS_DATA_FILE beside `target`."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(target)
    options.add_session_config_entry("session.optimized_model_external_initializers_file_name", WEIGHTS_DATA_FILE)
    # Small tensors (shapes, scalars) stay in the graph; every weight matrix and bias goes out.
    options.add_session_config_entry("session.optimized_model_external_initializers_min_size_in_bytes", "1024")
    options.log_severity_level = 3
    ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])


@contextlib.contextmanager
def _export_lock(cache_dir: Path, key: str) -> Iterator[None]:
    """One exporter per key at a time; flock dies with its process, so a killed exporter frees it."""
    with (cache_dir / f".lock-{key}").open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            for stale in cache_dir.glob(f".staging-{key}-*"):  # left by a killed exporter of this key
                shutil.rmtree(stale, ignore_errors=True)
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _set_aside_damaged(cache_dir: Path, key: str) -> None:
    """Remove a folder under `key` that `find_export` did not accept (a weights file cut short, a record
    unreadable), so the new export can take its name. Called holding the key's lock; readers never
    open a folder without a valid record, so none is using it."""
    target = cache_dir / key
    if not target.exists():
        return
    aside = cache_dir / f".damaged-{key}-{uuid.uuid4().hex[:8]}"
    os.rename(target, aside)
    shutil.rmtree(aside, ignore_errors=True)


def _sync_folder(folder: Path) -> None:
    for path in [*folder.iterdir(), folder]:
        if path.is_dir() and path != folder:
            continue
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
