"""JSON documents for scripts: every `--json` document, `--jsonl` line and JSON error.

Each document is an object whose first key is `"schema_version"`; the fields of every
document are written down in docs/json-schema.json (tests/integration/test_cli_json.py
validates real output against it). The version goes up when a field is renamed, removed
or changes meaning; new fields may be added within one version.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

SCHEMA_VERSION = 1
# Kinds of error a JSON error document names, beyond the ArchiveError subclasses (snake_case).
USAGE, SYSTEM, INTERRUPTED = "usage", "system", "interrupted"


def document(value: object, **extra: object) -> dict[str, Any]:
    """`value` (a dataclass or mapping) as a JSON object led by the schema version."""
    data: dict[str, Any] = orjson.loads(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS))
    if "schema_version" in data:  # IndexInfo's own field: the version of the index format
        data["index_schema_version"] = data.pop("schema_version")
    return {"schema_version": SCHEMA_VERSION, **extra, **data}


def error_document(message: str, kind: str) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "error": message, "kind": kind}


def error_kind(exc: BaseException) -> str:
    """`IndexMissingError` -> "index_missing": the kind of error a script can branch on."""
    name = type(exc).__name__.removesuffix("Error")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def dumps(value: dict[str, Any], *, indent: bool = True) -> bytes:
    option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    return orjson.dumps(value, option=option) + b"\n"
