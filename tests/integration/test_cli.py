"""The `archive` console script, run as a user would, in a subprocess."""

from __future__ import annotations

import subprocess
from pathlib import Path

import orjson
import pytest

from tests.support import SEED_QUESTION, SEEDS
from tests.support.cli import run_archive


def run(
    *args: str, index: Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`archive ARGS` with ARCHIVE_INDEX_DIR=`index`, home folders beside the index."""
    home = index.parent / "home"
    home.mkdir(parents=True, exist_ok=True)
    return run_archive(*args, home=home, cwd=cwd, env=env, index=index)


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("cli") / "index"
    result = run("build", str(SEEDS), index=index)
    assert result.returncode == 0, result.stderr
    assert "Indexed 2 articles" in result.stdout
    return index


def test_ask_prints_the_cited_sentence_with_its_article(cli_index: Path) -> None:
    result = run("ask", SEED_QUESTION, index=cli_index)
    assert result.returncode == 0, result.stderr
    assert "five Lebanese detainees" in result.stdout
    assert "000_34248013aabff9bc" in result.stdout
    assert "[1]" in result.stdout


def test_a_disagreement_labels_only_sentences_that_state_the_figure(cli_index: Path) -> None:
    result = run("ask", SEED_QUESTION, index=cli_index)
    assert result.returncode == 0, result.stderr
    assert "Sources disagree" in result.stdout
    labelled = [line for line in result.stdout.splitlines() if "(says " in line]
    assert any("(says 5)" in line and "release five Lebanese detainees" in line for line in labelled)
    assert any("(says 6)" in line and "release six Lebanese" in line for line in labelled)
    # The seeds' answer also cites sentences that name no number of detainees at all.
    assert not any("no official Lebanese or Israeli statement" in line for line in labelled)
    assert not any("release of Lebanese detainees who have been held" in line for line in labelled)


def test_an_empty_question_says_so_and_reports_no_search(cli_index: Path) -> None:
    result = run("ask", "  ", index=cli_index)
    assert result.returncode == 0, result.stderr
    assert "The question is empty" in result.stdout
    assert "confidence" not in result.stdout  # nothing was searched, so no mode, confidence or time


def test_show_puts_outlet_date_and_id_on_one_line_under_the_title(cli_index: Path) -> None:
    article = orjson.loads(run("ask", SEED_QUESTION, "--json", index=cli_index).stdout)["citations"][0]
    lines = run("show", article["article_id"], index=cli_index).stdout.splitlines()
    assert lines[0] == article["title"]
    byline = next(line for line in lines if line.endswith(article["article_id"]))
    assert byline == f"outlet unknown · date unknown · {article['article_id']}"  # the seeds name neither


def test_ask_json_is_one_document_with_verbatim_citations(cli_index: Path) -> None:
    result = run("ask", SEED_QUESTION, "--json", index=cli_index)
    assert result.returncode == 0, result.stderr
    answer = orjson.loads(result.stdout)
    assert answer["answered"] is True
    first = answer["citations"][0]
    shown = orjson.loads(run("show", first["article_id"], "--json", index=cli_index).stdout)
    assert shown["text"][first["start"] : first["end"]] == first["sentence"]


def test_every_line_of_a_listed_passage_is_indented_under_its_heading(cli_index: Path) -> None:
    result = run("search", "Naqoura border talks", "-k", "1", index=cli_index)
    assert result.returncode == 0, result.stderr
    body = result.stdout.split("\n#1 ", 1)[1].splitlines()[1:]  # after the heading line
    passage = [line for line in body if line.strip()]
    assert len(passage) >= 3  # chars line and a passage of more than one paragraph
    assert all(line.startswith("    ") for line in passage)


def test_an_empty_search_says_the_query_is_empty(cli_index: Path) -> None:
    result = run("search", " ", index=cli_index)
    assert result.returncode == 0, result.stderr
    assert "The query is empty" in result.stdout and "No passage matches" not in result.stdout


def test_search_json_with_filters(cli_index: Path) -> None:
    result = run("search", "Naqoura talks", "--mode", "bm25", "--json", index=cli_index)
    hits = orjson.loads(result.stdout)["hits"]
    assert hits and hits[0]["rank"] == 1
    filtered = run("search", "Naqoura talks", "--since", "2025-01-01", "--json", index=cli_index)
    assert orjson.loads(filtered.stdout)["hits"] == []


def test_bad_date_is_a_usage_error(cli_index: Path) -> None:
    result = run("search", "x", "--since", "yesterday", index=cli_index)
    assert result.returncode == 2
    assert "YYYY-MM-DD" in result.stderr


def test_info_on_a_missing_index_says_what_to_run(tmp_path: Path) -> None:
    result = run("info", index=tmp_path / "none")
    assert result.returncode == 1
    assert "archive build" in result.stderr
    assert "Traceback" not in result.stderr


def test_search_with_no_index_says_so_and_builds_nothing(tmp_path: Path) -> None:
    result = run("search", "Red Cross", "--mode", "bm25", "--json", index=tmp_path / "fresh")
    assert result.returncode == 1
    assert "archive build" in orjson.loads(result.stderr)["error"]
    assert not (tmp_path / "fresh").exists(), "no index is built from the seeds unasked"


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [("ARCHIVE_BATCH_SIZE", "abc", "a whole number"), ("ARCHIVE_FUSION", "sum", "score, rrf")],
)
def test_a_bad_setting_is_one_error_line_and_exit_2(tmp_path: Path, variable: str, value: str, named: str) -> None:
    result = run("info", index=tmp_path / "none", env={variable: value})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {variable}=") and named in line


def test_a_bad_request_exits_2(cli_index: Path) -> None:
    result = run("search", "Naqoura", "-k", "0", "--mode", "bm25", index=cli_index)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["error: k must be at least 1 (got 0)."]


def test_a_misspelt_setting_is_one_warning_line(cli_index: Path) -> None:
    result = run("search", "Naqoura", "--mode", "bm25", "--json", index=cli_index, env={"ARCHIVE_FUSON": "rrf"})
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: ARCHIVE_FUSON is not a setting and is ignored; did you mean ARCHIVE_FUSION?"]
    assert orjson.loads(result.stdout)["hits"]
