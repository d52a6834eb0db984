"""The cluster tests: a two-node Ray cluster on 127.0.0.1, for the whole run.

Collected only inside tests/support/isolation.py's namespaces, where
tests/integration/test_cluster_suite.py runs this folder (tests/conftest.py leaves it out
elsewhere); the namespaces end with the run and take every Ray process with them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import ray_cluster


@pytest.fixture(scope="session")
def ray_address() -> Iterator[str]:
    cluster = ray_cluster.start(node_cpus=(1, 1))
    try:
        yield cluster.address
    finally:
        cluster.stop()
