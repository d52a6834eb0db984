"""Experiment: what does embedding a passage *with its title* buy, and what would the alternatives cost?

    .venv/bin/python -m bench.experiments.title_experiment [--out bench/out] [--queries N] [--alphas 0.3,0.5]

Done: written at dd27d9c, while the speed harness was built; its figures were never recorded
in RESULTS.md. Since 47f320e each variant is served from a published copy of the index
instead of vectors swapped inside an open `Archive`. Superseded at 234e73c (schema 4): a build
now embeds each passage alone and each title once, mixed by word pieces (`pooling.under_title`;
RESULTS.md, "The title once an article"), so the `title+passage` variant below reads those
mixed vectors, not "title\\npassage" ones: rerun it only from a tree before 234e73c.

When written, the dense leg embedded "title\\npassage" (archive.building.embedding_text), so a passage's
vector depends on its headline: a reprint under a new headline, a headline edit, or a
benchmark replica misses the embedding cache for every passage. This script compares, on
SciFact (article nDCG@10 / Recall@100, dense and hybrid) and XQuAD-R (cited-sentence P@1 /
MRR@10 with `ask`, hybrid), with everything else equal:

- `title+passage`: the vectors in the index as built (the current behaviour);
- `passage only`: the passage text embedded alone;
- `passage + a*title`: normalise(passage-only vector + a * title vector), the title embedded
  once per article, so a headline change costs one embedding and passages hit the cache.

Each variant is a copy of the index's current generation (files hard-linked, the passage
vectors rewritten) published through `index.layout` under OUT/title-variants/, so retrieval,
fusion and the answerer are the production code paths. Embeddings go through the SQLite cache
(OUT/embeddings.sqlite). Writes OUT/title_experiment.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from archive import Archive, Settings
from bench import datasets
from bench import report as rp
from bench.eval import article_ranking, gold_span, ndcg_at_10, recall_at_100
from index import fileio, layout, schema
from index.embed_cache import EmbeddingCache
from index.embedder import Embedder
from index.snapshot import Snapshot

OUT = Path(__file__).resolve().parent.parent / "out"
CHUNK = 512
Matrix = npt.NDArray[np.float32]


def cached_encode(embedder: Embedder, cache: EmbeddingCache, texts: Sequence[str], label: str) -> Matrix:
    """Embeddings of `texts` through the cache, in length-sorted chunks written back as they finish."""
    result = np.empty((len(texts), embedder.dimension), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    fresh = 0
    started = time.perf_counter()
    for start in range(0, len(order), CHUNK):
        rows = order[start : start + CHUNK]
        chunk = [texts[i] for i in rows]
        found = cache.get_many(chunk)
        missing = [i for i, v in enumerate(found) if v is None]
        for i, vector in enumerate(found):
            if vector is not None:
                result[rows[i]] = vector
        if missing:
            vectors = embedder.encode([chunk[i] for i in missing])
            cache.put_many([chunk[i] for i in missing], vectors)
            for j, i in enumerate(missing):
                result[rows[i]] = vectors[j]
            fresh += len(missing)
        print(
            f"  {label}: {min(start + CHUNK, len(order))}/{len(order)} ({fresh} embedded, "
            f"{time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    return result


def normalise(matrix: Matrix) -> Matrix:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    out: Matrix = (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)
    return out


def variant_vectors(
    index_dir: Path, embedder: Embedder, cache: EmbeddingCache, alphas: Sequence[float]
) -> dict[str, Matrix]:
    snapshot = Snapshot(layout.current_generation(index_dir))
    passages: list[str] = []
    titles: list[str] = []
    owner: list[int] = []
    title_row: dict[str, int] = {}
    for row in range(snapshot.manifest.passages):
        ref = snapshot.passage(row)
        article = snapshot.article(ref.article.article_id)
        passages.append(article.text[ref.start : ref.end])
        if article.title not in title_row:
            title_row[article.title] = len(titles)
            titles.append(article.title)
        owner.append(title_row[article.title])
    passage_only = cached_encode(embedder, cache, passages, "passages without title")
    title_vectors = cached_encode(embedder, cache, titles, "titles")
    per_passage_title = title_vectors[np.asarray(owner)]
    variants: dict[str, Matrix] = {"title+passage": np.array(snapshot.passage_vectors), "passage only": passage_only}
    snapshot.close()
    for alpha in alphas:
        variants[f"passage + {alpha:g}*title"] = normalise(passage_only + alpha * per_passage_title)
    return variants


def variant_archive(
    base: Path, name: str, matrix: Matrix, root: Path, settings: Settings, embedder: Embedder
) -> Archive:
    """An index equal to `base`'s current generation but for its passage vectors.

    The copy hard-links every file but the passage vectors, which are written anew with the
    same shape (so the manifest's file sizes still hold), and is published like a build.
    """
    index_dir = root / re.sub(r"[^a-z0-9.]+", "-", name.lower())
    shutil.rmtree(index_dir, ignore_errors=True)
    staging = layout.new_staging(index_dir)
    shutil.copytree(layout.current_generation(base), staging, copy_function=os.link, dirs_exist_ok=True)
    vectors_file = staging / schema.PASSAGE_VECTORS.name
    vectors_file.unlink()  # a hard link: writing through it would change `base`
    fileio.save_array(vectors_file, matrix)
    layout.publish(index_dir, staging)
    return Archive.open(index_dir, settings=settings, embedder=embedder)


def eval_scifact(archive: Archive, queries: Sequence[datasets.RetrievalQuery]) -> dict[str, dict[str, float]]:
    out = {}
    for mode in ("dense", "hybrid"):
        ndcg, recall = [], []
        for query in queries:
            ranking = article_ranking(archive, query.text, mode)
            ndcg.append(ndcg_at_10(ranking, query.relevant))
            recall.append(recall_at_100(ranking, query.relevant))
        out[mode] = {"ndcg@10": statistics.fmean(ndcg), "recall@100": statistics.fmean(recall)}
    return out


def eval_xquad(archive: Archive, questions: Sequence[datasets.SentenceQuestion]) -> dict[str, float]:
    reciprocal = []
    for q in questions:
        start, end = gold_span(archive, q)
        answer = archive.ask(q.question, k=10, mode="hybrid")
        rank = next(
            (
                r
                for r, c in enumerate(answer.citations, start=1)
                if c.article_id == q.article_id and c.start <= start and end <= c.end
            ),
            None,
        )
        reciprocal.append(1.0 / rank if rank else 0.0)
    return {"P@1": sum(r == 1.0 for r in reciprocal) / len(reciprocal), "MRR@10": statistics.fmean(reciprocal)}


def ensure_index(corpus: Path, index_dir: Path, settings: Settings, embedder: Embedder) -> Path:
    """`index_dir`, built from `corpus` first when it holds no index."""
    if layout.current_name(index_dir) is None:
        Archive.build([corpus.parent], index_dir=index_dir, settings=settings, embedder=embedder).close()
    return index_dir


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--queries", type=int, default=None, help="SciFact queries (default: all 809)")
    parser.add_argument("--alphas", default="0.3,0.5")
    parser.add_argument("--skip-xquad", action="store_true")
    args = parser.parse_args(argv)
    out: Path = args.out
    speed = out / "speed"
    cache_path = out / "embeddings.sqlite"
    base = Settings.from_env(embedding_cache=str(cache_path))
    settings = replace(base, min_confidence=-1.0, answer_relative_cutoff=-1e9)  # as bench.eval ranks
    embedder = Embedder(settings.model, settings.batch_size, settings.threads, settings.quantize)
    embedder.load()
    alphas = [float(a) for a in args.alphas.split(",") if a.strip()]
    results: dict[str, Any] = {"loadavg_start": Path("/proc/loadavg").read_text().split()[:3]}

    scifact_file = datasets.scifact_corpus(speed / "data-x1")
    scifact = ensure_index(scifact_file, speed / "index-x1", settings, embedder)
    queries = datasets.scifact_queries()
    queries = queries[: args.queries] if args.queries else queries
    xquad_file, questions = datasets.xquad_corpus(speed / "data-xquad")
    xquad = ensure_index(xquad_file, speed / "index-xquad", settings, embedder)
    cache = EmbeddingCache(cache_path, embedder.fingerprint, embedder.dimension)
    try:
        scifact_variants = variant_vectors(scifact, embedder, cache, alphas)
        xquad_variants = variant_vectors(xquad, embedder, cache, alphas) if not args.skip_xquad else {}
    finally:
        cache.close()
    rows = []
    variants_root = out / "title-variants"
    for name, matrix in scifact_variants.items():
        with variant_archive(scifact, name, matrix, variants_root / "scifact", settings, embedder) as archive:
            row: dict[str, Any] = {"variant": name, "scifact": eval_scifact(archive, queries)}
        if name in xquad_variants:
            matrix = xquad_variants[name]
            with variant_archive(xquad, name, matrix, variants_root / "xquad", settings, embedder) as archive:
                row["xquad"] = eval_xquad(archive, questions)
        rows.append(row)
        print(json.dumps(row), flush=True)
    results["variants"] = rows
    results["queries"] = len(queries)
    results["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    (out / "title_experiment.json").write_text(json.dumps(results, indent=1))
    table = [
        [
            r["variant"],
            f"{r['scifact']['dense']['ndcg@10']:.4f}",
            f"{r['scifact']['hybrid']['ndcg@10']:.4f}",
            f"{r['scifact']['dense']['recall@100']:.4f}",
            f"{r['scifact']['hybrid']['recall@100']:.4f}",
            f"{r['xquad']['P@1']:.4f}" if "xquad" in r else "–",
            f"{r['xquad']['MRR@10']:.4f}" if "xquad" in r else "–",
        ]
        for r in rows
    ]
    print()
    print(
        rp.markdown_table(
            [
                "passage vectors",
                "SciFact dense nDCG@10",
                "hybrid nDCG@10",
                "dense R@100",
                "hybrid R@100",
                "XQuAD-R ask P@1",
                "MRR@10",
            ],
            table,
        )
    )


if __name__ == "__main__":
    main()
