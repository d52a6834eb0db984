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
sentence embeddings come from the embedding cache; their passage embeddings would not (a
passage is embedded under its title, archive.building.embedding_text), so by default these
builds embed passages under the *unmarked* title (`--no-strip-marker` turns that off): every
replica then gets exactly the vectors of its original, from the cache, while Whoosh indexes
the marked titles. What the passage embeddings would cost without that is projected from
the measured embedding rate (see RESULTS.md).
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
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report as rp

OUT = Path(__file__).resolve().parent / "out"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
COLD_QUESTION = "0-dimensional biomaterials show inductive properties."
Json = dict[str, Any]


def loadavg() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


# ===================================================================================
# Worker side: each task runs in a fresh interpreter and returns a JSON object.
# ===================================================================================


class StageClock:
    """A build progress callback that remembers the current stage (for recording embedder calls)."""

    def __init__(self) -> None:
        self.current = ""

    def reset(self) -> None:
        self.current = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.current = stage


# Build phases, timed by wrapping the functions archive.building calls (looked up at call time).
PHASES = (
    ("read", "archive.building", "read_folders"),
    ("plan", "archive.building", "_plan"),
    ("embed", "archive.building", "_embed"),
    ("whoosh", "archive.building", "_write_store"),
    ("stories", "archive.building", "_stories"),
    ("arrays", "archive.building", "_write_arrays"),
    ("publish", "index.layout", "publish"),
)


