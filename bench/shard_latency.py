"""Sharded against unsharded: build time, and search and ask latency side by side on the same articles.

    python -m bench.shard_latency --out /tmp/bench-shards --cache /tmp/bench-shards/embeddings.sqlite \
        --replicas 1 --shards 2 4 --queries 60 --repeat 3

SciFact (x `--replicas`, bench/scale.py) is built once unsharded and once per shard count,
through the embedding cache (copy a warm one there first, or the first build embeds
everything). Each query runs on every archive in turn (interleaved, so load drifts hit all
alike), after one warm-up pass; figures are medians and p90 over queries of each query's
median over `--repeat` runs. Every answer is also checked to be the unsharded one (ids and
spans in order). In-process shards are searched one after another (`LocalPool`), so this
measures the cost of the split and the merge, not a speed-up from parallel shards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import time
from pathlib import Path

from archive.api import Archive
from archive.settings import Settings
from bench import datasets, scale
from index.embedder import Embedder


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _build(
    folder: Path, index_dir: Path, settings: Settings, shards: int | None, embedder: Embedder | None, reuse: bool
) -> tuple[Archive, float]:
    if reuse and index_dir.exists():
        return Archive.open(index_dir, settings, embedder), float("nan")
    if index_dir.exists():
        shutil.rmtree(index_dir)
    started = time.perf_counter()
    archive = Archive.build([folder], index_dir=index_dir, settings=settings, embedder=embedder, shards=shards)
    return archive, time.perf_counter() - started


def _key(archive: Archive, query: str, op: str) -> tuple[tuple[str, int, int], ...]:
    if op == "search":
        return tuple((h.article_id, h.start, h.end) for h in archive.search(query, k=10))
    return tuple((c.article_id, c.start, c.end) for c in archive.ask(query).citations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cache", type=Path, required=True, help="the embedding cache (copied in beforehand)")
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--shards", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="open indexes a previous run built (no build time)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    folder = args.out / f"corpus-x{args.replicas}"
    scale.scifact_replicas(folder, args.replicas)
    scale.embed_unmarked_titles()  # replicas hit the embedding cache (bench/scale.py)
    settings = Settings.from_env(environ={}, index_dir=args.out / "default", embedding_cache=str(args.cache))
    archives: dict[str, Archive] = {}
    build_seconds: dict[str, float] = {}
    plain, build_seconds["unsharded"] = _build(folder, args.out / "index-plain", settings, None, None, args.reuse)
    plain.load_model()
    archives["unsharded"] = plain
    for n in args.shards:
        name = f"{n} shards"
        archives[name], build_seconds[name] = _build(
            folder, args.out / f"index-{n}", settings, n, plain.embedder, args.reuse
        )
    queries = [q.text for q in datasets.scifact_queries()[: args.queries]]
    timings: dict[str, dict[str, list[float]]] = {op: {name: [] for name in archives} for op in ("search", "ask")}
    mismatches = {name: 0 for name in archives}
    for op in ("search", "ask"):
        for query in queries:  # warm-up: page cache, model, lazily built structures
            for archive in archives.values():
                _key(archive, query, op)
        for query in queries:
            runs: dict[str, list[float]] = {name: [] for name in archives}
            for _ in range(args.repeat):
                for name, archive in archives.items():
                    started = time.perf_counter()
                    key = _key(archive, query, op)
                    runs[name].append(time.perf_counter() - started)
                    if name != "unsharded" and key != _key(plain, query, op):
                        mismatches[name] += 1
            for name in archives:
                timings[op][name].append(statistics.median(runs[name]) * 1000)
    result = {
        "replicas": args.replicas,
        "articles": plain.info().articles,
        "passages": plain.info().passages,
        "queries": len(queries),
        "repeat": args.repeat,
        "load": os.getloadavg(),
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "build_seconds": build_seconds,
        "mismatches": mismatches,
        "latency_ms": {
            op: {
                name: {"p50": statistics.median(values), "p90": _percentile(values, 0.9)}
                for name, values in per_archive.items()
            }
            for op, per_archive in timings.items()
        },
    }
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    (args.out / f"shard-latency-x{args.replicas}-blas-{threads}.json").write_text(
        json.dumps(result, indent=2), encoding="utf-8"
    )
    print(
        f"SciFact x{args.replicas}: {result['articles']} articles, {result['passages']} passages, load {result['load']}"
    )
    base = result["latency_ms"]
    for op in ("search", "ask"):
        for name in archives:
            p50, p90 = base[op][name]["p50"], base[op][name]["p90"]
            ratio = p50 / base[op]["unsharded"]["p50"]
            build = build_seconds[name]
            print(f"{op:6} {name:10} p50 {p50:7.1f} ms  p90 {p90:7.1f} ms  x{ratio:.2f}  build {build:.0f} s")
    print(f"answers differing from the unsharded index: {mismatches}")
    for archive in archives.values():
        archive.close()


if __name__ == "__main__":
    main()
