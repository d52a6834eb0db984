"""Settings: every value checked when read, misspelt variables named, the README in step."""

from __future__ import annotations

import re
import warnings
from dataclasses import fields
from pathlib import Path

import pytest

from archive.errors import InvalidRequestError
from archive.settings import Settings, UnknownSettingWarning, variable
from index.embedder import Embedder
from index.retriever import RetrievalOptions

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize(
    ("name", "raw", "named"),
    [
        ("ARCHIVE_FUSION", "sum", "score, rrf"),
        ("ARCHIVE_BM25_ENGINE", "lucene", "sidecar, whoosh"),
        ("ARCHIVE_QUANTIZE", "int4", "off, int8"),
        ("ARCHIVE_BATCH_SIZE", "abc", "a whole number"),
        ("ARCHIVE_BATCH_SIZE", "1.5", "a whole number"),
        ("ARCHIVE_BM25_WEIGHT", "heavy", "a number"),
        ("ARCHIVE_BM25_WEIGHT", "nan", "a number"),
        ("ARCHIVE_CANDIDATES", "0", "at least 1"),
        ("ARCHIVE_THREADS", "-1", "at least 0"),
        ("ARCHIVE_BM25_WEIGHT", "-0.1", "at least 0"),
        ("ARCHIVE_MIN_CONFIDENCE", "1.5", "between -1 and 1"),
        ("ARCHIVE_MIN_CONFIDENCE", "-2", "between -1 and 1"),
        ("ARCHIVE_ANSWER_RELATIVE_CUTOFF", "1.2", "at most 1"),
        ("ARCHIVE_BACKEND", "tensorflow", "onnx, torch"),
        ("ARCHIVE_PASSAGE_OVERLAP", "128", "less than ARCHIVE_PASSAGE_TOKENS (128)"),
    ],
)
def test_a_bad_variable_is_refused_by_name_with_what_it_accepts(name: str, raw: str, named: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        Settings.from_env(environ={name: raw})
    message = str(caught.value)
    assert message.startswith(f"{name}=")
    assert repr(raw) in message or raw in message
    assert named in message


def test_values_given_in_python_are_checked_too() -> None:
    with pytest.raises(InvalidRequestError, match=r"ARCHIVE_FUSION='x'.*score, rrf"):
        Settings(fusion="x")  # type: ignore[arg-type]  # the mistake under test
    with pytest.raises(InvalidRequestError, match="ARCHIVE_ANSWER_PASSAGES=0"):
        Settings.from_env(environ={}, answer_passages=0)
    with pytest.raises(InvalidRequestError, match="ARCHIVE_BATCH_SIZE='64'"):
        Settings(batch_size="64")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), (" TRUE ", True), ("on", True), ("no", False), ("0", False)]
)
def test_a_yes_or_no_setting_reads_the_usual_words(raw: str, expected: bool) -> None:
    assert Settings.from_env(environ={"ARCHIVE_FOLLOW_LINKS": raw}).follow_links is expected


def test_a_yes_or_no_setting_refuses_other_words_and_values() -> None:
    with pytest.raises(InvalidRequestError, match=r"ARCHIVE_FOLLOW_LINKS='maybe'.*true or false"):
        Settings.from_env(environ={"ARCHIVE_FOLLOW_LINKS": "maybe"})
    with pytest.raises(InvalidRequestError, match=r"ARCHIVE_FOLLOW_LINKS=1 .*true or false"):
        Settings(follow_links=1)  # type: ignore[arg-type]  # an int is not a bool


def test_the_evaluation_settings_that_rank_everything_are_accepted() -> None:
    """bench.eval ranks every candidate: no abstention (-1) and no relative cut (below 0)."""
    ranking = Settings.from_env(environ={}, min_confidence=-1.0, answer_relative_cutoff=-1e9)
    assert (ranking.min_confidence, ranking.answer_relative_cutoff) == (-1.0, -1e9)


def test_good_values_are_parsed_and_overrides_win() -> None:
    env = {
        "ARCHIVE_FUSION": "rrf",
        "ARCHIVE_BATCH_SIZE": " 16 ",
        "ARCHIVE_MIN_CONFIDENCE": "1",
        "ARCHIVE_INDEX_DIR": "~/idx",
        "ARCHIVE_MODEL": "",  # empty: the default
    }
    settings = Settings.from_env(environ=env, batch_size=8, threads=None)
    assert (settings.fusion, settings.batch_size, settings.min_confidence) == ("rrf", 8, 1.0)
    assert settings.index_dir == Path("~/idx").expanduser()
    assert settings.model == "" and settings.threads == 0
    assert Settings(index_dir="idx").index_dir == Path("idx")  # type: ignore[arg-type]  # a str is accepted


def test_an_unknown_variable_warns_naming_the_closest_setting() -> None:
    with pytest.warns(UnknownSettingWarning, match="ARCHIVE_FUSON .*did you mean ARCHIVE_FUSION"):
        settings = Settings.from_env(environ={"ARCHIVE_FUSON": "rrf"})
    assert settings.fusion == "score"  # ignored, not guessed
    with pytest.warns(UnknownSettingWarning, match="ARCHIVE_ZZZ .*archive/settings.py"):
        Settings.from_env(environ={"ARCHIVE_ZZZ": "1"})


def test_known_variables_that_are_not_settings_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Settings.from_env(environ={"ARCHIVE_EVAL_DATA": "/data", "ARCHIVE_RRF_K": "10", "OTHER_FUSON": "x"})


def test_retrieval_and_embedding_defaults_come_from_their_layer() -> None:
    settings = Settings()
    options = RetrievalOptions(
        settings.candidates, settings.rrf_k, settings.bm25_engine, settings.fusion, settings.bm25_weight,
        exact_scan_rows=settings.exact_scan_rows,
    )  # fmt: skip
    assert options == RetrievalOptions()
    embedder = Embedder()  # nothing loads until first use
    assert (embedder.batch_size, embedder.threads, embedder.quantize) == (
        settings.batch_size,
        settings.threads,
        settings.quantize,
    )


def _readme_settings() -> dict[str, str]:
    """Variable -> default cell of the README's Settings table, in order."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Settings") : text.index("\n## ", text.index("### Settings"))]
    return dict(re.findall(r"^\| `(ARCHIVE_\w+)` \| ([^|]+?) \|", section, flags=re.MULTILINE))


def test_the_readme_lists_every_setting_with_its_default() -> None:
    rows = _readme_settings()
    assert list(rows) == [variable(f.name) for f in fields(Settings)]
    for f in fields(Settings):
        default = getattr(Settings(), f.name)
        if isinstance(default, bool):
            assert rows[variable(f.name)] == f"`{str(default).lower()}`", f.name
        elif isinstance(default, int | float) or (isinstance(default, str) and default):
            assert rows[variable(f.name)] == f"`{default}`", f.name