class PhaseTimer:
    """Seconds spent in each build phase since the last `reset` (phases the code lacks are skipped)."""

    def __init__(self, install: bool = True) -> None:
        import importlib

        self.seconds: dict[str, float] = {}
        for phase, module_name, attribute in PHASES if install else ():
            module = importlib.import_module(module_name)
            original = getattr(module, attribute, None)
            if original is not None:
                setattr(module, attribute, self._timed(phase, original))

    def _timed(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[phase] = self.seconds.get(phase, 0.0) + time.perf_counter() - started

        return timed

    def reset(self) -> None:
        self.seconds = {}

    def breakdown(self, total: float) -> dict[str, float]:
        """Per-phase seconds of a build that took `total` seconds; `other` is the remainder."""
        phases = {phase: self.seconds.get(phase, 0.0) for phase, _, _ in PHASES}
        phases["other"] = max(0.0, total - sum(phases.values()))
        return phases


def _recording_embedder(settings: Any, clock: StageClock | None = None) -> Any:
    """An Embedder that records what the build asks it to encode, and how long the model takes."""
    from index.embedder import Embedder

    class Recording(Embedder):
        def __init__(self) -> None:
            super().__init__(settings.model, settings.batch_size, settings.threads)
            self.clock = clock
            self.recording = False
            self.texts: dict[str, list[str]] = {}
            self.encode_seconds = 0.0

        def encode(self, texts: Sequence[str]) -> Any:
            started = time.perf_counter()
            result = super().encode(texts)
            if self.recording:
                self.encode_seconds += time.perf_counter() - started
                stage = self.clock.current if self.clock else ""
                self.texts.setdefault(stage, []).extend(texts)
            return result

    return Recording()


def _strip_marker_in_passage_embeddings() -> None:
    """Embed replica passages under their original title, so the embedding cache serves them."""
    import archive.building as building
    from bench.scale import unmarked

    original = building.embedding_text

    def embedding_text(title: str, passage: str) -> str:
        return original(unmarked(title), passage)

    building.embedding_text = embedding_text


def _generation_sizes(index_dir: Path) -> dict[str, int]:
    from index import layout

    folder = layout.current_generation(index_dir)
    sizes = {"whoosh": 0, "vectors": 0, "spans": 0, "articles": 0, "manifest": 0, "other": 0}
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        size = path.stat().st_size
        name = path.name
        if "whoosh" in path.relative_to(folder).parts:
            sizes["whoosh"] += size
        elif name.endswith("_vectors.npy"):
            sizes["vectors"] += size
        elif name.endswith("_spans.npy"):
            sizes["spans"] += size
        elif name == "articles.bin":
            sizes["articles"] += size
        elif name == "manifest.json":
            sizes["manifest"] += size
        else:
            sizes["other"] += size
    sizes["total"] = sum(sizes.values())
    return sizes


def _report_fields(report: Any) -> Json:
    return {
        "articles": report.articles,
        "passages": report.passages,
        "sentences": report.sentences,
        "seconds": report.seconds,
        "embed_seconds": report.embed_seconds,
        "embedded": report.embedded,
        "cache_hits": report.cache_hits,
        "added": len(report.added),
        "changed": len(report.changed),
        "removed": len(report.removed),
        "failed": len(report.failed),
    }


def task_build_floor(task: Json) -> Json:
    """Build the first N abstracts with the cache off, and embed the same texts alone, alternately."""
    from archive import Archive, Settings
    from bench import datasets

    out = Path(task["out"])
    corpus = datasets.scifact_corpus(out / f"data-first{task['articles']}", limit=task["articles"])
    warm_corpus = datasets.scifact_corpus(out / "data-first20", limit=20)
    settings = Settings.from_env(embedding_cache="off")
    clock = StageClock()
    phases = PhaseTimer()
    embedder = _recording_embedder(settings, clock)
    loaded = time.perf_counter()
    embedder.load()
    load_seconds = time.perf_counter() - loaded

    def build(corpus_file: Path, name: str) -> tuple[Json, dict[str, list[str]]]:
        index_dir = out / "build-floor" / name
        shutil.rmtree(index_dir, ignore_errors=True)
        clock.reset()
        phases.reset()
        embedder.texts, embedder.encode_seconds, embedder.recording = {}, 0.0, True
        archive = Archive.build(
            [corpus_file.parent], index_dir=index_dir, settings=settings, embedder=embedder, progress=clock
        )
        embedder.recording = False
        archive.close()
        built = archive.last_report
        assert built is not None
        row = _report_fields(built)
        row["stages"] = phases.breakdown(built.seconds)
        row["model_seconds_in_build"] = embedder.encode_seconds
        row["index_bytes"] = _generation_sizes(index_dir)["total"]
        shutil.rmtree(index_dir, ignore_errors=True)
        return row, embedder.texts

    def floor(texts: dict[str, list[str]]) -> Json:
        passages = texts.get("embedding passages", [])
        sentences = texts.get("embedding sentences", [])
        started = time.perf_counter()
        embedder.encode(passages)
        middle = time.perf_counter()
        embedder.encode(sentences)
        done = time.perf_counter()
        return {
            "passages": len(passages),
            "sentences": len(sentences),
            "passage_seconds": middle - started,
            "sentence_seconds": done - middle,
            "seconds": done - started,
        }

    _, warm_texts = build(warm_corpus, "warmup")
    floor(warm_texts)
    texts: dict[str, list[str]] = {}
    reps = []
    for rep in range(task["repeats"]):
        # Alternate which goes first so a load spike does not always hit the same side; the first
        # build records the texts that "embedding alone" then encodes.
        if rep % 2 == 0:
            built, recorded = build(corpus, f"rep{rep}")
            texts = texts or recorded
            alone = floor(texts)
        else:
            alone = floor(texts)
            built, _ = build(corpus, f"rep{rep}")
        built["floor"] = alone
        built["ratio"] = rp.ratio(built["seconds"], alone["seconds"])
        built["loadavg"] = loadavg()
        reps.append(built)
    return {"articles": task["articles"], "model_load_seconds": load_seconds, "reps": reps}


def task_scale_build(task: Json) -> Json:
    """One build of a (replicated) corpus through the embedding cache; the model is loaded first."""
    from archive import Archive, Settings
    from index.embedder import Embedder

    if task["strip_marker"]:
        _strip_marker_in_passage_embeddings()
    index_dir = Path(task["index_dir"])
    shutil.rmtree(index_dir, ignore_errors=True)
    settings = Settings.from_env(embedding_cache=task["cache"])
    embedder = Embedder(settings.model, settings.batch_size, settings.threads, settings.quantize)
    loaded = time.perf_counter()
    embedder.load()
    load_seconds = time.perf_counter() - loaded
    phases = PhaseTimer()
    started = time.perf_counter()
    archive = Archive.build([task["corpus_dir"]], index_dir=index_dir, settings=settings, embedder=embedder)
    wall = time.perf_counter() - started
    archive.close()
    built = archive.last_report
    assert built is not None
    row = _report_fields(built)
    row.update(
        wall_seconds=wall,
        model_load_seconds=load_seconds,
        stages=phases.breakdown(built.seconds),
        sizes=_generation_sizes(index_dir),
        strip_marker=task["strip_marker"],
    )
    return row


def _edit_record(corpus: Path, number: int, nonce: str) -> str:
    """Append a sentence to record `number` of a JSONL corpus (rewriting the file); returns its id."""
    lines = corpus.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[number])
    record["text"] = record["text"].rstrip() + f" This abstract was revised for benchmark run {nonce}."
    lines[number] = json.dumps(record, ensure_ascii=False)
    tmp = corpus.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(corpus)
    return str(record["id"])


