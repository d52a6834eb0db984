"""Speed and memory: build, update, query latency, cold start, RSS and index size, 1x-16x SciFact.

    .venv/bin/python -m bench.speed [--scales 1,4,16] [--quick] [--out bench/out]

Every measurement runs in its own subprocess (a "worker"), so its peak resident memory is
that child's own `ru_maxrss` (read with `os.wait4`, i.e. the child's RUSAGE_CHILDREN entry)
and no figure inherits a warm model or page cache from another. Timings are medians after
a warm-up; query variants are interleaved (each query runs every variant, in rotating
order) so machine noise hits them alike. Results go to bench/out/speed.json (merged with
earlier runs, so `--scales 16` alone adds to a previous `--scales 1,4`) and to the section
"## Speed and memory" of bench/RESULTS.md.

Archives at 4x and 16x are SciFact replicas (`bench.scale.scifact_replicas`): new ids, a
title marked "(archive copy N)" and the text followed by N newlines (so the readers do not
drop them as duplicate texts; every sentence and passage string is unchanged). Their
passage and sentence embeddings come from the embedding cache; their title embeddings would
not (a passage vector joins its title's, bench.scale.embed_unmarked_titles), so by default these
builds embed the *unmarked* title (`--no-strip-marker` turns that off): every
replica then gets exactly the vectors of its original, from the cache, while Whoosh indexes
the marked titles. What the titles would cost without that is projected from the measured
embedding rate (see RESULTS.md).
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
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench import report as rp
from bench.speed_render import render, write_results
from bench.speed_tasks import Json, edit_record, loadavg, worker_main

OUT = Path(__file__).resolve().parent / "out"
COLD_QUESTION = "0-dimensional biomaterials show inductive properties."


COLD_BREAKDOWN = """
import json, sys, time
t0 = time.perf_counter()
from archive import Archive
t1 = time.perf_counter()
archive = Archive.open(sys.argv[1])
t2 = time.perf_counter()
archive.load_model()
t3 = time.perf_counter()
archive.ask(sys.argv[2])
t4 = time.perf_counter()
archive.ask(sys.argv[2] + " again")
t5 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "open": t2 - t1, "model_load": t3 - t2, "first_ask": t4 - t3,
                  "second_ask": t5 - t4}))
"""


def spawn(argv: Sequence[str], env: dict[str, str] | None = None, capture: bool = False) -> Json:
    """Run a child process; its wall time, exit status, peak RSS (wait4) and optionally stdout."""
    before = loadavg()
    with tempfile.TemporaryFile() as sink:
        started = time.perf_counter()
        proc = subprocess.Popen(list(argv), env=env, stdout=sink if capture else None)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        sink.seek(0)
        stdout = sink.read().decode("utf-8", "replace") if capture else ""
    return {
        "rc": proc.returncode,
        "wall_seconds": wall,
        "maxrss_kib": usage.ru_maxrss,
        "stdout": stdout,
        "loadavg_before": before,
        "loadavg_after": loadavg(),
    }


def fresh_env(speed: Path, **settings: str) -> dict[str, str]:
    """The environment of a timed fresh `archive` process: its bytecode cached, as an installed
    package's is, even where the shell sets PYTHONDONTWRITEBYTECODE (the warm-up run writes it,
    under SPEED/pycache rather than into the source tree)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("PYTHONPYCACHEPREFIX", str(speed / "pycache"))
    return env | settings


def run_worker(task: Json) -> Json:
    with tempfile.TemporaryDirectory() as tmp:
        task_file, result_file = Path(tmp) / "task.json", Path(tmp) / "result.json"
        task_file.write_text(json.dumps(task))
        print(f"[bench.speed] {task['kind']} {task.get('label', '')}  loadavg {loadavg()}", flush=True)
        ran = spawn([sys.executable, "-m", "bench.speed", "--worker", str(task_file), str(result_file)])
        if ran["rc"] != 0 or not result_file.exists():
            raise SystemExit(f"worker {task['kind']} failed with status {ran['rc']}")
        result: Json = json.loads(result_file.read_text())
    result["maxrss_kib"] = ran["maxrss_kib"]
    result["worker_wall_seconds"] = ran["wall_seconds"]
    result["loadavg_before"], result["loadavg_after"] = ran["loadavg_before"], ran["loadavg_after"]
    return result


def archive_cli() -> str:
    return str(Path(sys.executable).with_name("archive"))


