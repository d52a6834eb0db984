"""Shards served by Ray actors against the same shards in process: search and ask latency, side by side.

    python -m bench.cluster_latency --index IDX --ray HOST:PORT --out bench/out/cluster_latency.json

IDX is a sharded index on storage the cluster's nodes read. Each question is asked of both
archives in turn (interleaved, so load drifts hit both alike) after a warm-up pass; figures
are the median and p90 over questions of each one's median over `--repeat` runs, with their
ratio. Every answer through actors is checked to be the in-process one. The difference is
the fan-out's cost: each round of a query (statistics, best BM25, search, then the answer's
vectors and term statistics) is one scatter and gather over every actor.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from archive.api import Archive
from archive.settings import Settings
from index.embedder import Embedder

QUESTIONS = [
    "How many Lebanese detainees did Israel agree to release?",
    "What did the negotiations in Naqoura address?",
    "Which positions will Israel withdraw from?",
    "Who was released?",
    "When do the talks resume?",
]


def _median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50_ms": round(statistics.median(ordered), 2), "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--ray", required=True, help="the cluster's address")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    embedder = Embedder()
    settings = Settings.from_env(environ={}, index_dir=args.index)
    local = Archive.open(args.index, settings=settings, embedder=embedder)
    started = time.perf_counter()
    served = Archive.open(args.index, settings=replace(settings, ray_address=args.ray), embedder=embedder)
    served.ask(QUESTIONS[0])
    figures: dict[str, object] = {"load_before": os.getloadavg(), "open_and_first_ask_s": time.perf_counter() - started}
    for question in QUESTIONS:  # warm-up, and the check that both answer alike
        assert served.ask(question).citations == local.ask(question).citations, question
    for op in ("search", "ask"):
        times: dict[str, list[float]] = {"in process": [], "actors": []}
        for question in QUESTIONS:
            for name, archive in (("in process", local), ("actors", served)):
                call = getattr(archive, op)
                times[name].append(_median_ms(functools.partial(call, question), args.repeat))
        local_p50 = statistics.median(times["in process"])
        figures[op] = {name: _summary(values) for name, values in times.items()} | {
            "p50 ratio actors / in process": round(statistics.median(times["actors"]) / local_p50, 2)
        }
    figures["load_after"] = os.getloadavg()
    served.close()
    local.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
