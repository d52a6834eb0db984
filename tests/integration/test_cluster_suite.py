"""tests/cluster/ on a two-node Ray cluster, run where nothing but 127.0.0.1 can be reached.

The inner run is PID 1 of its own network and PID namespaces (tests/support/isolation.py):
its cluster sends every packet over loopback, and when the run ends, passes or hangs past
its timeout, the kernel kills every process the cluster started.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

from archive.api import Archive
from archive.errors import InvalidRequestError
from archive.settings import Settings
from tests.support import ROOT, SEED_QUESTION, SEEDS, isolation

INNER_TIMEOUT_S = 1500  # the whole inner run, cluster start included, on a loaded two-core machine
# numpy's BLAS in every process, the tests' and the cluster's, with one thread: Ray gives each task
# OMP_NUM_THREADS = its CPUs (1), and a float32 product's last bit depends on how BLAS splits it.
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@pytest.mark.slow
def test_the_cluster_tests_pass_on_an_isolated_two_node_ray_cluster() -> None:
    if find_spec("ray") is None:
        pytest.skip("Ray is not installed: `pip install archive-qa[cluster]` (scripts/setup.sh --dev does)")
    reason = isolation.available()
    if reason is not None:
        pytest.skip(reason)
    command = [sys.executable, "-m", "pytest", "tests/cluster", "-q", "-p", "no:cacheprovider", "-x", "-rs"]
    result = isolation.run_isolated(command, INNER_TIMEOUT_S, env={**os.environ, **ONE_THREAD}, cwd=str(ROOT))
    output = result.stdout + result.stderr
    print(output[-4000:])
    assert result.returncode == 0, output[-8000:]
    assert " passed" in output.splitlines()[-1] and "skipped" not in output.splitlines()[-1]


def test_a_sharded_archive_without_a_ray_address_never_imports_ray(tmp_path: Path) -> None:
    """Ray is loaded only by archive/cluster/, and only when ARCHIVE_RAY_ADDRESS or --ray is set."""
    code = (
        "import sys\n"
        "from archive.api import Archive\n"
        f"archive = Archive.build([{str(SEEDS)!r}], index_dir={str(tmp_path / 'index')!r}, shards=2)\n"
        f"assert archive.ask({SEED_QUESTION!r}).citations\n"
        "archive.close()\n"
        "from archive import cli\n"
        f"assert cli.main(['ask', {SEED_QUESTION!r}, '--index', {str(tmp_path / 'index')!r}, '-q']) == 0\n"
        "print('ray loaded:', sorted(m for m in sys.modules if m.split('.')[0] == 'ray'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "ARCHIVE_RAY_ADDRESS"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=ROOT, env=env, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines()[-1] == "ray loaded: []"


def test_a_build_on_a_cluster_asks_for_the_number_of_shards(tmp_path: Path) -> None:
    """Refused before any connection is tried: a cluster build is a sharded build."""
    settings = Settings.from_env(environ={}, index_dir=tmp_path / "index", ray_address="127.0.0.1:1")
    with pytest.raises(InvalidRequestError, match="--shards N"):
        Archive.build([SEEDS], settings=settings)
    assert not (tmp_path / "index").exists()
