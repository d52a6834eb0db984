"""ruff, mypy and the layer contract are part of the test run, so CI fails on a lint, type or layering error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_is_clean() -> None:
    result = run(str(BIN / "ruff"), "check", "archive", "index", "tui", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = run(str(BIN / "mypy"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_layers_import_only_downwards() -> None:
    """tui -> archive -> index: the import-linter contract in pyproject.toml."""
    result = run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout, result.stdout


def test_every_imported_package_is_declared() -> None:
    """scripts/check_dependencies.py: each third-party import of archive/, index/, tui/ is in pyproject.toml."""
    result = run(sys.executable, "scripts/check_dependencies.py")
    assert result.returncode == 0, result.stdout + result.stderr
