"""Joining the Ray cluster, and Ray's failures said as `ClusterError`.

A process joins once (`ray.init`), the first time a build or an open asks; a process that
is already a Ray driver (a test, a notebook, a Ray job) keeps its connection. Calls wait on
results through `gather`, which turns Ray's exceptions into one sentence naming the shard
work that failed, after Ray's own retries are spent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from archive.errors import ArchiveError, ClusterError

NAMESPACE = "archive-qa"
_joined = threading.Lock()


def connect(address: str) -> None:
    """Join the Ray cluster at `address` (host:port, or "auto"), unless this process already has."""
    try:
        import ray
    except ImportError as exc:
        raise ClusterError(
            f"A Ray address is set ({address}) but Ray is not installed: `pip install 'archive-qa[cluster]'`, "
            "or unset ARCHIVE_RAY_ADDRESS to work in this process."
        ) from exc
    with _joined:
        if ray.is_initialized():
            return
        try:
            ray.init(address=address, namespace=NAMESPACE, log_to_driver=False, logging_level=logging.WARNING)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ClusterError(
                f"Cannot join the Ray cluster at {address} ({exc}). Start it with `ray start --head`, or fix "
                "ARCHIVE_RAY_ADDRESS / --ray."
            ) from exc


def gather(refs: Sequence[Any], what: str) -> list[Any]:
    """The results of `refs`, in order; a failure past Ray's retries is a ClusterError saying `what` failed."""
    import ray
    from ray import exceptions

    try:
        return list(ray.get(list(refs)))
    except exceptions.RayTaskError as exc:
        cause = exc.cause
        if isinstance(cause, ArchiveError):  # the shard's own error (a damaged file ...) says what to do
            raise cause from None
        raise ClusterError(f"{what} failed on the cluster: {type(cause).__name__}: {cause}") from exc
    except exceptions.RayError as exc:
        raise ClusterError(f"{what} failed on the cluster after its retries: {exc}") from exc