def cold_start(index_dir: Path, repeats: int) -> Json:
    """`archive --index DIR ask "..."` from process start to exit (answer printed), warm page cache."""
    argv = [archive_cli(), "--index", str(index_dir), "ask", COLD_QUESTION]
    env = fresh_env(index_dir.parent, ARCHIVE_EMBEDDING_CACHE="off")
    spawn(argv, env, capture=True)  # warm-up: page cache, bytecode
    runs = [spawn(argv, env, capture=True) for _ in range(repeats)]
    if any(r["rc"] != 0 for r in runs):
        raise SystemExit(f"archive ask failed: {runs}")
    parts = [
        spawn([sys.executable, "-c", COLD_BREAKDOWN, str(index_dir), COLD_QUESTION], env, capture=True)
        for _ in range(repeats)
    ]
    breakdown = [json.loads(p["stdout"].strip().splitlines()[-1]) for p in parts]
    return {
        "seconds": [r["wall_seconds"] for r in runs],
        "median_seconds": rp.median(r["wall_seconds"] for r in runs),
        "maxrss_kib": max(r["maxrss_kib"] for r in runs),
        "breakdown_median": {key: rp.median(b[key] for b in breakdown) for key in breakdown[0]},
        "loadavg": [r["loadavg_before"] for r in runs],
    }


def cold_update(index_dir: Path, corpus: Path, cache: Path, repeats: int, seed: int) -> Json:
    """`archive --index DIR update FOLDER` after editing one record, process start to exit.

    The edit (one record's text, the file rewritten) comes before the clock starts; the first
    run warms the page cache and the bytecode and is not counted."""
    env = fresh_env(index_dir.parent, ARCHIVE_EMBEDDING_CACHE=str(cache))
    argv = [archive_cli(), "--index", str(index_dir), "update", str(corpus.parent)]
    total = sum(1 for _ in corpus.open(encoding="utf-8"))
    runs = []
    for rep in range(repeats + 1):
        edit_record(corpus, (seed + 31 * rep) % total, f"cli-{time.time_ns()}")
        ran = spawn(argv, env, capture=True)
        if ran["rc"] != 0:
            raise SystemExit(f"archive update failed: {ran}")
        if rep:  # the first one warms the page cache
            runs.append(ran)
    return {
        "seconds": [r["wall_seconds"] for r in runs],
        "median_seconds": rp.median(r["wall_seconds"] for r in runs),
        "maxrss_kib": max(r["maxrss_kib"] for r in runs),
        "loadavg": [r["loadavg_before"] for r in runs],
    }


def scale_corpus(speed: Path, scale: int, limit: int | None = None) -> Path:
    from bench.scale import scifact_replicas

    folder = speed / (f"data-x{scale}" + (f"-first{limit}" if limit else ""))
    target = folder / f"scifact-x{scale}.jsonl"
    if not target.exists():
        scifact_replicas(folder, scale, limit)
    return target


def ensure_built(
    speed: Path, corpus: Path, index_dir: Path, cache: Path, strip: bool, rebuild: bool, label: str
) -> Json:
    """Build `index_dir` unless a previous run built it (its figures are kept in build.json)."""
    record = index_dir.parent / f"{index_dir.name}.build.json"
    if not rebuild and record.exists() and (index_dir / "CURRENT").exists():
        kept: Json = json.loads(record.read_text())
        kept["reused_from_earlier_run"] = True
        return kept
    result = run_worker(
        {
            "kind": "scale_build",
            "label": label,
            "corpus_dir": str(corpus.parent),
            "index_dir": str(index_dir),
            "cache": str(cache),
            "strip_marker": strip,
        }
    )
    result["built_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    record.write_text(json.dumps(result, indent=1))
    return result


def measure_update(speed: Path, scale: int, cache: Path, args: argparse.Namespace) -> Json:
    """In-process and fresh-process updates after one article changed.

    At 1x on a dedicated copy of the corpus and index; at larger scales on the scale archive
    itself (one warm-up and one timed update: each rewrites every array of the generation).
    """
    if scale == 1:
        source = scale_corpus(speed, 1, args.limit)
        corpus = speed / "update-data" / source.name
        index_dir = speed / "index-update"
        if not corpus.exists() or args.rebuild:
            corpus.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, corpus)
        base = ensure_built(speed, corpus, index_dir, cache, False, args.rebuild, "update archive")
        warmup, repeats = 1, args.repeats
    else:
        corpus = scale_corpus(speed, scale, args.limit)
        index_dir = speed / (f"index-x{scale}" + (f"-first{args.limit}" if args.limit else ""))
        base = ensure_built(speed, corpus, index_dir, cache, not args.no_strip_marker, False, f"x{scale}")
        warmup, repeats = 1, 1
    update = run_worker(
        {
            "kind": "update",
            "label": f"x{scale}",
            "index_dir": str(index_dir),
            "corpus": str(corpus),
            "cache": str(cache),
            "warmup": warmup,
            "repeats": repeats,
            "seed": 11,
        }
    )
    update["articles"] = base["articles"]
    if scale == 1:
        print(f"[bench.speed] cold update  loadavg {loadavg()}", flush=True)
        update["cli"] = cold_update(index_dir, corpus, cache, args.repeats, seed=5)
    return update


