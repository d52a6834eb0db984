"""Micro-benchmark: the dense leg's exhaustive scan (index.vectors.top_k) against cheaper layouts.

    .venv/bin/python -m bench.experiments.dense_scan --index bench/out/speed/index-x16 [--queries 200]

Done: written at dd27d9c; its readings led to the 64-dimension coarse pass (index/coarse.py,
36b3023) instead of any layout here, and were not recorded in RESULTS.md, which gives the exact
scan's cost at 1x and 16x ("dense scan" in the speed section).

The scan reads every passage vector per query (memory-bound: 384 float32 = 1.5 KiB a
passage). Variants, run interleaved over the same SciFact query vectors:

- `numpy f32`: the current `index.vectors.top_k` on the memory-mapped array;
- `torch f32`: the same product through torch (`torch.mv` + `torch.topk`);
- `torch bf16`: the vectors held as bfloat16 (half the bytes), product accumulated by torch;
- `numpy f16 → f32 blocks`: float16 on disk, upcast in blocks of 8,192 rows for sgemv;
- `IVF`: an inverted-file prototype (spherical k-means lists, only the nearest lists scanned).

Reports p50/p95 per variant and its recall of the exact top 100 (the share of returned rows
whose exact score reaches the exact 100th score, so ties between duplicates count as hits).
Writes OUT/dense_scan.json.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch

from archive import Archive, Settings
from bench import datasets
from bench import report as rp
from index import layout, vectors
from index.snapshot import Snapshot

OUT = Path(__file__).resolve().parent.parent / "out"
DEPTH = 100
BLOCK = 8192

Ranked = list[tuple[int, float]]


def torch_top_k(matrix: torch.Tensor, query: npt.NDArray[np.float32], k: int) -> Ranked:
    q = torch.from_numpy(query).to(matrix.dtype)
    scores = torch.nn.functional.linear(q[None, :], matrix)[0].float()
    values, rows = torch.topk(scores, min(k, scores.shape[0]))
    return [(int(r), float(v)) for r, v in zip(rows.tolist(), values.tolist(), strict=True)]


def blocked_f16_top_k(matrix: npt.NDArray[np.float16], query: npt.NDArray[np.float32], k: int) -> Ranked:
    scores = np.empty(matrix.shape[0], dtype=np.float32)
    for start in range(0, matrix.shape[0], BLOCK):
        scores[start : start + BLOCK] = matrix[start : start + BLOCK].astype(np.float32) @ query
    k = min(k, len(scores))
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.argsort(-scores[best], kind="stable")]
    return [(int(r), float(scores[r])) for r in best]


class CoarseIndex:
    """Inverted-file (IVF) prototype: spherical k-means lists, the vectors stored list by list.

    A query scores the centroids, then scans only the `probes` nearest lists: a few percent
    of the passages instead of all of them, at some loss of recall.
    """

    def __init__(self, matrix: npt.NDArray[np.float32], lists: int, iterations: int = 8, sample: int = 60_000) -> None:
        started = time.perf_counter()
        rng = np.random.default_rng(0)
        n = matrix.shape[0]
        picked = np.sort(rng.choice(n, size=min(sample, n), replace=False))
        train = np.asarray(matrix[picked], dtype=np.float32)
        centroids = train[rng.choice(len(train), size=lists, replace=False)].copy()
        for _ in range(iterations):
            assign = np.argmax(train @ centroids.T, axis=1)
            sums = np.zeros_like(centroids)
            np.add.at(sums, assign, train)
            empty = np.linalg.norm(sums, axis=1) == 0
            sums[empty] = train[rng.choice(len(train), size=int(empty.sum()), replace=False)]
            centroids = sums / np.linalg.norm(sums, axis=1, keepdims=True)
        assign = np.empty(n, dtype=np.int32)
        for start in range(0, n, 65_536):
            assign[start : start + 65_536] = np.argmax(matrix[start : start + 65_536] @ centroids.T, axis=1)
        self.order = np.argsort(assign, kind="stable").astype(np.int64)
        self.offsets = np.zeros(lists + 1, dtype=np.int64)
        np.cumsum(np.bincount(assign, minlength=lists), out=self.offsets[1:])
        self.vectors = np.ascontiguousarray(matrix[self.order])
        self.centroids = centroids.astype(np.float32)
        self.build_seconds = time.perf_counter() - started

    def top_k(self, query: npt.NDArray[np.float32], k: int, probes: int) -> Ranked:
        nearest = np.argpartition(-(self.centroids @ query), probes - 1)[:probes]
        parts = [(int(self.offsets[c]), int(self.offsets[c + 1])) for c in nearest]
        scores = np.concatenate([self.vectors[a:b] @ query for a, b in parts])
        positions = np.concatenate([np.arange(a, b) for a, b in parts])
        k = min(k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(self.order[positions[i]]), float(scores[i])) for i in best]


def score_recall(exact_scores: npt.NDArray[np.float32], ranked: Ranked, k: int) -> float:
    threshold = np.sort(exact_scores)[-k]
    return sum(1 for row, _ in ranked[:k] if exact_scores[row] >= threshold - 1e-6) / k


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--lists", type=int, default=0, help="IVF lists (default 2*sqrt(passages))")
    parser.add_argument("--probes", type=int, nargs="+", default=[8, 16, 32])
    args = parser.parse_args(argv)
    archive = Archive.open(args.index, settings=Settings.from_env(embedding_cache="off"))
    archive.load_model()
    snapshot = Snapshot(layout.current_generation(args.index))
    mapped = snapshot.passage_vectors
    queries = datasets.scifact_queries()
    texts = [q.text for q in queries[: args.queries]]
    warm = [q.text for q in queries[-args.warmup :]]
    qv = {t: archive.embedder.encode_one(t) for t in texts + warm}
    as_f32 = torch.from_numpy(np.array(mapped))
    as_bf16 = as_f32.to(torch.bfloat16)
    as_f16 = np.asarray(mapped, dtype=np.float16)
    lists = args.lists or max(16, int(2 * np.sqrt(mapped.shape[0])))
    coarse = CoarseIndex(np.asarray(mapped), lists)
    print(f"IVF: {lists} lists built in {coarse.build_seconds:.1f} s", flush=True)
    variants: dict[str, Callable[[str], Ranked]] = {
        "numpy f32 (current)": lambda t: vectors.top_k(mapped, qv[t], DEPTH),
        "torch f32": lambda t: torch_top_k(as_f32, qv[t], DEPTH),
        "torch bf16": lambda t: torch_top_k(as_bf16, qv[t], DEPTH),
        "numpy f16 -> f32 blocks": lambda t: blocked_f16_top_k(as_f16, qv[t], DEPTH),
    }

    def probing(probes: int) -> Callable[[str], Ranked]:
        return lambda t: coarse.top_k(qv[t], DEPTH, probes)

    for probes in args.probes:
        variants[f"IVF {lists} lists, {probes} probed"] = probing(probes)
    names = list(variants)
    for t in warm:
        for name in names:
            variants[name](t)
    seconds: dict[str, list[float]] = {n: [] for n in names}
    recall: dict[str, list[float]] = {n: [] for n in names}
    for i, t in enumerate(texts):
        exact = np.asarray(mapped @ qv[t], dtype=np.float32)
        for name in rp.rotated(names, i):
            started = time.perf_counter()
            ranked = variants[name](t)
            seconds[name].append(time.perf_counter() - started)
            recall[name].append(score_recall(exact, ranked, DEPTH))
    base = rp.latency(seconds[names[0]])["p50_ms"]
    rows, result = [], {}
    for name in names:
        lat = rp.latency(seconds[name])
        result[name] = {**lat, "recall@100": float(np.mean(recall[name]))}
        rows.append(
            [
                name,
                f"{lat['p50_ms']:.2f} / {lat['p95_ms']:.2f}",
                f"{base / lat['p50_ms']:.2f}x",
                f"{np.mean(recall[name]):.4f}",
            ]
        )
    meta = {
        "passages": int(mapped.shape[0]),
        "ivf_lists": lists,
        "ivf_build_seconds": coarse.build_seconds,
        "queries": len(texts),
        "torch_threads": torch.get_num_threads(),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "dense_scan.json").write_text(json.dumps({"meta": meta, "variants": result}, indent=1))
    print(f"{meta['passages']:,} passages, {meta['queries']} queries, load {meta['loadavg']}")
    print(rp.markdown_table(["dense scan variant", "p50 / p95 ms", "speed-up vs current", "recall@100"], rows))


if __name__ == "__main__":
    main()
