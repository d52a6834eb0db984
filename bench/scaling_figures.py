"""The measured inputs of docs/scaling.md's cost model, on this machine.

    python -m bench.scaling_figures --index /work/benchout-new/index-scifact-x1 --out bench/out/scaling.json

- bytes of each index file per article, passage and sentence (any built index, sharded or not);
- one shard's search time at its size, per plan (score fusion over an exact scan, the same
  with the coarse pass forced, BM25 alone), with query vectors made beforehand: what an actor
  spends per query, without the question's encoding, which the coordinator does once;
- the merge's time for N shards' hits (index/merge.py), the coordinator's cost per shard;
- embedding throughput of one process on one and on all cores (ONNX, fp32), a build's cost.

Timings: one warm-up pass, then the median (and p90) over queries of each query's median
over `--repeat` runs. The load average is recorded beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from bench import datasets
from index import analysis, layout
from index.embedder import Embedder
from index.merge import merge_ranked
from index.query import RetrievalOptions, ShardQuery
from index.shard_search import Ranked, ShardSearcher
from index.snapshot import Snapshot


def file_bytes(index_dir: Path) -> dict[str, object]:
    """Bytes of each file kind over the live index's generations, and per article, passage and sentence."""
    top = layout.current_top(index_dir)
    folders = sorted(index_dir.glob("shard-*/gen-*")) if layout.is_shard_set(top) else [top]
    if layout.is_shard_set(top):  # only the generations the live set names
        names = json.loads((top / "shards.json").read_text("utf-8"))["shards"]
        folders = [index_dir / (ref[0] if isinstance(ref, list) else ref["folder"]) for ref in names]
    sizes: dict[str, int] = {}
    articles = passages = sentences = 0
    for folder in folders:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        articles += len(manifest["articles"])
        passages += manifest["passages"]
        sentences += manifest["sentences"]
        for path in folder.rglob("*"):
            if path.is_file():
                kind = "whoosh/" if "whoosh" in path.parts else path.name
                sizes[kind] = sizes.get(kind, 0) + path.stat().st_size
    total = sum(sizes.values())
    return {
        "articles": articles,
        "passages": passages,
        "sentences": sentences,
        "bytes": dict(sorted(sizes.items(), key=lambda kv: -kv[1])),
        "total_bytes": total,
        "bytes_per_article": {k: round(v / articles, 1) for k, v in sizes.items()} | {"total": round(total / articles)},
        "bytes_per_passage_total": round(total / passages),
    }


def _timed(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"p50_ms": round(statistics.median(ordered), 2), "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 2)}


def shard_search(index_dir: Path, embedder: Embedder, queries: int, repeat: int) -> dict[str, object]:
    snapshot = Snapshot(layout.current_top(index_dir))
    searcher = ShardSearcher(snapshot)
    texts = [q.text for q in datasets.scifact_queries()[:queries]]
    vectors = embedder.encode(texts)
    options = RetrievalOptions()
    plans = {"fused exact scan": ("fused", False), "fused coarse pass": ("fused", True), "bm25": ("bm25", False)}
    result: dict[str, object] = {"passages": snapshot.manifest.passages, "queries": len(texts)}
    for name, (plan, coarse) in plans.items():
        made = [
            ShardQuery(t, tuple(analysis.unique_terms(t)), v, plan, 8, coarse, options)
            for t, v in zip(texts, vectors, strict=True)
        ]
        for query in made:  # warm-up: pages in, caches filled
            searcher.search(query, None, None)
        result[name] = _summary([_timed(partial(searcher.search, q, None, None), repeat) for q in made])
    searcher.close()
    return result


def merge_cost(repeat: int) -> dict[str, object]:
    """merge_ranked over N shards' hits: 8 rows each (exact plan), or 4,000 coarse candidates each."""
    rng = np.random.default_rng(0)
    result: dict[str, object] = {}
    for shards in (2, 8, 32, 128):
        for label, rows, coarse in (("top 8 each", 8, False), ("4,000 coarse candidates each", 4000, True)):
            parts = []
            for s in range(shards):
                scores = np.sort(rng.random(rows))[::-1]
                extra = {"coarse": rng.random(rows), "bm25_pick": rng.random(rows)} if coarse else {}
                parts.append(Ranked(np.arange(rows, dtype=np.int64) + s * rows, scores, **extra))
            maps: list[None] = [None] * shards

            def merge(p: list[Ranked] = parts, m: list[None] = maps) -> object:
                return merge_ranked(p, m, 8)

            result[f"{shards} shards, {label}"] = round(_timed(merge, repeat), 3)
    return result


def embedding(index_dir: Path, thread_counts: tuple[int, ...], count: int) -> dict[str, object]:
    """Texts embedded per second: the index's first `count` passages and `count` sentences, as a build embeds them."""
    snapshot = Snapshot(layout.current_top(index_dir))
    passages, sentences = [], []
    for row in range(count):
        ref = snapshot.passage(row)
        text = snapshot.article(ref.article.article_id).text
        passages.append(text[ref.start : ref.end])
    for entry in snapshot.manifest.articles:
        text = snapshot.article(entry.article_id).text
        for row in snapshot.sentence_rows(entry.article_id):
            start, end = snapshot.sentence_span(row)
            sentences.append(text[start:end])
        if len(sentences) >= count:
            break
    snapshot.close()
    result: dict[str, object] = {}
    for threads in thread_counts:
        model = Embedder(threads=threads)
        model.load()
        model.encode(passages[:32])  # warm-up
        for kind, texts in (("passages", passages), ("sentences", sentences[:count])):
            started = time.perf_counter()
            model.encode(texts)
            result[f"{kind}/s, {threads} thread(s)"] = round(len(texts) / (time.perf_counter() - started), 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, nargs="+", required=True, help="built indexes to measure")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--embed-texts", type=int, default=400)
    args = parser.parse_args()
    embedder = Embedder()
    embedder.load()
    figures: dict[str, object] = {"load_before": os.getloadavg()}
    figures["files"] = {str(index): file_bytes(index) for index in args.index}
    figures["shard_search"] = shard_search(args.index[0], embedder, args.queries, args.repeat)
    figures["merge_ms"] = merge_cost(args.repeat * 3)
    figures["embedding"] = embedding(args.index[0], (1, os.cpu_count() or 1), args.embed_texts)
    figures["load_after"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
