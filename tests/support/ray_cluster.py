"""A two-node Ray cluster on 127.0.0.1 for the cluster tests, started as an operator would.

Each node is one `ray start --block` process (a head, then a worker node joining it), in a
process group of its own; stopping sends SIGTERM to each group (`ray start --block` then
stops the node's raylet, store and workers) and SIGKILL after a grace period. Only run
inside tests/support/isolation.py's namespaces (`start` refuses otherwise), where the
kernel also kills whatever is left when the test run ends.

`workers(name)` finds the worker processes running a task or actor by name: Ray titles a
worker `ray::NAME` while it runs one, and the PID namespace holds only this run's processes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import isolation

RAY = Path(sys.executable).with_name("ray")
HOST = "127.0.0.1"
PORT = 6390
OBJECT_STORE_BYTES = 100 * 1024 * 1024  # the tests pass small shards; keeps /dev/shm use low
START_TIMEOUT_S = 180.0  # a loaded two-core machine takes tens of seconds per node


@dataclass
class LocalCluster:
    """Nodes started by `start`; `address` is what ARCHIVE_RAY_ADDRESS takes."""

    address: str
    temp_dir: Path
    nodes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def stop(self, grace_s: float = 20.0) -> None:
        import ray

        ray.shutdown()  # this process's driver first, or it would wait on a head that is gone
        for node in reversed(self.nodes):
            _signal_group(node, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for node in reversed(self.nodes):
            try:
                node.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(node, signal.SIGKILL)
                node.wait()
        shutil.rmtree(self.temp_dir, ignore_errors=True)


def start(node_cpus: tuple[int, ...] = (1, 1), env: dict[str, str] | None = None) -> LocalCluster:
    """A head and len(node_cpus) - 1 worker nodes, each with its CPUs; returns once all have joined."""
    if not isolation.inside():
        raise RuntimeError("a test cluster starts only inside tests/support/isolation.py's namespaces")
    # Short: Ray's unix sockets live under it, and a socket path may not exceed 107 bytes.
    cluster = LocalCluster(f"{HOST}:{PORT}", Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp")))
    node_env = {**(env or os.environ), "RAY_USAGE_STATS_ENABLED": "0"}
    common = ["--block", f"--node-ip-address={HOST}", f"--object-store-memory={OBJECT_STORE_BYTES}"]
    head = [
        "--head",
        f"--port={PORT}",
        "--include-dashboard=false",
        "--disable-usage-stats",
        f"--temp-dir={cluster.temp_dir}",
    ]
    try:
        for index, cpus in enumerate(node_cpus):
            role = head if index == 0 else [f"--address={cluster.address}"]
            with (cluster.temp_dir / f"node-{index}.log").open("wb") as log:  # the node keeps its own copy
                cluster.nodes.append(
                    subprocess.Popen(
                        [str(RAY), "start", *role, *common, f"--num-cpus={cpus}"],
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        env=node_env,
                        start_new_session=True,
                    )
                )
            if index == 0:
                _wait_for_port(HOST, PORT, cluster)
        _wait_for_nodes(cluster, len(node_cpus))
    except BaseException:
        cluster.stop()
        raise
    return cluster


def workers(name: str) -> list[int]:
    """PIDs of the Ray workers now running the task or actor `name` (their title is `ray::NAME...`)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue  # gone meanwhile
        if title.startswith(f"ray::{name}"):
            found.append(int(entry.name))
    return found


def wait_for_no_workers(name: str, timeout_s: float = 60.0) -> bool:
    """True once no worker runs `name` (killing an actor is asynchronous); False after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while workers(name):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _wait_for_port(host: str, port: int, cluster: LocalCluster) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        _check_alive(cluster)
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"the Ray head did not listen on {host}:{port} in {START_TIMEOUT_S:.0f} s")


def _wait_for_nodes(cluster: LocalCluster, count: int) -> None:
    """Until `count` nodes are alive; this process stays connected as the tests' driver."""
    import ray

    ray.init(address=cluster.address, log_to_driver=False, logging_level="ERROR")
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        _check_alive(cluster)
        if sum(1 for node in ray.nodes() if node["Alive"]) == count:
            return
        time.sleep(0.5)
    raise TimeoutError(f"{count} Ray nodes did not join in {START_TIMEOUT_S:.0f} s")


def _check_alive(cluster: LocalCluster) -> None:
    for index, node in enumerate(cluster.nodes):
        if node.poll() is not None:
            log = (cluster.temp_dir / f"node-{index}.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"Ray node {index} exited with status {node.returncode}:\n{log}")


def _signal_group(node: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(node.pid, sig)
