"""tests/cluster/ on a two-node Ray cluster, run where nothing but 127.0.0.1 can be reached.

The inner run is PID 1 of its own network and PID namespaces (tests/support/isolation.py):
its cluster sends every packet over loopback, and when the run ends, passes or hangs past
its timeout, the kernel kills every process the cluster started.
"""

from __future__ import annotations

import sys
from importlib.util import find_spec

import pytest

from tests.support import ROOT, isolation

INNER_TIMEOUT_S = 1500  # the whole inner run, cluster start included, on a loaded two-core machine


@pytest.mark.slow
def test_the_cluster_tests_pass_on_an_isolated_two_node_ray_cluster() -> None:
    if find_spec("ray") is None:
        pytest.skip("Ray is not installed: `pip install archive-qa[cluster]` (scripts/setup.sh --dev does)")
    reason = isolation.available()
    if reason is not None:
        pytest.skip(reason)
    command = [sys.executable, "-m", "pytest", "tests/cluster", "-q", "-p", "no:cacheprovider", "-x", "-rs"]
    result = isolation.run_isolated(command, INNER_TIMEOUT_S, cwd=str(ROOT))
    output = result.stdout + result.stderr
    print(output[-4000:])
    assert result.returncode == 0, output[-8000:]
    assert " passed" in output.splitlines()[-1] and "skipped" not in output.splitlines()[-1]
