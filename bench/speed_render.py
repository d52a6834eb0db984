"""bench.speed's results (bench/out/speed.json) as the Markdown of RESULTS.md's speed section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench import report as rp

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
Json = dict[str, Any]


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
        stages = {key: rp.median(r["stages"].get(key, 0.0) for r in reps) for key in first["stages"]}
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
            stages = {name: rp.median(r["stages"].get(name, 0.0) for r in reps) for name in reps[0]["stages"]}
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
    """What the replicas' title embeddings would cost if they were not served by the cache."""
    floor, scales = results.get("build_floor"), results.get("scales", {})
    one = scales.get("1", {}).get("build")
    if not floor or not one:
        return ""
    rate = rp.median(r["floor"]["passages"] / r["floor"]["passage_seconds"] for r in floor["reps"])
    rows = []
    for key in sorted(scales, key=int):
        if int(key) > 1:
            texts = (int(key) - 1) * one["articles"]
            rows.append(f"{key}x: {texts:,} titles ≈ {texts / rate / 60:,.1f} min")
    if not rows:
        return ""
    return (
        f"Embedding runs at {rate:.1f} texts/s here (build benchmark above; a title is shorter than a "
        "passage, so this is an upper bound). Without `--strip-marker` every replica's title misses the "
        "cache (it carries the marker); its passages and sentences still hit it: "
        + "; ".join(rows)
        + " of extra embedding."
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
