"""ONNX Runtime vs torch, side by side: cold start, query latency, throughput, agreement.

    nice -n 5 .venv/bin/python -m bench.onnx_speed [--repeats 5] [--articles 200] [--out bench/out]

Measures, in one run and on one machine state (the load average is recorded before and after):
- cold `archive ask` (a fresh `archive` process per run) with ARCHIVE_BACKEND=onnx and =torch,
  and `python -c "import torch"` alone, interleaved in rotating order, medians of --repeats;
- a fresh `archive update` process after one article changed, both backends, interleaved;
- query encoding (`Embedder.encode_one`) p50/p95 per backend and thread count, each in its own
  process (torch's thread setting is process-wide);
- batch throughput in texts/s, both backends, fp32 and int8, and the dense nDCG@10 of those vectors
  (SciFact queries ranking the abstracts, each whole: a relative figure for int8 vs fp32);
- max/min cosine between the backends' vectors on SciFact queries and abstracts.
The archive is --articles SciFact abstracts (the first --queries train queries' relevant ones,
then others; one .txt file each), built with onnx.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench import report as rp
from bench.datasets import SCIFACT, RetrievalQuery, scifact_queries
from bench.eval import ndcg_at_10
from bench.speed_tasks import edit_record

OUT = Path(__file__).resolve().parent / "out"
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUESTION = "0-dimensional biomaterials show inductive properties."
BACKENDS = ("onnx", "torch")


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def scifact(articles: int, queries: int) -> tuple[list[str], list[str], list[str], list[RetrievalQuery]]:
    """(abstract ids, abstract texts, query texts, queries): the first `queries` SciFact train
    queries, and their relevant abstracts topped up with others to `articles`."""
    chosen = scifact_queries()[:queries]
    rows = [json.loads(line) for line in (SCIFACT / "corpus.jsonl").open(encoding="utf-8")]
    wanted = {doc for q in chosen for doc in q.relevant}
    picked = [r for r in rows if r["_id"] in wanted]
    picked += [r for r in rows if r["_id"] not in wanted][: max(0, articles - len(picked))]
    texts = [f"{r['title']}\n\n{r['text']}" for r in picked]
    return [r["_id"] for r in picked], texts, [q.text for q in chosen], chosen


def dense_ndcg(query_vectors: Any, abstract_vectors: Any, ids: list[str], queries: list[RetrievalQuery]) -> float:
    """Mean nDCG@10 of ranking the abstracts by cosine to each query."""
    order = np.argsort(-(query_vectors @ abstract_vectors.T), axis=1, kind="stable")[:, :10]
    return float(
        np.mean([ndcg_at_10([ids[j] for j in row], q.relevant) for row, q in zip(order, queries, strict=True)])
    )


def timed(command: list[str], backend: str | None) -> float:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    if backend is not None:
        env["ARCHIVE_BACKEND"] = backend
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def cold_starts(index: Path, folder: Path, repeats: int) -> dict[str, Any]:
    """Cold ask per backend, `import torch` alone, and a one-article update per backend; interleaved."""
    archive = str(BIN / "archive")
    variants = {
        "ask onnx": ([archive, "--index", str(index), "ask", QUESTION], "onnx"),
        "ask torch": ([archive, "--index", str(index), "ask", QUESTION], "torch"),
        "import torch": ([sys.executable, "-c", "import torch"], None),
        "update onnx": ([archive, "--index", str(index), "update", str(folder)], "onnx"),
        "update torch": ([archive, "--index", str(index), "update", str(folder)], "torch"),
    }
    changed = sorted(folder.iterdir())[0]
    original = changed.read_text(encoding="utf-8")
    runs: dict[str, list[float]] = {name: [] for name in variants}
    for repeat in range(repeats + 1):  # the first round warms the page cache and is dropped
        for name in rp.rotated(list(variants), repeat):
            if name.startswith("update"):  # one article changed since the last update
                if changed.suffix == ".jsonl":  # a corpus file: its first record is the article changed
                    edit_record(changed, 0, f"{repeat} {name}")
                else:
                    changed.write_text(original + f"\n\nRevision {repeat} {name}.", encoding="utf-8")
            seconds = timed(*variants[name])
            if repeat:
                runs[name].append(seconds)
    result: dict[str, Any] = {name: {"median_s": rp.median(v), "runs_s": v} for name, v in runs.items()}
    result["ask speed-up"] = result["ask torch"]["median_s"] / result["ask onnx"]["median_s"]
    return result


WORKER_ENCODE = """
import json, sys, time
from index.embedder import Embedder
backend, threads, quantize = sys.argv[1], int(sys.argv[2]), sys.argv[3]
queries = json.loads(sys.stdin.read())
model = Embedder(backend=backend, threads=threads, quantize=quantize)
for q in queries[:10]:
    model.encode_one(q)
seconds = []
for q in queries:
    t = time.perf_counter(); model.encode_one(q); seconds.append(time.perf_counter() - t)
