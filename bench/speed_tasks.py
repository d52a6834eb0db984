"""The measurements bench.speed runs, each in its own worker process: build against the
embedding floor, scale builds, update, warm query latency (both BM25 engines side by side).

A worker reads its task (JSON), runs one of `TASKS`, and writes the result with its own
peak RSS; bench/speed.py spawns the workers and bench/speed_render.py turns results into
Markdown.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import report as rp
from bench.build_timing import StageClock, recording_embedder

Json = dict[str, Any]


def loadavg() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


# ===================================================================================
# Worker side: each task runs in a fresh interpreter and returns a JSON object.
# ===================================================================================


def _strip_marker_in_passage_embeddings() -> None:
    """Embed replica passages under their original title, so the embedding cache serves them."""
    from bench.scale import embed_replicas_unmarked

    embed_replicas_unmarked()


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
    embedder = recording_embedder(settings, clock)
    loaded = time.perf_counter()
    embedder.load()
    load_seconds = time.perf_counter() - loaded

    def build(corpus_file: Path, name: str) -> tuple[Json, dict[str, list[str]]]:
        index_dir = out / "build-floor" / name
        shutil.rmtree(index_dir, ignore_errors=True)
        clock.reset()
        embedder.texts, embedder.encode_seconds, embedder.recording = {}, 0.0, True
        archive = Archive.build(
            [corpus_file.parent], index_dir=index_dir, settings=settings, embedder=embedder, progress=clock
        )
        embedder.recording = False
        archive.close()
        built = archive.last_report
        assert built is not None
        row = _report_fields(built)
        row["stages"] = clock.breakdown(built.seconds)
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
    clock = StageClock()
    started = time.perf_counter()
    archive = Archive.build(
        [task["corpus_dir"]], index_dir=index_dir, settings=settings, embedder=embedder, progress=clock
    )
    wall = time.perf_counter() - started
    archive.close()
    built = archive.last_report
    assert built is not None
    row = _report_fields(built)
    row.update(
        wall_seconds=wall,
        model_load_seconds=load_seconds,
        stages=clock.breakdown(built.seconds),
        sizes=_generation_sizes(index_dir),
        strip_marker=task["strip_marker"],
    )
    return row


def edit_record(corpus: Path, number: int, nonce: str) -> str:
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
    clock = StageClock()
    archive = Archive.open(task["index_dir"], settings=settings)
    archive.load_model()
    total = sum(1 for _ in corpus.open(encoding="utf-8"))
    reps = []
    for rep in range(task["warmup"] + task["repeats"]):
        number = (task["seed"] + 977 * rep) % total
        article_id = edit_record(corpus, number, f"{time.time_ns()}-{rep}")
        clock.reset()
        started = time.perf_counter()
        built = archive.update([corpus.parent], progress=clock)
        wall = time.perf_counter() - started
        row = _report_fields(built)
        row.update(
            article_id=article_id,
            wall_seconds=wall,
            warmup=rep < task["warmup"],
            stages=clock.breakdown(built.seconds),
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
    from index import analysis, layout, vectors
    from index.snapshot import Snapshot

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
    # The legs timed alone run on their own view of the same generation (index/ public API).
    # Its pages count in this worker's peak RSS, as `before`'s already do.
    snapshot = Snapshot(layout.current_generation(Path(task["index_dir"])))
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
    snapshot.close()
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
