"""Queries run their matrix products on one BLAS thread: `one_blas_thread()` around a query's work.

A query's products are small or memory-bound (4,000 candidate rows times the question's
vector; the coarse pass's 64 columns at 350,000 rows). OpenBLAS splits them over a thread per
core anyway, and its idle threads spin for a while after each product: on two cores they take
the core the question's ONNX forward pass and the BM25 leg need next. Measured at SciFact
x16 under load (bench/RESULTS.md): the candidates' product 16 ms on two threads, 0.15 ms on
one; a whole `ask` 164 ms, 102 ms on one. Each output is one row's dot product whichever
thread computes it, so the scores are bit for bit the same.

The limit holds while any query of the process is inside the context (a counter, for the
threads of a terminal app) and the setting before the first one is restored after the last.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_lock = threading.Lock()
_inside = 0  # queries inside the context now
_restore: Any = None  # threadpoolctl's handle of the setting to restore
_controller: Any = None  # found once: looking for the loaded BLAS libraries costs ~20 ms


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the body with BLAS (numpy's OpenBLAS) on one thread; nests, and works across threads."""
    global _inside, _restore, _controller
    with _lock:
        if _inside == 0:
            if _controller is None:
                from threadpoolctl import ThreadpoolController

                _controller = ThreadpoolController()
            _restore = _controller.limit(limits=1, user_api="blas")
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _restore is not None:
                _restore.restore_original_limits()
                _restore = None
