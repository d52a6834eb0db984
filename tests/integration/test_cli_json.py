"""Output scripts can trust: every --json document validates against docs/json-schema.json,
--jsonl streams one hit a line, errors are JSON on stderr, and each command's exit status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from tests.integration.conftest import Project
from tests.support import ROOT, SEED_QUESTION, SEEDS
from tests.support.cli import run_archive

SCHEMA = orjson.loads((ROOT / "docs" / "json-schema.json").read_bytes())
ARTICLE = "000_34248013aabff9bc"


def validate(document: Any, name: str) -> None:
    jsonschema.validate(document, {**SCHEMA, "$ref": f"#/$defs/{name}"})
    assert next(iter(document)) == "schema_version" and document["schema_version"] == 1


@pytest.mark.parametrize(
    ("args", "schema"),
    [
        (["ask", SEED_QUESTION], "answer"),
        (["ask", "What is the boiling point of mercury on Jupiter?"], "answer"),
        (["search", "Naqoura talks"], "search"),
        (["show", ARTICLE], "article"),
        (["info"], "info"),
        (["config"], "config"),
        (["update", str(SEEDS)], "build_report"),
    ],
)
def test_json_documents_match_the_written_schema(project: Project, args: list[str], schema: str) -> None:
    result = run_archive(*args, "--json", home=project.home, cwd=project.folder)
    assert result.returncode == 0, result.stderr
    validate(orjson.loads(result.stdout), schema)


def test_the_schema_rejects_a_field_it_does_not_name(project: Project) -> None:
    info = orjson.loads(run_archive("info", "--json", home=project.home, cwd=project.folder).stdout)
    with pytest.raises(jsonschema.ValidationError):
        validate({**info, "surprise": 1}, "info")


def test_search_jsonl_is_one_hit_a_line(project: Project) -> None:
    result = run_archive("search", "Naqoura", "-k", "3", "--jsonl", home=project.home, cwd=project.folder)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    for rank, line in enumerate(lines, start=1):
        hit = orjson.loads(line)
        validate(hit, "search_line")
        assert hit["rank"] == rank


@pytest.mark.parametrize(
    ("args", "kind", "status"),
    [
        (["search", "x", "-k", "0"], "invalid_request", 2),
        (["search", "x", "--since", "yesterday"], "usage", 2),
        (["show", "no-such-article"], "article_not_found", 1),
        (["ask", "x" * 3000], "input_limit", 1),
    ],
)
def test_errors_are_json_on_stderr_with_json(project: Project, args: list[str], kind: str, status: int) -> None:
    result = run_archive(*args, "--json", home=project.home, cwd=project.folder)
    assert result.returncode == status
    assert result.stdout == ""
    error = orjson.loads(result.stderr)
    validate(error, "error")
    assert error["kind"] == kind


def test_no_index_is_a_json_error(tmp_path: Path) -> None:
    result = run_archive("search", "x", "--jsonl", home=tmp_path)
    assert result.returncode == 1
    assert orjson.loads(result.stderr)["kind"] == "index_missing"


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["ask", SEED_QUESTION], 0),
        (["ask", "What is the boiling point of mercury on Jupiter?"], 0),  # no answer is still exit 0
        (["search", "Naqoura", "--mode", "bm25"], 0),
        (["show", ARTICLE], 0),
        (["show", "missing"], 1),
        (["info"], 0),
        (["verify", "--questions", "1"], 0),
        (["config"], 0),
        (["completion", "bash"], 0),
        (["completion", "tcsh"], 2),
        (["build"], 2),
        (["update", "/no/such/folder"], 2),
        (["ask"], 2),
        (["frobnicate"], 2),
    ],
)
def test_exit_status_of_each_command(project: Project, args: list[str], status: int) -> None:
    result = run_archive(*args, home=project.home, cwd=project.folder)
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr


def test_no_answer_says_so_and_exits_0(project: Project) -> None:
    result = run_archive(
        "ask", "What is the boiling point of mercury on Jupiter?", "--json", home=project.home, cwd=project.folder
    )
    assert result.returncode == 0
    assert orjson.loads(result.stdout)["answered"] is False


def test_ask_markdown_numbers_citations_with_their_sources(project: Project) -> None:
    result = run_archive("ask", SEED_QUESTION, "--format", "markdown", home=project.home, cwd=project.folder)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith(f"**Q:** {SEED_QUESTION}\n")
    assert "five Lebanese detainees,” he said. [1]" in text
    sources = text.split("**Sources**")[1]
    assert "1. *Israel and Lebanon Open Border Negotiations" in sources
    assert "outlet unknown · date unknown" in sources, "missing metadata is said, never invented"
    assert f"`{ARTICLE}`, sentence 7" in sources
