"""Sentence embeddings with ONNX Runtime, the `tokenizers` library and numpy: no torch.

Owns the query-time model: word pieces (the model folder's tokenizer.json), an ONNX
Runtime session over an exported transformer (index/onnx_export.py makes, optimises and
verifies the file), mean pooling over the attention mask and L2 normalisation, exactly as the
sentence-transformers pipeline Transformer -> Pooling(mean) -> Normalize does. It never
imports torch, transformers or sentence_transformers, and never exports anything.

tokenizer.json ships with truncation at 128 and fixed padding to 128; sentence-transformers
overrides both (truncates at `max_seq_length`, 256 for MiniLM, pads to the batch's longest),
so this module does the same rather than trusting the file's settings.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from index import pooling
from index.defaults import DEFAULT_BATCH_SIZE

Matrix = npt.NDArray[np.float32]
IdArray = npt.NDArray[np.int64]

log = logging.getLogger(__name__)

TOKENIZER_FILE = "tokenizer.json"
# The transformer's input and output names in the exported graph (index/onnx_export.py writes them).
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT_NAME = "last_hidden_state"
# sentence-transformers' Transformer default when a folder has no sentence_bert_config.json.
DEFAULT_MAX_SEQ_LENGTH = 512
# From this many texts an encode runs its batches side by side on a second session (OnnxEncoder._each_batch).
BULK_TEXTS = 128


def max_seq_length(model_dir: Path) -> int:
    """The truncation length sentence-transformers uses for this folder."""
    try:
        config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(config["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_MAX_SEQ_LENGTH


def embedding_dimension(model_dir: Path) -> int | None:
    """The sentence vector size from the folder's configs (no model load), or None when unknown."""
    for name, key in (("1_Pooling/config.json", "word_embedding_dimension"), ("config.json", "hidden_size")):
        try:
            return int(json.loads((model_dir / name).read_text(encoding="utf-8"))[key])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return None


