"""The test cluster itself: two nodes on loopback, each running tasks."""

from __future__ import annotations

import socket

import ray


@ray.remote(num_cpus=1)
def where() -> tuple[str, str]:
    import time

    time.sleep(1.0)  # long enough that two at once need both nodes
    return ray.get_runtime_context().get_node_id(), socket.gethostbyname(socket.gethostname())


def test_two_nodes_on_loopback_both_run_tasks(ray_address: str) -> None:
    assert ray_address.startswith("127.0.0.1:")
    nodes = {node["NodeID"]: node["NodeManagerAddress"] for node in ray.nodes() if node["Alive"]}
    assert len(nodes) == 2 and set(nodes.values()) == {"127.0.0.1"}
    ran_on = {node for node, _ in ray.get([where.remote() for _ in range(4)])}
    assert ran_on == set(nodes)