def task_update(task: Json) -> Json:
    """`Archive.update` after one article changed, model loaded, the first one a warm-up."""
    from archive import Archive, Settings

    corpus = Path(task["corpus"])
    settings = Settings.from_env(embedding_cache=task["cache"])
    phases = PhaseTimer()
    archive = Archive.open(task["index_dir"], settings=settings)
    archive.load_model()
    total = sum(1 for _ in corpus.open(encoding="utf-8"))
    reps = []
    for rep in range(task["warmup"] + task["repeats"]):
        number = (task["seed"] + 977 * rep) % total
        article_id = _edit_record(corpus, number, f"{time.time_ns()}-{rep}")
        phases.reset()
        started = time.perf_counter()
        built = archive.update([corpus.parent])
        wall = time.perf_counter() - started
        row = _report_fields(built)
        row.update(
            article_id=article_id,
            wall_seconds=wall,
            warmup=rep < task["warmup"],
            stages=phases.breakdown(built.seconds),
            loadavg=loadavg(),
        )
        reps.append(row)
    archive.close()
    return {"reps": reps}


def task_queries(task: Json) -> Json:
    """Warm query latency per variant over the same queries, interleaved; the two BM25 engines compared."""
    from dataclasses import replace

    import numpy as np

    from archive import Archive, Settings
    from bench import datasets
    from bench.eval import ndcg_at_10
    from index import analysis, vectors

    settings = Settings.from_env(embedding_cache="off")
    opened = time.perf_counter()
    archive = Archive.open(task["index_dir"], settings=settings)
    open_seconds = time.perf_counter() - opened
    loaded = time.perf_counter()
    archive.load_model()
    load_seconds = time.perf_counter() - loaded
    # The design before the sidecar: Whoosh's BM25F query, fused by rank.
    before = Archive.open(
        task["index_dir"], settings=replace(settings, bm25_engine="whoosh", fusion="rrf"), embedder=archive.embedder
    )
    snapshot = archive._current()
    all_queries = datasets.scifact_queries()
    timed = all_queries[: task["queries"]]
    warm = all_queries[-task["warmup"] :]
    depth = settings.candidates
    query_vectors = {q.text: archive.embedder.encode_one(q.text) for q in timed + warm}

    variants: dict[str, Callable[[str], object]] = {
        "search_hybrid": lambda q: archive.search(q, k=10, mode="hybrid"),
        "search_bm25": lambda q: archive.search(q, k=10, mode="bm25"),
        "search_dense": lambda q: archive.search(q, k=10, mode="dense"),
        "ask": lambda q: archive.ask(q, k=5),
        "search_hybrid_whoosh_rrf": lambda q: before.search(q, k=10, mode="hybrid"),
        "ask_whoosh_rrf": lambda q: before.ask(q, k=5),
        "leg_bm25_whoosh": lambda q: snapshot.store.search(q, depth),
        "leg_bm25_sidecar": lambda q: snapshot.bm25.search(analysis.unique_terms(q), depth),
        "leg_encode": lambda q: archive.embedder.encode_one(q),
        "leg_dense_scan": lambda q: vectors.top_k(snapshot.passage_vectors, query_vectors[q], depth),
    }
    names = list(variants)
    for query in warm:
        for name in names:
            variants[name](query.text)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for i, query in enumerate(timed):
        for name in rp.rotated(names, i):
            started = time.perf_counter()
            variants[name](query.text)
            seconds[name].append(time.perf_counter() - started)

    # Do the engines rank alike?  Passage rows per query, and article-level nDCG@10 of each leg.
    overlap100: list[float] = []
    ndcg: dict[str, list[float]] = {"whoosh": [], "sidecar": []}
    for query in timed:
        side = [row for row, _ in snapshot.bm25.search(analysis.unique_terms(query.text), depth)]
        whoosh = [snapshot.passage_row(h.article_id, h.passage) for h in snapshot.store.search(query.text, depth)]
        overlap100.append(rp.overlap(whoosh, side, 100))
        for rows, name in ((whoosh, "whoosh"), (side, "sidecar")):
            ranking: list[str] = []
            for row in rows:
                article_id = snapshot.passage(row).article.article_id
                if article_id not in ranking:
                    ranking.append(article_id)
            ndcg[name].append(ndcg_at_10(ranking, query.relevant))

    m = snapshot.manifest
    sidecar_bytes = sum(size for name, size in m.files.items() if name.startswith("bm25_"))
    before.close()
    archive.close()
    return {
        "articles": len(m.articles),
        "passages": m.passages,
        "sentences": m.sentences,
        "open_seconds": open_seconds,
        "model_load_seconds": load_seconds,
        "queries": len(timed),
        "latency": {name: rp.latency(values) for name, values in seconds.items()},
        "sidecar": {
            "bytes": sidecar_bytes,
            "postings": m.bm25_postings,
            "terms": m.bm25_terms,
            "overlap@100": float(np.mean(overlap100)),
            "ndcg@10_whoosh": float(np.mean(ndcg["whoosh"])),
            "ndcg@10_sidecar": float(np.mean(ndcg["sidecar"])),
        },
        "torch_threads": __import__("torch").get_num_threads(),
        "loadavg": loadavg(),
    }


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