def merge(old: Json, new: Json) -> Json:
    merged = dict(old)
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# ----- main --------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--cache", type=Path, default=None, help="embedding cache (default OUT/embeddings.sqlite)")
    parser.add_argument("--scales", default="1,4,16", help="SciFact replica counts, e.g. 1,4 (empty: none)")
    parser.add_argument("--quick", action="store_true", help="100-article build, 50 queries, 2 repeats")
    parser.add_argument("--build-articles", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--skip", default="", help="comma list of parts to skip: build,update,queries,cold")
    parser.add_argument("--update-scales", default="1", help="archives to time `update` on, e.g. 1,16")
    parser.add_argument("--rebuild", action="store_true", help="rebuild scale indexes a previous run left")
    parser.add_argument(
        "--no-strip-marker",
        action="store_true",
        help="embed replica titles with their marker (each replica embeds its titles again)",
    )
    parser.add_argument("--no-results", action="store_true", help="do not rewrite bench/RESULTS.md")
    parser.add_argument("--limit", type=int, default=None, help="abstracts per replica (smoke tests only)")
    parser.add_argument("--worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker_main(*args.worker)
        return
    if args.quick:
        args.build_articles, args.queries, args.repeats = min(args.build_articles, 100), min(args.queries, 50), 2
    out: Path = args.out
    speed = out / "speed"
    speed.mkdir(parents=True, exist_ok=True)
    cache: Path = args.cache or out / "embeddings.sqlite"
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    update_scales = [int(s) for s in args.update_scales.split(",") if s.strip()]
    command = "python -m bench.speed " + " ".join(argv if argv is not None else sys.argv[1:])
    loads: list[list[float]] = [loadavg()]
    new: Json = {"scales": {}}

    if "build" not in skip:
        new["build_floor"] = run_worker(
            {
                "kind": "build_floor",
                "label": f"first {args.build_articles}",
                "out": str(speed),
                "articles": args.build_articles,
                "repeats": args.repeats,
            }
        )
        loads.append(loadavg())
    for scale in scales:
        corpus = scale_corpus(speed, scale, args.limit)
        index_dir = speed / (f"index-x{scale}" + (f"-first{args.limit}" if args.limit else ""))
        entry: Json = {
            "build": ensure_built(speed, corpus, index_dir, cache, not args.no_strip_marker, args.rebuild, f"x{scale}")
        }
        loads.append(loadavg())
        if "queries" not in skip:
            entry["queries"] = run_worker(
                {
                    "kind": "queries",
                    "label": f"x{scale}",
                    "index_dir": str(index_dir),
                    "queries": args.queries,
                    "warmup": args.warmup,
                }
            )
            loads.append(loadavg())
        if "cold" not in skip:
            print(f"[bench.speed] cold start x{scale}  loadavg {loadavg()}", flush=True)
            entry["cold"] = cold_start(index_dir, args.repeats)
            loads.append(loadavg())
        new["scales"][str(scale)] = entry
    if "update" not in skip:
        new["updates"] = {}
        for scale in update_scales:
            new["updates"][str(scale)] = measure_update(speed, scale, cache, args)
            loads.append(loadavg())

    loads.append(loadavg())
    new["meta"] = {
        "command": command,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} CPU cores, no GPU",
        "loadavg_samples": loads,
        "loadavg_summary": f"1-min {min(x[0] for x in loads if x):.2f}–{max(x[0] for x in loads if x):.2f}",
    }
    json_path = out / "speed.json"
    old: Json = json.loads(json_path.read_text()) if json_path.exists() else {}
    results = merge(old, new)
    json_path.write_text(json.dumps(results, indent=1))
    section = render(results, "python -m bench.speed" + (" " + " ".join(argv or sys.argv[1:])).rstrip())
    print("\n" + section)
    if not args.no_results:
        write_results(section)


if __name__ == "__main__":
    main()
