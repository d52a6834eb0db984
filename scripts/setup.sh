#!/usr/bin/env bash
# Create .venv with the CPU build of torch, then install archive-qa into it.
#   scripts/setup.sh         the app
#   scripts/setup.sh --dev   the app plus test and lint tools, and the Ray extra its cluster tests need
# Safe to run again: an existing .venv is reused and only what is missing is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then python=$candidate; break; fi
  done
fi
[ -n "$python" ] || { echo "setup: Python 3.11 is required" >&2; exit 1; }

[ -x .venv/bin/python ] || "$python" -m venv .venv
quiet=(--quiet --disable-pip-version-check)
# torch first: pinned to the CPU build on these machines, so nothing pulls the multi-GB CUDA build.
.venv/bin/pip install "${quiet[@]}" "torch==2.13.0"
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/pip install "${quiet[@]}" -e ".[dev,cluster]"
else
  .venv/bin/pip install "${quiet[@]}" -e .
fi
# Export and verify the ONNX model now (once per weights and versions), so no user waits for it.
.venv/bin/python -c "from archive import Settings; from archive.api import embedder_for; embedder_for(Settings.from_env()).load()"
echo "setup: ready (.venv/bin/archive)" >&2