TASKS: dict[str, Callable[[Json], Json]] = {
    "build_floor": task_build_floor,
    "scale_build": task_scale_build,
    "update": task_update,
    "queries": task_queries,
}


def worker_main(task_file: Path, result_file: Path) -> None:
    task = json.loads(task_file.read_text())
    result = TASKS[task["kind"]](task)
    result["self_maxrss_kib"] = _self_maxrss()
    result_file.write_text(json.dumps(result, indent=1))


def _self_maxrss() -> int:
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


# ===================================================================================
# Parent side.
# ===================================================================================


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
    env = dict(os.environ, ARCHIVE_EMBEDDING_CACHE="off")
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
    """`archive --index DIR update FOLDER` after editing one record, process start to exit."""
    env = dict(os.environ, ARCHIVE_EMBEDDING_CACHE=str(cache))
    argv = [archive_cli(), "--index", str(index_dir), "update", str(corpus.parent)]
    total = sum(1 for _ in corpus.open(encoding="utf-8"))
    runs = []
    for rep in range(repeats + 1):
        _edit_record(corpus, (seed + 31 * rep) % total, f"cli-{time.time_ns()}")
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


# ----- the Markdown ------------------------------------------------------------------


def _mib(kib: float) -> str:
    return rp.fmt(kib / 1024, 0)


