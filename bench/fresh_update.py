"""A fresh `archive update` process after one article's text changed, side by side, interleaved.

    .venv/bin/python -m bench.fresh_update --index DIR --corpus FILE.jsonl --work DIR
        [--repeats 5] [--variant onnx] [--variant torch] [--variant onnx@/path/to/other/source]

The index and its JSONL corpus are copied into WORK once per variant (never updated in place:
each variant updates its own copy, a generation it wrote itself, as in use); one untimed update
settles each copy (its paths differ from the original's), then every round edits one record of
each copy (a sentence appended, the file rewritten: bench.speed_tasks.edit_record; a record
of its own each time, so no variant finds another's text in the shared embedding cache) and
times one `archive --index ... update ...` process per variant, from start to exit, in
rotating order. A variant is a backend, optionally `@` the source tree it runs (PYTHONPATH),
e.g. the commit before a change for a before/after figure. Bytecode is cached as in an
installed package (bench.speed.fresh_env). Prints medians of wall and CPU (user + system)
seconds and `uptime`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.speed import archive_cli, fresh_env
from bench.speed_tasks import edit_record


def run_update(work: Path, copy: Path, variant: str) -> tuple[float, float]:
    """One fresh update process of the index and corpus in `copy`: (wall seconds, CPU seconds)."""
    backend, _, source = variant.partition("@")
    settings = {"ARCHIVE_BACKEND": backend, "ARCHIVE_EMBEDDING_CACHE": str(work / "embeddings.sqlite")}
    env = fresh_env(work, **settings)  # bytecode under WORK/pycache, by each source file's full path
    if source:
        env["PYTHONPATH"] = source
    argv = [archive_cli(), "--index", str(copy / "index"), "update", str(copy / "data")]
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if status:
        problem = child.stderr.read().decode()[-2000:] if child.stderr else ""
        raise SystemExit(f"{variant}: archive update failed: {problem}")
    return wall, usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True, help="an index built from --corpus (copied)")
    parser.add_argument("--corpus", type=Path, required=True, help="the JSONL file it was built from (copied)")
    parser.add_argument("--work", type=Path, required=True, help="folder for the copies")
    parser.add_argument("--cache", type=Path, default=None, help="embedding cache to copy (default: none)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--variant", action="append", default=None, help="backend[@source tree]; repeatable")
    args = parser.parse_args(argv)
    variants: list[str] = args.variant or ["onnx"]
    work: Path = args.work
    copies = {variant: work / f"copy-{number}" for number, variant in enumerate(variants)}
    if args.cache is not None and not (work / "embeddings.sqlite").exists():
        work.mkdir(parents=True, exist_ok=True)
        shutil.copy2(args.cache, work / "embeddings.sqlite")
    for variant, copy in copies.items():
        if not (copy / "index").exists():
            shutil.copytree(args.index, copy / "index", symlinks=True)
            (copy / "data").mkdir(parents=True, exist_ok=True)
            shutil.copy2(args.corpus, copy / "data" / args.corpus.name)
            run_update(work, copy, variant)  # settle: the copy's paths differ from the original's
    total = sum(1 for _ in args.corpus.open(encoding="utf-8"))
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(), flush=True)
    runs: dict[str, list[tuple[float, float]]] = {v: [] for v in variants}
    edits = 0
    for repeat in range(args.repeats + 1):  # the first round warms the page cache and bytecode
        for variant in variants[repeat % len(variants) :] + variants[: repeat % len(variants)]:
            edits += 1
            corpus = copies[variant] / "data" / args.corpus.name
            edit_record(corpus, (7 + 131 * edits) % total, f"fresh-{time.time_ns()}")
            timed = run_update(work, copies[variant], variant)
            if repeat:
                runs[variant].append(timed)
    for variant, timings in runs.items():
        walls = [round(w, 2) for w, _ in timings]
        print(
            f"{variant}: wall median {statistics.median(w for w, _ in timings):.2f} s, "
            f"CPU median {statistics.median(c for _, c in timings):.2f} s, walls {walls}"
        )
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main(sys.argv[1:])