print(json.dumps(seconds))
"""

WORKER_BATCH = """
import json, sys, time
import numpy as np
from index.embedder import Embedder
from index.onnx_encoder import BULK_TEXTS
backend, quantize = sys.argv[1], sys.argv[2]
texts = json.loads(sys.stdin.read())
model = Embedder(backend=backend, quantize=quantize)
model.encode(texts[: BULK_TEXTS + 1])  # opens the side-by-side session before timing
t = time.perf_counter(); vectors = model.encode(texts); elapsed = time.perf_counter() - t
np.save(sys.argv[3], vectors)
print(json.dumps({"seconds": elapsed, "texts_per_s": len(texts) / elapsed}))
"""


def worker(script: str, args: list[str], payload: list[str]) -> Any:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], input=json.dumps(payload), capture_output=True, text=True,
        check=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def query_latency(queries: list[str], thread_counts: list[int]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for threads in thread_counts:
        for backend in BACKENDS:
            for quantize in ("off", "int8"):
                seconds = worker(WORKER_ENCODE, [backend, str(threads), quantize], queries)
                result[f"{backend} {quantize} threads={threads}"] = rp.latency(seconds)
    return result


def throughput(
    texts: list[str], scratch: Path, ids: list[str], queries: list[RetrievalQuery]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Texts/s per backend and precision (with the abstract-level dense nDCG@10 of its vectors:
    `texts` are the queries then the abstracts), and the cosines between the backends' vectors."""
    speeds: dict[str, Any] = {}
    vectors: dict[str, Any] = {}
    for quantize in ("off", "int8"):
        for backend in BACKENDS:
            name = f"{backend} {quantize}"
            target = scratch / f"{backend}-{quantize}.npy"
            speeds[name] = worker(WORKER_BATCH, [backend, quantize, str(target)], texts)
            vectors[name] = np.load(target)
            n = len(queries)
            speeds[name]["ndcg_at_10"] = dense_ndcg(vectors[name][:n], vectors[name][n:], ids, queries)
    agreement = {}
    for first, second in (("onnx off", "torch off"), ("onnx int8", "torch off"), ("onnx int8", "torch int8")):
        cosines = np.sum(vectors[first] * vectors[second], axis=1)
        agreement[f"{first} vs {second}"] = {"min": float(cosines.min()), "max": float(cosines.max())}
    return speeds, agreement


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--threads", default="1,2", help="thread counts for query latency")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--index", type=Path, help="time cold starts on a copy of this built index (e.g. SciFact x1) instead"
    )
    parser.add_argument("--folder", type=Path, help="with --index: the folder it was built from (copied too)")
    parser.add_argument("--cold-only", action="store_true", help="skip query latency, throughput and agreement")
    args = parser.parse_args(argv)
    if (args.index is None) != (args.folder is None):
        parser.error("--index and --folder go together")
    ids, abstracts, queries, judged = scifact(args.articles, args.queries)
    report: dict[str, Any] = {"cores": len(os.sched_getaffinity(0)), "load_before": loadavg()}
    with tempfile.TemporaryDirectory(prefix="onnx-speed-") as tmp:
        scratch = Path(tmp)
        folder = scratch / "articles"
        if args.index is not None:  # copies: the update runs change the folder and the index
            shutil.copytree(args.folder, folder)
            shutil.copytree(args.index, scratch / "index")
            report["index"] = str(args.index)
        else:
            folder.mkdir()
            for i, text in enumerate(abstracts):
                (folder / f"{i:05d}.txt").write_text(text, encoding="utf-8")
            started = time.perf_counter()
            subprocess.run(
                [BIN / "archive", "--index", scratch / "index", "build", folder],
                check=True, capture_output=True, cwd=ROOT,
            )  # fmt: skip
            report["build_onnx_s"] = time.perf_counter() - started
        report["cold"] = cold_starts(scratch / "index", folder, args.repeats)
        if not args.cold_only:
            report["query_encode"] = query_latency(queries, [int(t) for t in args.threads.split(",")])
            report["throughput"], report["agreement"] = throughput(queries + abstracts, scratch, ids, judged)
    report["load_after"] = loadavg()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "onnx_speed.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    if args.cold_only:
        print(json.dumps(report, indent=1))
        return 0
    print(render(report, len(queries), len(abstracts)))
    return 0


def render(report: dict[str, Any], queries: int, abstracts: int) -> str:
    cold = report["cold"]
    lines = [
        f"cores {report['cores']}, load average before {report['load_before']}, after {report['load_after']}",
        f"build of {abstracts} SciFact abstracts with onnx: {report['build_onnx_s']:.1f} s",
        "",
        rp.markdown_table(
            ["fresh process", "median s", "runs s"],
            [
                [name, f"{v['median_s']:.2f}", " ".join(f"{s:.2f}" for s in v["runs_s"])]
                for name, v in cold.items()
                if isinstance(v, dict)
            ],
        ),
        f"cold ask: torch / onnx = {cold['ask speed-up']:.1f}x",
        "",
        rp.markdown_table(
            ["encode_one", "p50 ms", "p95 ms"],
            [[k, f"{v['p50_ms']:.1f}", f"{v['p95_ms']:.1f}"] for k, v in report["query_encode"].items()],
        ),
        f"({queries} SciFact queries each, after 10 warm-up calls)",
        "",
        rp.markdown_table(
            ["batch encode", "texts/s", "dense nDCG@10"],
            [[k, f"{v['texts_per_s']:.0f}", f"{v['ndcg_at_10']:.3f}"] for k, v in report["throughput"].items()],
        ),
        f"({queries} queries + {abstracts} abstracts, the default batch size; "
        "nDCG@10 ranks those abstracts whole, not passages)",
        "",
        rp.markdown_table(
            ["cosine", "min", "max"],
            [[k, f"{v['min']:.6f}", f"{v['max']:.6f}"] for k, v in report["agreement"].items()],
        ),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