def render(results: Json, command: str) -> str:
    parts: list[str] = []
    meta = results.get("meta", {})
    parts.append(
        f"Measured with `{command}` on {meta.get('machine', 'this machine')}; "
        f"load average while running: {meta.get('loadavg_summary', 'n/a')}. Medians after warm-up; "
        "p50/p95 over the same queries for every variant, interleaved. Figures from "
        "bench/out/speed.json (written by the same command)."
    )
    floor = results.get("build_floor")
    if floor:
        reps = floor["reps"]
        secs = rp.median(r["seconds"] for r in reps)
        alone = rp.median(r["floor"]["seconds"] for r in reps)
        ratio = rp.median(r["ratio"] for r in reps)
        first = reps[0]
        stages = {key: rp.median(r["stages"][key] for r in reps) for key in first["stages"]}
        parts.append(
            f"### Build, first {floor['articles']} SciFact abstracts, embedding cache off (median of {len(reps)})"
        )
        parts.append(
            rp.markdown_table(
                [
                    "articles",
                    "passages",
                    "sentences",
                    "build s",
                    "articles/s",
                    "passages/s",
                    "embedding share",
                    "embedding alone s",
                    "build / embedding alone",
                ],
                [
                    [
                        str(first["articles"]),
                        str(first["passages"]),
                        str(first["sentences"]),
                        rp.fmt(secs),
                        rp.fmt(first["articles"] / secs),
                        rp.fmt(first["passages"] / secs),
                        f"{100 * rp.median(r['embed_seconds'] / r['seconds'] for r in reps):.1f} %",
                        rp.fmt(alone),
                        f"{ratio:.3f}",
                    ]
                ],
            )
        )
        parts.append(
            "Build phases (median s): "
            + ", ".join(f"{k} {v:.2f}" for k, v in stages.items())
            + f"; model forward passes inside the build "
            f"{rp.median(r['model_seconds_in_build'] for r in reps):.2f} s; "
            f"embedding alone: passages {rp.median(r['floor']['passage_seconds'] for r in reps):.2f} s "
            f"({first['floor']['passages']} texts), sentences "
            f"{rp.median(r['floor']['sentence_seconds'] for r in reps):.2f} s "
            f"({first['floor']['sentences']} texts). Per-rep ratios: "
            + ", ".join(f"{r['ratio']:.3f}" for r in reps)
            + "."
        )
    scales = results.get("scales", {})
    if scales:
        rows, legs = [], []
        threads = next((str(v["queries"]["torch_threads"]) for v in scales.values() if "queries" in v), "default")
        for key in sorted(scales, key=int):
            s = scales[key]
            b, q, c = s.get("build", {}), s.get("queries", {}), s.get("cold", {})
            lat = q.get("latency", {})

            def cell(name: str, lat: Json = lat) -> str:
                v = lat.get(name)
                return f"{v['p50_ms']:.1f} / {v['p95_ms']:.1f}" if v else "–"

            arts = b.get("articles", 0) or 1
            rows.append(
                [
                    f"{key}x",
                    f"{b.get('articles', 0):,}",
                    f"{b.get('passages', 0):,}",
                    rp.fmt(b.get("seconds")),
                    rp.fmt(b.get("sizes", {}).get("total", 0) / 2**20),
                    rp.fmt(b.get("sizes", {}).get("total", 0) / 2**20 / arts * 1000, 2),
                    _mib(b.get("maxrss_kib", 0)),
                    _mib(q.get("maxrss_kib", 0)),
                    cell("search_hybrid"),
                    cell("search_bm25"),
                    cell("search_dense"),
                    cell("ask"),
                    rp.fmt(c.get("median_seconds"), 2),
                ]
            )
            sc = q.get("sidecar", {})
            whoosh, side = lat.get("leg_bm25_whoosh"), lat.get("leg_bm25_sidecar")
            ask, ask_before = lat.get("ask"), lat.get("ask_whoosh_rrf")
            legs.append(
                [
                    f"{key}x",
                    cell("leg_bm25_whoosh"),
                    cell("leg_bm25_sidecar"),
                    f"{rp.ratio(whoosh['p50_ms'], side['p50_ms']):.0f}x" if whoosh and side else "–",
                    f"{sc.get('overlap@100', float('nan')):.3f}",
                    f"{sc.get('ndcg@10_whoosh', float('nan')):.3f} / {sc.get('ndcg@10_sidecar', float('nan')):.3f}",
                    cell("leg_encode"),
                    cell("leg_dense_scan"),
                    cell("ask_whoosh_rrf"),
                    cell("ask"),
                    f"{rp.ratio(ask_before['p50_ms'], ask['p50_ms']):.1f}x" if ask and ask_before else "–",
                    rp.fmt(sc.get("bytes", 0) / 2**20),
                ]
            )
        parts.append("### Scaling (SciFact replicas; builds through the embedding cache, one build each)")
        parts.append(
            rp.markdown_table(
                [
                    "scale",
                    "articles",
                    "passages",
                    "build s",
                    "index MiB",
                    "MiB / 1k articles",
                    "build RSS MiB",
                    "query RSS MiB",
                    "search hybrid p50/p95 ms",
                    "bm25 p50/p95",
                    "dense p50/p95",
                    "ask p50/p95",
                    "cold `archive ask` s",
                ],
                rows,
            )
        )
        parts.append("### Where query time goes: the BM25 sidecar against Whoosh's own query")
        parts.append(
            rp.markdown_table(
                [
                    "scale",
                    "BM25 leg Whoosh p50/p95 ms",
                    "BM25 leg sidecar p50/p95",
                    "p50 ratio",
                    "top-100 overlap",
                    "BM25 nDCG@10 Whoosh / sidecar",
                    f"query encode, {threads} torch threads",
                    "dense scan p50/p95",
                    "ask before (Whoosh + RRF) p50/p95",
                    "ask now (sidecar + score fusion)",
                    "ask p50 ratio before / now",
                    "sidecar MiB",
                ],
                legs,
            )
        )
        colds = [(k, scales[k]["cold"]) for k in sorted(scales, key=int) if "cold" in scales[k]]
        if colds:
            parts.append(
                "Cold `archive ask` breakdown (median s, separate runs of the same steps in Python): "
                + "; ".join(
                    f"{k}x " + ", ".join(f"{n} {v:.2f}" for n, v in c["breakdown_median"].items()) for k, c in colds
                )
                + "."
            )
        notes = []
        for key in sorted(scales, key=int):
            b = scales[key].get("build", {})
            if b:
                st = b.get("stages", {})
                notes.append(
                    f"{key}x: embedded {b.get('embedded', 0):,}, cache hits {b.get('cache_hits', 0):,}; "
                    + ", ".join(f"{k} {v:.1f}" for k, v in st.items())
                    + " s"
                )
        if notes:
            parts.append("Scale build phases: " + "; ".join(notes) + ".")
        projection = _projection(results)
        if projection:
            parts.append(projection)
    updates = results.get("updates", {})
    if updates:
        rows = []
        notes = []
        for key in sorted(updates, key=int):
            update = updates[key]
            reps = [r for r in update["reps"] if not r["warmup"]]
            cli = update.get("cli", {})
            stages = {name: rp.median(r["stages"][name] for r in reps) for name in reps[0]["stages"]}
            rows.append(
                [
                    f"{key}x",
                    f"{update['articles']:,}",
                    rp.fmt(rp.median(r["wall_seconds"] for r in reps), 2),
                    f"{min(r['wall_seconds'] for r in reps):.2f}–{max(r['wall_seconds'] for r in reps):.2f}",
                    str(len(reps)),
                    str(reps[0]["embedded"]),
                    rp.fmt(cli.get("median_seconds"), 2),
                    _mib(update.get("maxrss_kib", 0)),
                ]
            )
            opened = rp.median(r["wall_seconds"] - r["seconds"] for r in reps)
            notes.append(
                f"{key}x: "
                + ", ".join(f"{k} {v:.2f}" for k, v in stages.items() if v >= 0.005)
                + f", then opening the new generation {opened:.2f}"
            )
        parts.append("### Update after changing one article (model loaded; the first update is a warm-up)")
        parts.append(
            rp.markdown_table(
                [
                    "archive",
                    "articles",
                    "`Archive.update` median s",
                    "min–max s",
                    "timed updates",
                    "texts embedded",
                    "fresh `archive update` process, median s",
                    "RSS MiB",
                ],
                rows,
            )
        )
        parts.append("Update phases (median s): " + "; ".join(notes) + ".")
    targets = targets_table(results)
    if targets:
        parts.append("### Targets")
        parts.append(targets)
    return "\n\n".join(parts)