def available_cores() -> int:
    """CPU cores this process may run on (the affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class WordPieces:
    """The model's tokenizer: truncated encodings for the model, whole counts for sizing passages.

    One tokenizer, read from tokenizer.json on first use (about 0.05-0.1 s), its truncation
    switched off while counting, under a lock: an update counts and encodes with it, a query
    only encodes. (Two tokenizers cost an update a second read of the file.)
    """

    def __init__(self, model_dir: Path) -> None:
        # As on the torch path: a process that forks after a parallel batch would get a warning
        # (and, before it, risk a deadlock); word pieces are a small share of the model's time.
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        self._path = model_dir / TOKENIZER_FILE
        self.max_length = max_seq_length(model_dir)
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def _truncating(self) -> Any:
        """The tokenizer, truncating at the model's length (call with the lock held)."""
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            self._tokenizer = Tokenizer.from_file(str(self._path))
            self._tokenizer.no_padding()  # batches are padded here, after sorting by length
            self._tokenizer.enable_truncation(max_length=self.max_length)
        return self._tokenizer

    def count(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text, without special tokens and without truncation."""
        with self._lock:
            tokenizer = self._truncating()
            tokenizer.no_truncation()
            try:
                encoded = tokenizer.encode_batch(list(texts), add_special_tokens=False)
            finally:
                tokenizer.enable_truncation(max_length=self.max_length)
        return [len(e.ids) for e in encoded]

    def _encode(self, texts: Sequence[str]) -> Any:
        with self._lock:
            return self._truncating().encode_batch(list(texts))

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids per text with [CLS]/[SEP], truncated to the model's length."""
        return [e.ids for e in self._encode(texts)]

    def encode_with_offsets(self, texts: Sequence[str]) -> list[tuple[list[int], list[tuple[int, int]], bool]]:
        """Per text: token ids as `encode`, each token's character span ((0, 0) for [CLS]/[SEP]), truncated?"""
        return [
            (
                e.ids,
                [(0, 0) if special else span for span, special in zip(e.offsets, e.special_tokens_mask, strict=True)],
                bool(e.overflowing),
            )
            for e in self._encode(texts)
        ]


class OnnxEncoder:
    """Encodes texts into L2-normalised float32 vectors with ONNX Runtime (thread-safe).

    One session answers queries and small encodes; bulk encodes open a second (`_each_batch`).
    """

    def __init__(
        self,
        onnx_file: Path,
        model_dir: Path,
        threads: int = 0,
        batch_size: int = DEFAULT_BATCH_SIZE,
        words: WordPieces | None = None,
    ) -> None:
        self.words = words or WordPieces(model_dir)  # the caller's, when it has sized passages with them
        self.batch_size = max(1, batch_size)
        self.threads = threads if threads > 0 else available_cores()
        self._file = onnx_file
        # One pool as wide as the cores: a batch-1 query runs fastest on every core at once.
        self._session: Any = _session(onnx_file, self.threads)
        self._bulk_session: Any = None  # made on the first bulk encode (see _each_batch)
        self.bulk_texts = BULK_TEXTS  # a benchmark raises it to time the wide session alone
        self._bulk_lock = threading.Lock()
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    def encode(self, texts: Sequence[str]) -> Matrix:
        """Embed `texts`, returning a (len(texts), dimension) array in the same order."""
        result: Matrix = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return result
        ids = self.words.encode(texts)

        def run(rows: list[int], session: Any) -> None:
            hidden, mask = self._hidden([ids[i] for i in rows], session)
            result[np.asarray(rows)] = mean_pool_normalise(hidden, mask)

        self._each_batch([len(row) for row in ids], run)
        return result

    def encode_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[Matrix, list[pooling.SpanVectors]]:
        """One forward pass per text: its vector, and a vector per character span in it (late chunking).

        `spans[i]` are character spans of `texts[i]` (its sentences); each span's vector is the
        mean of the contextual token vectors inside it, unit length (`pooling.pool_spans`).
        """
        vectors: Matrix = np.zeros((len(texts), self.dimension), dtype=np.float32)
        empty = pooling.pool_spans(np.zeros((0, self.dimension), np.float32), [], [])
        pooled: list[pooling.SpanVectors] = [empty] * len(texts)
        if not texts:
            return vectors, pooled
        encoded = self.words.encode_with_offsets(texts)

        def run(rows: list[int], session: Any) -> None:
            hidden, mask = self._hidden([encoded[i][0] for i in rows], session)
            vectors[np.asarray(rows)] = mean_pool_normalise(hidden, mask)
            for r, i in enumerate(rows):
                ids, offsets, truncated = encoded[i]
                pooled[i] = pooling.pool_spans(hidden[r, : len(ids)], offsets, spans[i], truncated)

        self._each_batch([len(e[0]) for e in encoded], run)
        return vectors, pooled

    def _each_batch(self, lengths: Sequence[int], run: Callable[[list[int], Any], None]) -> None:
        """Call `run(rows, session)` on batches of row numbers of similar token length (they pad little).

        A bulk encode runs `threads` batches at a time side by side, each on one intra-op thread
        of a second session: on these CPUs that embeds more texts a second than one session
        spreading each batch over the cores (bench/RESULTS.md, "Small batches side by side").
        The longest batches go first, so that no long one is left running alone at the end.
        Activations in flight are those of `threads` batches: 4 texts each by default, a
        sixteenth of the 64 a batch this replaced, so at up to 16 threads no more than before.
        A query or a small update keeps the wide session and never pays the ~0.2 s the second
        one costs to open. Each call writes only its own rows, so the batches need no lock.
        """
        order = sorted(range(len(lengths)), key=lengths.__getitem__, reverse=True)
        batches = [order[start : start + self.batch_size] for start in range(0, len(order), self.batch_size)]
        session = self._bulk() if self.threads > 1 and len(order) >= self.bulk_texts else None
        if session is None:
            for rows in batches:
                run(rows, self._session)
            return
        with ThreadPoolExecutor(self.threads, thread_name_prefix="encode") as pool:
            for _ in pool.map(lambda rows: run(rows, session), batches):
                pass  # map re-raises a batch's exception here

    def _bulk(self) -> Any:
        """The session bulk encodes share (one intra-op thread, so that batches run side by side),
        or None when it cannot be opened: the wide session then does the work, only slower."""
        with self._bulk_lock:
            if self._bulk_session is None:
                try:
                    self._bulk_session = _session(self._file, 1)
                except Exception as exc:  # e.g. the export was set aside since the first session opened it
                    log.warning("Embedding without the side-by-side session (%s); continuing on one session.", exc)
                    self.bulk_texts = sys.maxsize
                    return None
            return self._bulk_session

    def _hidden(self, batch: list[list[int]], session: Any) -> tuple[Matrix, IdArray]:
        """The contextual token vectors of a padded batch, and its attention mask."""
        width = max(len(row) for row in batch)
        input_ids: IdArray = np.zeros((len(batch), width), dtype=np.int64)
        mask: IdArray = np.zeros((len(batch), width), dtype=np.int64)
        for r, row in enumerate(batch):
            input_ids[r, : len(row)] = row
            mask[r, : len(row)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
        hidden = session.run([OUTPUT_NAME], {k: v for k, v in feeds.items() if k in self._inputs})[0]
        return np.asarray(hidden, dtype=np.float32), mask


def _session(onnx_file: Path, threads: int) -> Any:
    """An ONNX Runtime session over `onnx_file` with `threads` intra-op threads."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # The export is saved already optimised by this onnxruntime version (index/onnx_export.py
    # keys the cache by it): running the passes again would double the time to open it.
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.log_severity_level = 3  # warnings about unused initializers are noise here
    # Idle pool threads sleep at once instead of spinning: a query's BM25 and coarse pass run
    # right after the question's forward pass and need the cores (bench/RESULTS.md, ask at 16x).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])


def mean_pool_normalise(hidden: Matrix, mask: IdArray) -> Matrix:
    """Mean of the token vectors under the attention mask, scaled to unit length (as sentence-transformers)."""
    weights = mask[:, :, None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    pooled = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    vectors: Matrix = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
    return vectors
