"""The core never loads Textual: scripts and the CLI stay light."""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = ("archive", "archive.api", "archive.cli", "index.retriever")


def test_core_modules_do_not_import_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'tui')))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "", f"core modules loaded: {result.stdout.strip()}"
