"""Warm `ask` latency of two or more source trees on one index, interleaved, and whether they answer alike.

    .venv/bin/python -m bench.ask_interleaved --index DIR --variant before=/path/to/tree --variant after=.
        [--questions scifact|xquad] [--queries 100] [--warmup 10] [--block 10] [--pause 1.0]

Each variant is a worker process running `archive` from its own tree (PYTHONPATH), with the
index opened and the model loaded; the workers take turns, a block of questions each (asked
back to back, as bench.speed asks them) in rotating order, so they never run at once and share
the machine's load alike. Between turns the harness pauses: a process's idle BLAS threads spin
for a while after its last product, and must not slow the next worker's turn. A worker times
`Archive.ask(question, k=5)` in process. Prints p50 / p95 / mean per variant, the ratios to
the first variant, `uptime`, and every question whose answers differ: cited sentences (article,
span), hits in order, or a score by more than 1e-6.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SCORE_TOLERANCE = 1e-6


def worker(index: str) -> None:
    """Answer the questions sent on stdin, one JSON line each: its milliseconds and its answer."""
    from archive import Archive, Settings

    archive = Archive.open(index, settings=Settings.from_env(embedding_cache="off"))
    archive.load_model()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        question = json.loads(line)
        started = time.perf_counter()
        answer = archive.ask(question, k=5)
        seconds = time.perf_counter() - started
        print(json.dumps({"ms": 1000 * seconds, "answer": signature(answer)}), flush=True)


def signature(answer: Any) -> dict[str, Any]:
    return {
        "answered": answer.answered,
        "citations": [[c.article_id, c.start, c.end, c.score] for c in answer.citations],
        "hits": [[h.article_id, h.score] for h in answer.hits],
        "confidence": answer.confidence,
    }


def differences(first: dict[str, Any], other: dict[str, Any]) -> str:
    """What differs between two answers ("" when the same): ids, spans and order exactly, scores to 1e-6."""
    if first["answered"] != other["answered"]:
        return "answered"
    for part in ("citations", "hits"):
        a, b = first[part], other[part]
        if [x[:-1] for x in a] != [x[:-1] for x in b]:
            return f"{part}: {[x[:-1] for x in a]} vs {[x[:-1] for x in b]}"
        if any(abs(x[-1] - y[-1]) > SCORE_TOLERANCE for x, y in zip(a, b, strict=True)):
            return f"{part} scores differ by more than {SCORE_TOLERANCE}"
    if abs(first["confidence"] - other["confidence"]) > SCORE_TOLERANCE:
        return "confidence"
    return ""


def questions(kind: str, count: int, warmup: int) -> tuple[list[str], list[str]]:
    """(timed, warm-up) questions: SciFact claims as bench.speed takes them, or XQuAD-R questions."""
    from bench import datasets

    if kind == "scifact":
        texts = [q.text for q in datasets.scifact_queries()]
    else:
        with tempfile.TemporaryDirectory() as folder:
            texts = [q.question for q in datasets.xquad_corpus(Path(folder))[1]]
    return texts[:count], texts[-warmup:]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True)
    parser.add_argument("--variant", action="append", required=True, help="NAME=source tree; repeatable")
    parser.add_argument("--questions", choices=("scifact", "xquad"), default="scifact")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--block", type=int, default=10, help="questions a worker asks per turn")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between turns")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.index)
        return
    timed, warm = questions(args.questions, args.queries, args.warmup)
    workers: dict[str, subprocess.Popen[str]] = {}
    for spec in args.variant:
        name, _, tree = spec.partition("=")
        env = {**os.environ, "PYTHONPATH": str(Path(tree).resolve())}
        argv_worker = [sys.executable, __file__, "--worker", "--index", args.index, "--variant", spec]
        workers[name] = subprocess.Popen(argv_worker, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    for name, process in workers.items():
        assert process.stdout is not None
        if not process.stdout.readline():  # its error is on stderr
            raise SystemExit(f"the worker of {name} could not open the index")

    def ask(name: str, question: str) -> dict[str, Any]:
        process = workers[name]
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps(question) + "\n")
        process.stdin.flush()
        reply: dict[str, Any] = json.loads(process.stdout.readline())
        return reply

    names = list(workers)
    for question in warm:
        for name in names:
            ask(name, question)
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(), flush=True)
    latency: dict[str, list[float]] = {name: [] for name in names}
    answers: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for turn, start in enumerate(range(0, len(timed), args.block)):
        for name in names[turn % len(names) :] + names[: turn % len(names)]:
            time.sleep(args.pause)
            for question in timed[start : start + args.block]:
                reply = ask(name, question)
                latency[name].append(reply["ms"])
                answers[name].append(reply["answer"])
    differing = []
    for name in names[1:]:
        for question, first, other in zip(timed, answers[names[0]], answers[name], strict=True):
            found = differences(first, other)
            if found:
                differing.append(f"{question!r} ({name}): {found}")
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    base = percentile(latency[names[0]], 0.5)
    for name in names:
        values = latency[name]
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        mean = sum(values) / len(values)
        print(f"{name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, mean {mean:.1f} ms ({p50 / base:.2f}x the first's p50)")
    print(f"{len(timed)} questions; answers differing from {names[0]}'s: {len(differing)}")
    for line in differing:
        print("  " + line)
    for process in workers.values():
        assert process.stdin is not None
        process.stdin.close()
        process.wait()


if __name__ == "__main__":
    main(sys.argv[1:])
