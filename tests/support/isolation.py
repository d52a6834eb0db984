"""Running a test command where its servers can reach nothing but 127.0.0.1, and die with it.

`run_isolated` starts the command in new network, PID and mount namespaces
(`unshare -n -p -f --mount-proc --kill-child`, root only): the only interface is loopback,
so every packet of a cluster started inside stays on 127.0.0.1; the command is PID 1 of
its namespace, so when it exits, or `timeout` or the caller kills it, the kernel kills
every process it left behind (Ray's raylets, workers and stores included). A cluster can
never outlive the tests that started it.

Inside, `ISOLATED` is set to "1" and `inside()` checks what it promises.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Mapping, Sequence

ISOLATED = "TESTS_ISOLATED"  # set to "1" inside the namespaces (not ARCHIVE_*: no setting)


def available() -> str | None:
    """None when namespaces can be made here; otherwise why not (the tests needing them skip)."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return "unshare(1) and ip(8) are needed to isolate the cluster tests"
    probe = subprocess.run(
        ["unshare", "-n", "-p", "-f", "--mount-proc", "--kill-child", "true"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    if probe.returncode != 0:
        return f"cannot make network and PID namespaces here (root needed): {probe.stderr.strip()}"
    return None


def run_isolated(
    command: Sequence[str], timeout_s: int, env: Mapping[str, str] | None = None, cwd: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`command` in its own namespaces with loopback up, killed (with all it started) after `timeout_s`."""
    inner = {**(env or os.environ), ISOLATED: "1"}
    # `timeout` is PID 1 inside: when it exits, the namespace and everything in it go.
    script = 'ip link set lo up && exec timeout -s KILL "$0" "$@"'
    argv = ["unshare", "-n", "-p", "-f", "--mount-proc", "--kill-child", "sh", "-c", script, str(timeout_s), *command]
    return subprocess.run(argv, capture_output=True, text=True, env=inner, cwd=cwd, check=False, timeout=timeout_s + 60)


def inside() -> bool:
    """True in the namespaces `run_isolated` makes: the flag is set and loopback is the only interface."""
    return os.environ.get(ISOLATED) == "1" and [name for _, name in socket.if_nameindex()] == ["lo"]
