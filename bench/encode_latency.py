"""Query encoding latency per backend and thread count: `Embedder.encode_one` on SciFact claims.

    .venv/bin/python -m bench.encode_latency

20 claims warm each model up, the next 100 are timed one at a time; p50 and p95 in ms.
"""

from __future__ import annotations

import statistics
import time

import orjson

from bench import datasets
from index.embedder import Embedder

WARMUP, TIMED = 20, 100


def main() -> None:
    path = datasets.DATA_DIR / "scifact" / "queries.train.jsonl"
    lines = path.read_bytes().splitlines()[: WARMUP + TIMED]
    questions = [str(orjson.loads(line)["text"]) for line in lines]
    for backend in ("onnx", "torch"):
        for threads in (1, 2):
            embedder = Embedder(backend=backend, threads=threads)
            embedder.load()
            for question in questions[:WARMUP]:
                embedder.encode_one(question)
            seconds = []
            for question in questions[WARMUP:]:
                started = time.perf_counter()
                embedder.encode_one(question)
                seconds.append(time.perf_counter() - started)
            seconds.sort()
            p50, p95 = 1000 * statistics.median(seconds), 1000 * seconds[int(0.95 * len(seconds))]
            print(f"{backend} threads={threads}: p50 {p50:.1f} ms, p95 {p95:.1f} ms", flush=True)


if __name__ == "__main__":
    main()
