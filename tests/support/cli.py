"""Running the `archive` console script as a user would: a subprocess with its own home folders.

Every run gets XDG folders inside the test's temporary tree, so neither the user's real
config nor their per-user or demo index can leak into a test, or a test into them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from index.onnx_export import default_cache_dir

ARCHIVE = Path(sys.executable).with_name("archive")


def home_env(home: Path) -> dict[str, str]:
    """Variables that put the per-user config, data and state folders under `home`.

    The verified ONNX export stays where setup made it (the real user's cache), or every
    run in a fresh home would export the model again.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("ARCHIVE_")}
    env["ARCHIVE_ONNX_CACHE"] = os.environ.get("ARCHIVE_ONNX_CACHE") or str(default_cache_dir())
    env.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_STATE_HOME": str(home / "state"),
            "HF_HUB_OFFLINE": "1",
        }
    )
    return env


def run_archive(
    *args: str,
    home: Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    index: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """`archive ARGS...` in `cwd` (default: `home`), with ARCHIVE_INDEX_DIR=`index` when given."""
    full = {**home_env(home), **({"ARCHIVE_INDEX_DIR": str(index)} if index else {}), **(env or {})}
    return subprocess.run(
        [str(ARCHIVE), *args], capture_output=True, text=True, env=full, cwd=cwd or home, timeout=300, check=False
    )