def _projection(results: Json) -> str:
    """What the replicas' passage embeddings would cost if they were not served by the cache."""
    floor, scales = results.get("build_floor"), results.get("scales", {})
    one = scales.get("1", {}).get("build")
    if not floor or not one:
        return ""
    rate = rp.median(r["floor"]["passages"] / r["floor"]["passage_seconds"] for r in floor["reps"])
    rows = []
    for key in sorted(scales, key=int):
        if int(key) > 1:
            texts = (int(key) - 1) * one["passages"]
            rows.append(f"{key}x: {texts:,} passages ≈ {texts / rate / 60:,.0f} min")
    if not rows:
        return ""
    return (
        f"Embedding passages alone runs at {rate:.1f} passages/s here (build benchmark above). Without "
        "`--strip-marker` every replica's passages miss the cache (their embedding text carries the marked "
        "title): " + "; ".join(rows) + " of extra embedding."
    )


def targets_table(results: Json) -> str:
    rows = []
    floor = results.get("build_floor")
    if floor:
        ratio = rp.median(r["ratio"] for r in floor["reps"])
        rows.append(["build ≤ 1.15× embedding alone", f"{ratio:.3f}×", "met" if ratio <= 1.15 else "missed"])
    scales = results.get("scales", {})
    if scales:
        top = max(scales, key=int)
        lat = scales[top].get("queries", {}).get("latency", {})
        for name, label in (
            ("ask", "ask"),
            ("ask_whoosh_rrf", "ask with the Whoosh BM25 leg and rank fusion (before)"),
        ):
            if name in lat:
                p50, p95 = lat[name]["p50_ms"], lat[name]["p95_ms"]
                ok = p50 < 50 and p95 < 150
                rows.append(
                    [
                        f"{label} at {top}x: p50 < 50 ms, p95 < 150 ms",
                        f"{p50:.1f} / {p95:.1f} ms",
                        "met" if ok else "missed",
                    ]
                )
    update = results.get("updates", {}).get("1")
    if update:
        reps = [r for r in update["reps"] if not r["warmup"]]
        secs = rp.median(r["wall_seconds"] for r in reps)
        rows.append(
            [
                f"update of one article in {update['articles']:,} < 3 s (in process)",
                f"{secs:.2f} s",
                "met" if secs < 3 else "missed",
            ]
        )
        cli = update.get("cli")
        if cli:
            s = cli["median_seconds"]
            rows.append(["… as a fresh `archive update` process", f"{s:.2f} s", "met" if s < 3 else "missed"])
    return rp.markdown_table(["target", "measured", "status"], rows) if rows else ""


def write_results(section: str, path: Path = RESULTS) -> None:
    existing = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    path.write_text(rp.replace_section(existing, section), encoding="utf-8")


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
        help="embed replica passages with their marked titles (no cache hits: slow)",
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
