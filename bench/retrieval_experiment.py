"""Retrieval design sweep on SciFact: fusion, article aggregation, BM25 and dense variants.

    nice -n 19 env OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 .venv/bin/python -m bench.retrieval_experiment

Reads the existing index bench/out/index-scifact-x1 (built by bench.eval), embeds the 809
training claims once, computes every passage's BM25 and cosine score per query in numpy, and
then sweeps offline. Article nDCG@10 and Recall@100 follow bench/eval.py: an article ranks
where its best passage ranks. Anything swept is also scored by 2-fold cross-validation over
queries (split by query id parity): parameters chosen on one half are scored on the other,
both ways, and the two held-out means are averaged. Writes bench/out/retrieval_experiment.json.
Nothing in archive/ or index/ uses this module.
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
from whoosh.analysis import StemmingAnalyzer

from bench import datasets
from index.analysis import unique_terms as query_terms
from index.embedder import Embedder
from index.store import TITLE_BOOST, PassageStore

OUT = Path(__file__).resolve().parent / "out"
INDEX = OUT / "index-scifact-x1"
CACHE = OUT / "retrieval_experiment_cache.pkl"
RESULT = OUT / "retrieval_experiment.json"
PASSAGE_CUT = 200  # bench/eval.py ranks articles from the top 200 fused passages

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B8 = npt.NDArray[np.bool_]
NEG = -np.inf


# ---------------------------------------------------------------------------------------
# Data: token postings for passages and whole articles, query terms and vectors.


@dataclass
class Postings:
    """Term-major postings of a two-field collection (title, text), one entry per (term, doc)."""

    indptr: I64  # (terms + 1,)
    docs: I64
    tf_title: F64
    tf_text: F64
    len_title: F64  # per document
    len_text: F64
    n_docs: int

    def df(self, field: str) -> F64:
        tf = {"title": self.tf_title, "text": self.tf_text}.get(field)
        present = np.ones(len(self.docs), dtype=bool) if tf is None else tf > 0
        return np.add.reduceat(present.astype(np.float64), self.indptr[:-1]) if len(self.docs) else np.zeros(0)


@dataclass
class Data:
    article_ids: list[str]
    starts: I64  # first passage row per article
    passage_article: I64
    passages: Postings
    articles: Postings
    query_ids: list[str]
    query_terms: list[I64]  # vocabulary ids of each query's distinct analysed terms
    query_vectors: F32
    passage_vectors: F32
    relevant: B8  # (queries, articles)
    n_relevant: F64
    whoosh: list[tuple[I64, F64]]  # the store's own BM25F top 1000 passage rows per query


def _postings(titles: Sequence[list[int]], texts: Sequence[list[int]], vocab_size: int) -> Postings:
    terms: list[int] = []
    docs: list[int] = []
    tt: list[float] = []
    tx: list[float] = []
    for doc, (title, text) in enumerate(zip(titles, texts, strict=True)):
        counts: dict[int, list[float]] = {}
        for term in title:
            counts.setdefault(term, [0.0, 0.0])[0] += 1
        for term in text:
            counts.setdefault(term, [0.0, 0.0])[1] += 1
        for term, (a, b) in counts.items():
            terms.append(term)
            docs.append(doc)
            tt.append(a)
            tx.append(b)
    term_arr = np.asarray(terms, dtype=np.int64)
    doc_arr = np.asarray(docs, dtype=np.int64)
    order = np.lexsort((doc_arr, term_arr))
    indptr = np.zeros(vocab_size + 1, dtype=np.int64)
    np.add.at(indptr, term_arr + 1, 1)
    return Postings(
        indptr=np.cumsum(indptr),
        docs=doc_arr[order],
        tf_title=np.asarray(tt, dtype=np.float64)[order],
        tf_text=np.asarray(tx, dtype=np.float64)[order],
        len_title=np.array([len(t) for t in titles], dtype=np.float64),
        len_text=np.array([len(t) for t in texts], dtype=np.float64),
        n_docs=len(titles),
    )


def _generation() -> tuple[Path, dict[str, Any]]:
    """The index's current generation and its manifest, read directly.

    Read without index.snapshot so that the experiment keeps working while the index schema
    moves on (only the files this experiment needs are read).
    """
    folder = INDEX / (INDEX / "CURRENT").read_text(encoding="utf-8").strip()
    manifest: dict[str, Any] = orjson.loads((folder / "manifest.json").read_bytes())
    names = manifest["article_fields"]
    manifest["articles"] = [dict(zip(names, row, strict=True)) for row in manifest["articles"]]
    return folder, manifest


def build_data() -> Data:
    import torch

    torch.set_num_threads(1)
    folder, manifest = _generation()
    embedder = Embedder(threads=1)
    passage_vectors = np.load(folder / "passage_vectors.npy").astype(np.float32)
    spans = np.load(folder / "passage_spans.npy")
    store = PassageStore(folder / "whoosh")
    analyzer = StemmingAnalyzer()
    vocab: dict[str, int] = {}

    def ids(text: str) -> list[int]:
        return [vocab.setdefault(token.text, len(vocab)) for token in analyzer(text)]

    entries = manifest["articles"]
    starts = np.array([e["passage_row"] for e in entries], dtype=np.int64)
    counts = np.array([e["passage_count"] for e in entries], dtype=np.int64)
    assert starts[0] == 0 and np.all(np.diff(starts) == counts[:-1]), "passage rows are not contiguous"
    assert int(counts.sum()) == len(passage_vectors) == len(spans)
    p_titles: list[list[int]] = []
    p_texts: list[list[int]] = []
    a_titles: list[list[int]] = []
    a_texts: list[list[int]] = []
    with (folder / "articles.bin").open("rb") as articles:
        for entry in entries:
            articles.seek(entry["offset"])
            record = orjson.loads(articles.read(entry["length"]))
            assert record["article_id"] == entry["article_id"]
            text = str(record["text"])
            title = ids(entry["title"])
            a_titles.append(title)
            a_texts.append(ids(text))
            for row in range(entry["passage_row"], entry["passage_row"] + entry["passage_count"]):
                p_titles.append(title)
                p_texts.append(ids(text[int(spans[row, 2]) : int(spans[row, 3])]))
    row_of = {(e["article_id"], n): e["passage_row"] + n for e in entries for n in range(e["passage_count"])}
    queries = datasets.scifact_queries()
    q_terms = [np.array([vocab[t] for t in query_terms(q.text) if t in vocab], dtype=np.int64) for q in queries]
    q_vectors = np.stack([embedder.encode_one(q.text) for q in queries]).astype(np.float32)
    by_id = {entry["article_id"]: i for i, entry in enumerate(entries)}
    relevant = np.zeros((len(queries), len(entries)), dtype=bool)
    for qi, q in enumerate(queries):
        for article_id in q.relevant:
            if article_id in by_id:
                relevant[qi, by_id[article_id]] = True
    whoosh: list[tuple[I64, F64]] = []
    for q in queries:
        hits = store.search(q.text, 1000)
        rows = np.array([row_of[(h.article_id, h.passage)] for h in hits], dtype=np.int64)
        whoosh.append((rows, np.array([h.score for h in hits], dtype=np.float64)))
    return Data(
        article_ids=[e["article_id"] for e in entries],
        starts=starts,
        passage_article=np.repeat(np.arange(len(entries), dtype=np.int64), counts),
        passages=_postings(p_titles, p_texts, len(vocab)),
        articles=_postings(a_titles, a_texts, len(vocab)),
        query_ids=[q.query_id for q in queries],
        query_terms=q_terms,
        query_vectors=q_vectors,
        passage_vectors=passage_vectors,
        relevant=relevant,
        n_relevant=np.array([len(q.relevant) for q in queries], dtype=np.float64),
        whoosh=whoosh,
    )


def load_data() -> Data:
    if CACHE.exists():
        with CACHE.open("rb") as handle:
            data: Data = pickle.load(handle)
            return data
    data = build_data()
    with CACHE.open("wb") as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return data


# ---------------------------------------------------------------------------------------
# BM25 in numpy.


def whoosh_idf(df: F64, n: int) -> F64:
    result: F64 = np.log(n / (df + 1.0)) + 1.0
    return result


def robertson_idf(df: F64, n: int) -> F64:
    result: F64 = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
    return result


def _term_ids(p: Postings) -> I64:
    return np.repeat(np.arange(len(p.indptr) - 1, dtype=np.int64), np.diff(p.indptr))


def impacts(p: Postings, k1: float, b: float, combine: str, idf: str = "whoosh") -> F64:
    """Each posting's contribution to a document's score.

    combine="sum": Whoosh's BM25F, every field saturated on its own with its own idf and summed
    (the title boost scales the title's term frequency inside its saturation).
    combine="bm25f": Robertson/Zaragoza BM25F, the length-normalised, boosted frequencies of
    the fields are added first and saturated once, with a document-level idf.
    """
    idf_fn = whoosh_idf if idf == "whoosh" else robertson_idf
    term = _term_ids(p)
    norm_title = (1 - b) + b * p.len_title[p.docs] / max(float(p.len_title.mean()), 1e-9)
    norm_text = (1 - b) + b * p.len_text[p.docs] / max(float(p.len_text.mean()), 1e-9)
    if combine == "sum":
        total: F64 = np.zeros(len(p.docs))
        for field, tf, norm in (("title", p.tf_title * TITLE_BOOST, norm_title), ("text", p.tf_text, norm_text)):
            weight = idf_fn(p.df(field), p.n_docs)[term]
            total += np.where(tf > 0, weight * tf * (k1 + 1) / (tf + k1 * norm), 0.0)
        return total
    pseudo = TITLE_BOOST * p.tf_title / norm_title + p.tf_text / norm_text
    result: F64 = idf_fn(p.df("any"), p.n_docs)[term] * pseudo * (k1 + 1) / (pseudo + k1)
    return result


def query_postings(p: Postings, terms: Sequence[I64]) -> list[I64]:
    """Posting indexes each query touches (computed once, reused for every parameter setting)."""
    return [
        np.concatenate([np.arange(p.indptr[t], p.indptr[t + 1]) for t in q]) if len(q) else np.zeros(0, dtype=np.int64)
        for q in terms
    ]


def bm25_scores(p: Postings, touched: list[I64], weights: F64) -> F64:
    """(queries, docs) BM25 scores; documents sharing no term with the query get -inf."""
    out = np.full((len(touched), p.n_docs), NEG)
    for qi, idx in enumerate(touched):
        if len(idx):
            docs = p.docs[idx]
            scores = np.bincount(docs, weights=weights[idx], minlength=p.n_docs)
            hit = np.zeros(p.n_docs, dtype=bool)
            hit[docs] = True
            out[qi, hit] = scores[hit]
    return out


def whoosh_matrix(data: Data) -> F64:
    out = np.full((len(data.whoosh), len(data.passage_article)), NEG)
    for qi, (rows, scores) in enumerate(data.whoosh):
        out[qi, rows] = scores
    return out


# ---------------------------------------------------------------------------------------
# Ranking, fusion, aggregation, metrics. Score matrices are (queries, items); -inf = not retrieved.


_MEMO: dict[tuple[int, int], tuple[F64, tuple[I64, B8]]] = {}
_MEMO_SIZE = 12


def top_n(scores: F64, n: int, memo: bool = False) -> tuple[I64, B8]:
    """Per row, the n best items (best first) and whether each is actually retrieved.

    `memo=True` remembers the answer for a leg that several fusions reuse (a small LRU).
    """
    if memo:
        key = (id(scores), n)
        hit = _MEMO.get(key)
        if hit is not None and hit[0] is scores:
            return hit[1]
        result = top_n(scores, n)
        _MEMO[key] = (scores, result)
        while len(_MEMO) > _MEMO_SIZE:
            del _MEMO[next(iter(_MEMO))]
        return result
    n = min(n, scores.shape[1])
    part = np.argpartition(-scores, n - 1, axis=1)[:, :n]
    vals = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    idx = np.take_along_axis(part, order, axis=1)
    return idx, np.isfinite(np.take_along_axis(scores, idx, axis=1))


def cut(scores: F64, n: int) -> F64:
    """Keep only each row's n best items."""
    idx, ok = top_n(scores, n)
    out = np.full_like(scores, NEG)
    rows = np.broadcast_to(np.arange(scores.shape[0])[:, None], idx.shape)
    out[rows[ok], idx[ok]] = scores[rows[ok], idx[ok]]
    return out


def rrf(legs: Sequence[F64], k: float, depth: int, weights: Sequence[float] | None = None) -> F64:
    weights = [1.0] * len(legs) if weights is None else list(weights)
    fused = np.zeros(legs[0].shape)
    seen = np.zeros(legs[0].shape, dtype=bool)
    for leg, weight in zip(legs, weights, strict=True):
        idx, ok = top_n(leg, depth, memo=True)
        rows = np.broadcast_to(np.arange(leg.shape[0])[:, None], idx.shape)
        contrib = weight / (k + np.arange(1, idx.shape[1] + 1, dtype=np.float64))
        np.add.at(fused, (rows[ok], idx[ok]), np.broadcast_to(contrib, idx.shape)[ok])
        seen[rows[ok], idx[ok]] = True
    return np.where(seen, fused, NEG)


def normalise(leg: F64, depth: int, how: str) -> tuple[F64, B8]:
    """Leg scores normalised with statistics of its top `depth`; items outside get the floor."""
    idx, ok = top_n(leg, depth, memo=True)
    kept = np.full_like(leg, NEG)
    rows = np.broadcast_to(np.arange(leg.shape[0])[:, None], idx.shape)
    kept[rows[ok], idx[ok]] = leg[rows[ok], idx[ok]]
    inside = np.isfinite(kept)
    vals = np.where(inside, kept, np.nan)
    if how == "minmax":
        low = np.nanmin(vals, axis=1, keepdims=True)
        span = np.nanmax(vals, axis=1, keepdims=True) - low
        norm = (vals - low) / np.where(span > 0, span, 1.0)
    elif how == "z":
        norm = (vals - np.nanmean(vals, axis=1, keepdims=True)) / np.maximum(
            np.nanstd(vals, axis=1, keepdims=True), 1e-9
        )
    elif how == "raw":
        norm = vals
    else:
        raise ValueError(how)
    floor = np.nanmin(norm, axis=1, keepdims=True)
    return np.where(inside, norm, floor), inside


def convex(legs: Sequence[F64], weights: Sequence[float], depth: int, how: Sequence[str]) -> F64:
    fused = np.zeros(legs[0].shape)
    seen = np.zeros(legs[0].shape, dtype=bool)
    for leg, weight, h in zip(legs, weights, how, strict=True):
        norm, inside = normalise(leg, depth, h)
        fused += weight * norm
        seen |= inside
    return np.where(seen, fused, NEG)


def to_articles(data: Data, scores: F64, second: float = 0.0) -> F64:
    """Article score = its best passage's score (+ `second` x its second best, when it has one)."""
    best: F64 = np.maximum.reduceat(scores, data.starts, axis=1)
    if second == 0.0:
        return best
    spread = best[:, data.passage_article]
    rest = np.where(scores >= spread, NEG, scores)
    runner: F64 = np.maximum.reduceat(rest, data.starts, axis=1)
    with np.errstate(invalid="ignore"):
        bonus = np.where(np.isfinite(runner) & np.isfinite(best), second * runner, 0.0)
    result: F64 = best + bonus
    return result


def passage_fusion_articles(data: Data, fused: F64, second: float = 0.0) -> F64:
    """As bench/eval.py does: the top 200 fused passages, each article at its first occurrence."""
    return to_articles(data, cut(fused, PASSAGE_CUT), second)


def metrics(data: Data, articles: F64) -> tuple[F64, F64]:
    """Per-query nDCG@10 and Recall@100 of article score rows."""
    idx, ok = top_n(articles, 100)
    gains = np.take_along_axis(data.relevant, idx, axis=1) & ok
    discount = 1.0 / np.log2(np.arange(2, 12))
    dcg = (gains[:, :10] * discount).sum(axis=1)
    ideal = np.array([discount[: int(min(n, 10))].sum() for n in data.n_relevant])
    ndcg: F64 = np.where(ideal > 0, dcg / np.where(ideal > 0, ideal, 1.0), 0.0)
    recall: F64 = gains.sum(axis=1) / np.maximum(data.n_relevant, 1.0)
    return ndcg, recall


# ---------------------------------------------------------------------------------------
# Sweeps with 2-fold cross-validation.


@dataclass
class Scored:
    name: str
    ndcg: F64
    recall: F64


def cross_validate(data: Data, family: Sequence[Scored]) -> dict[str, Any]:
    odd = np.array([int(q) % 2 == 1 for q in data.query_ids])
    folds = []
    for choose in (odd, ~odd):
        best = max(family, key=lambda s: float(s.ndcg[choose].mean()))
        folds.append(
            {"chosen": best.name, "held_out_ndcg@10": float(best.ndcg[~choose].mean()), "queries": int((~choose).sum())}
        )
    overall = max(family, key=lambda s: float(s.ndcg.mean()))
    return {
        "best_all": overall.name,
        "ndcg@10_all": float(overall.ndcg.mean()),
        "recall@100_all": float(overall.recall.mean()),
        "cv_ndcg@10": float(np.mean([f["held_out_ndcg@10"] for f in folds])),
        "folds": folds,
        "configs": len(family),
    }


def score(data: Data, name: str, articles: F64) -> Scored:
    ndcg, recall = metrics(data, articles)
    return Scored(name, ndcg, recall)


def fmt(x: float) -> str:
    return f"{x:g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, default=RESULT)
    parser.add_argument(
        "--sections", default="123456", help="which sections to run (digits); others keep their stored results"
    )
    args = parser.parse_args()
    run = set(args.sections)
    started = time.perf_counter()
    data = load_data()
    print(f"data ready in {time.perf_counter() - started:.0f}s: {len(data.query_ids)} queries", flush=True)
    report: dict[str, Any] = {"singles": {}, "families": {}}
    if run != set("123456") and args.json.exists():
        report = orjson.loads(args.json.read_bytes())
    table: list[tuple[str, float, float | None, float]] = [
        (row["variant"], row["ndcg@10_all"], row["cv_ndcg@10"], row["recall@100"]) for row in report.get("table", [])
    ]

    def single(name: str, articles: F64) -> Scored:
        s = score(data, name, articles)
        report["singles"][name] = {"ndcg@10": float(s.ndcg.mean()), "recall@100": float(s.recall.mean())}
        table.append((name, float(s.ndcg.mean()), None, float(s.recall.mean())))
        print(f"{name:70s} {s.ndcg.mean():.4f} R@100 {s.recall.mean():.4f}", flush=True)
        return s

    def family(label: str, items: Sequence[Scored]) -> dict[str, Any]:
        cv = cross_validate(data, items)
        report["families"][label] = cv
        table.append((f"{label}: {cv['best_all']}", cv["ndcg@10_all"], cv["cv_ndcg@10"], cv["recall@100_all"]))
        print(
            f"{label:30s} best {cv['best_all']:40s} all {cv['ndcg@10_all']:.4f} CV {cv['cv_ndcg@10']:.4f} "
            f"R@100 {cv['recall@100_all']:.4f} picks {[f['chosen'] for f in cv['folds']]}",
            flush=True,
        )
        return cv

    # Legs.
    pt = query_postings(data.passages, data.query_terms)
    at = query_postings(data.articles, data.query_terms)
    whoosh = whoosh_matrix(data)
    bm25 = bm25_scores(data.passages, pt, impacts(data.passages, 1.2, 0.75, "sum"))
    dense = (data.query_vectors @ data.passage_vectors.T).astype(np.float64)

    # Baseline: reproduce bench/eval.py, which searches k=200, so each leg gives max(k, candidates=100)
    # = 200 passages; RRF k=60 over passages; articles by first occurrence in the top 200.
    single("bm25 (Whoosh store)", passage_fusion_articles(data, whoosh))
    single("bm25 (numpy replica of Whoosh BM25F, k1=1.2 b=0.75)", passage_fusion_articles(data, bm25))
    single("dense", passage_fusion_articles(data, dense))
    base = single(
        "hybrid baseline: RRF k=60, depth 200, passage level (Whoosh)",
        passage_fusion_articles(data, rrf([whoosh, dense], 60, 200)),
    )
    single("hybrid baseline with numpy BM25 replica", passage_fusion_articles(data, rrf([bm25, dense], 60, 200)))
    report["baseline_ndcg@10"] = float(base.ndcg.mean())

    if "1" in run:
        section1(data, bm25, dense, single, family)
    if "2" in run:
        section2(data, bm25, dense, family)
    if "3" in run or "5" in run:
        art_legs = section3(data, pt, at, bm25, dense, family, "3" in run)
    if "4" in run or "5" in run:
        prf, mean_cos = section4(data, bm25, dense, family, "4" in run)
    if "5" in run:
        section5(data, pt, bm25, prf, mean_cos, art_legs, family, report)
    if "6" in run:
        section6(data, pt, dense, family, report)
    latest = {v: (a, c, r) for v, a, c, r in table}  # a rerun section replaces its stored rows
    report["table"] = [
        {"variant": v, "ndcg@10_all": a, "cv_ndcg@10": c, "recall@100": r} for v, (a, c, r) in latest.items()
    ]
    report["seconds"] = time.perf_counter() - started
    args.json.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    print(f"wrote {args.json} in {report['seconds']:.0f}s")


Family = Callable[[str, Sequence[Scored]], dict[str, Any]]


def section1(data: Data, bm25: F64, dense: F64, single: Callable[[str, F64], Scored], family: Family) -> None:
    """Fusion of the current legs at passage level: RRF k, depth, weights; convex combinations."""
    items = []
    for k, depth, wd in itertools.product((10, 20, 30, 60, 100), (100, 200, 1000), (1.0, 1.5, 2.0)):
        fused = rrf([bm25, dense], k, depth, [1.0, wd])
        items.append(score(data, f"rrf k={k} depth={depth} w_dense={fmt(wd)}", passage_fusion_articles(data, fused)))
    rrf_only_k = [s for s in items if s.name.endswith("depth=200 w_dense=1")]
    family("1a RRF k (depth 200, equal)", rrf_only_k)
    family("1b RRF k, depth, leg weight", items)
    alphas = [round(0.1 * i, 1) for i in range(1, 10)]
    conv: dict[str, list[Scored]] = {"minmax": [], "z": [], "raw+minmax": []}
    for how, depth, alpha in itertools.product(conv, (100, 200, 1000), alphas):
        if how == "raw+minmax":
            fused = convex([dense, bm25], [1.0, alpha], depth, ["raw", "minmax"])
        else:
            fused = convex([dense, bm25], [1 - alpha, alpha], depth, [how, how])
        conv[how].append(
            score(data, f"{how} depth={depth} alpha_bm25={fmt(alpha)}", passage_fusion_articles(data, fused))
        )
    for how, group in conv.items():
        family(f"1c convex {how}", group)
    family("1d convex, any normalisation", [s for g in conv.values() for s in g])


def section2(data: Data, bm25: F64, dense: F64, family: Family) -> None:
    """Article aggregation: max + w x second passage; fusing article rankings instead of passages."""
    items = []
    for second in (0.0, 0.05, 0.1, 0.2, 0.3, 0.5):
        items.append(
            score(
                data,
                f"passage RRF60 then max+{fmt(second)}*2nd",
                passage_fusion_articles(data, rrf([bm25, dense], 60, 200), second),
            )
        )
    family("2a max + w*2nd (passage RRF)", items)
    items = []
    for k, depth, second in itertools.product((10, 20, 30, 60, 100), (200, 1000), (0.0, 0.1, 0.2, 0.3)):
        legs = [to_articles(data, bm25, second), to_articles(data, dense, second)]
        items.append(score(data, f"article-level RRF k={k} depth={depth} 2nd={fmt(second)}", rrf(legs, k, depth)))
    family("2b article-level RRF", [s for s in items if s.name.endswith("depth=200 2nd=0")])
    family("2c article-level RRF + 2nd", items)


def section3(
    data: Data, pt: list[I64], at: list[I64], bm25: F64, dense: F64, family: Family, sweep: bool
) -> dict[str, F64]:
    """BM25 variants alone and in the baseline fusion; a whole-article BM25 leg. Returns article legs."""
    art_legs: dict[str, F64] = {}
    if not sweep:
        for combine, k1, b in (("bm25f", 0.9, 0.4), ("bm25f", 1.2, 0.75)):
            leg = bm25_scores(data.articles, at, impacts(data.articles, k1, b, combine))
            art_legs[f"{combine} k1={fmt(k1)} b={fmt(b)}"] = leg
        return art_legs
    alone, fused_items = [], []
    for combine, k1, b in itertools.product(("sum", "bm25f"), (0.6, 0.9, 1.2, 1.5), (0.4, 0.6, 0.75, 0.9)):
        leg = bm25_scores(data.passages, pt, impacts(data.passages, k1, b, combine))
        name = f"{combine} k1={fmt(k1)} b={fmt(b)}"
        alone.append(score(data, "bm25 " + name, passage_fusion_articles(data, leg)))
        fused_items.append(score(data, "hybrid " + name, passage_fusion_articles(data, rrf([leg, dense], 60, 200))))
    family("3a passage BM25 alone", alone)
    family("3a passage BM25 alone, per-field sum", [s for s in alone if " sum " in s.name])
    family("3a passage BM25 alone, BM25F", [s for s in alone if " bm25f " in s.name])
    family("3b hybrid RRF60 with BM25 variant", fused_items)
    art_alone, art_fused, art_add = [], [], []
    dense_a = to_articles(data, dense)
    bm25_a = to_articles(data, bm25)
    for combine, k1, b in itertools.product(("sum", "bm25f"), (0.6, 0.9, 1.2, 1.5), (0.4, 0.6, 0.75, 0.9)):
        leg = bm25_scores(data.articles, at, impacts(data.articles, k1, b, combine))
        name = f"{combine} k1={fmt(k1)} b={fmt(b)}"
        art_legs[name] = leg
        art_alone.append(score(data, "article bm25 " + name, leg))
        art_fused.append(score(data, "dense + article bm25 " + name, rrf([leg, dense_a], 60, 200)))
        art_add.append(score(data, "dense + passage bm25 + article bm25 " + name, rrf([leg, bm25_a, dense_a], 60, 200)))
    family("3c article BM25 alone", art_alone)
    family("3d RRF60(article BM25, dense)", art_fused)
    family("3e RRF60(article BM25, passage BM25, dense)", art_add)
    return art_legs


def section4(data: Data, bm25: F64, dense: F64, family: Family, sweep: bool) -> tuple[dict[float, F64], F64]:
    """Dense variants: article mean vector with max passage; Rocchio pseudo-relevance feedback."""
    dense_a = to_articles(data, dense)
    bm25_a = to_articles(data, bm25)
    mean_vec = np.add.reduceat(data.passage_vectors.astype(np.float64), data.starts, axis=0)
    mean_vec /= np.linalg.norm(mean_vec, axis=1, keepdims=True)
    mean_cos = data.query_vectors.astype(np.float64) @ mean_vec.T
    alone, fused_items = [], []
    for g in (0.0, 0.1, 0.2, 0.3, 0.5, 1.0):
        leg = (1 - g) * dense_a + g * mean_cos if g < 1 else mean_cos
        alone.append(score(data, f"dense article = (1-g) max + g mean, g={fmt(g)}", leg))
        fused_items.append(score(data, f"RRF60(bm25, dense max/mean g={fmt(g)})", rrf([bm25_a, leg], 60, 200)))
    alone_mean, fused_mean = alone, fused_items
    prf: dict[float, F64] = {}
    alone, fused_items = [], []
    top3, _ = top_n(dense, 3)
    for beta in (0.0, 0.25, 0.5, 1.0, 2.0):
        q = data.query_vectors.astype(np.float64) + beta * data.passage_vectors[top3].mean(axis=1)
        q /= np.linalg.norm(q, axis=1, keepdims=True)
        prf[beta] = q @ data.passage_vectors.T.astype(np.float64)
        alone.append(score(data, f"dense PRF beta={fmt(beta)}", passage_fusion_articles(data, prf[beta])))
        fused_items.append(
            score(
                data,
                f"RRF60(bm25, dense PRF beta={fmt(beta)})",
                passage_fusion_articles(data, rrf([bm25, prf[beta]], 60, 200)),
            )
        )
    if sweep:
        family("4a dense max/mean alone", alone_mean)
        family("4b RRF60 with dense max/mean", fused_mean)
        family("4c dense PRF alone", alone)
        family("4d RRF60 with dense PRF", fused_items)
    return prf, mean_cos


def section5(
    data: Data,
    pt: list[I64],
    bm25: F64,
    prf: dict[float, F64],
    mean_cos: F64,
    art_legs: dict[str, F64],
    family: Family,
    report: dict[str, Any],
) -> None:
    """Combination at article level (article RRF), over the promising options of every lever."""
    combos: list[Scored] = []
    bm25_opts = {"whoosh-sum k1=1.2 b=0.75": bm25}
    for name in ("bm25f k1=0.9 b=0.4", "bm25f k1=1.2 b=0.75"):
        combine, k1s, bs = name.split()
        bm25_opts[name] = bm25_scores(data.passages, pt, impacts(data.passages, float(k1s[3:]), float(bs[2:]), combine))
    art_opts: dict[str, F64 | None] = {"none": None}
    for name in ("bm25f k1=0.9 b=0.4", "bm25f k1=1.2 b=0.75"):
        art_opts[name] = art_legs[name]
    for (bname, bleg), beta, g, (aname, aleg), second in itertools.product(
        bm25_opts.items(), (0.0, 0.5), (0.0, 0.2), art_opts.items(), (0.0, 0.2)
    ):
        dleg = to_articles(data, prf[beta], second)
        if g:
            dleg = (1 - g) * dleg + g * mean_cos
        legs = [to_articles(data, bleg, second), dleg] + ([] if aleg is None else [aleg])
        for k, wd in itertools.product((30, 60), (1.0, 1.5)):
            weights = [1.0, wd] + ([] if aleg is None else [1.0])
            label = f"bm25[{bname}] prf={fmt(beta)} mean={fmt(g)} art[{aname}] 2nd={fmt(second)} k={k} wd={fmt(wd)}"
            combos.append(score(data, label, rrf(legs, k, 200, weights)))
    family("5 combination (article-level RRF)", combos)
    ranked = sorted(combos, key=lambda s: -float(s.ndcg.mean()))[:15]
    report["top_combinations"] = [
        {"name": s.name, "ndcg@10": float(s.ndcg.mean()), "recall@100": float(s.recall.mean())} for s in ranked
    ]
    for s in ranked:
        print(f"  {s.ndcg.mean():.4f} {s.recall.mean():.4f} {s.name}")


def section6(data: Data, pt: list[I64], dense: F64, family: Family, report: dict[str, Any]) -> None:
    """Combination at passage level: BM25F leg x fusion (convex and RRF), first occurrence per article."""
    legs = {
        f"bm25f k1={fmt(k1)} b={fmt(b)}": bm25_scores(data.passages, pt, impacts(data.passages, k1, b, "bm25f"))
        for k1, b in ((1.2, 0.4), (0.9, 0.4), (1.2, 0.6), (1.5, 0.75))
    }
    items: list[Scored] = []
    for name, leg in legs.items():
        for depth, alpha in itertools.product((200, 1000), (0.1, 0.15, 0.2, 0.25, 0.3, 0.4)):
            fused = convex([dense, leg], [1.0, alpha], depth, ["raw", "minmax"])
            label = f"[{name}] raw+minmax depth={depth} alpha={fmt(alpha)}"
            items.append(score(data, label, passage_fusion_articles(data, fused)))
        for alpha in (0.2, 0.3, 0.4, 0.5):
            fused = convex([dense, leg], [1 - alpha, alpha], 1000, ["z", "z"])
            label = f"[{name}] z depth=1000 alpha={fmt(alpha)}"
            items.append(score(data, label, passage_fusion_articles(data, fused)))
        for k, wd in itertools.product((10, 20, 60), (1.0, 1.5)):
            fused = rrf([leg, dense], k, 200, [1.0, wd])
            label = f"[{name}] rrf k={k} depth=200 w_dense={fmt(wd)}"
            items.append(score(data, label, passage_fusion_articles(data, fused)))
    family("6a BM25F leg + RRF", [s for s in items if " rrf " in s.name])
    family("6b BM25F leg + convex z", [s for s in items if " z " in s.name])
    family("6c BM25F leg + dense raw + alpha minmax", [s for s in items if "raw+minmax" in s.name])
    family("6d BM25F leg + any fusion", items)
    ranked = sorted(items, key=lambda s: -float(s.ndcg.mean()))[:15]
    report["top_passage_combinations"] = [
        {"name": s.name, "ndcg@10": float(s.ndcg.mean()), "recall@100": float(s.recall.mean())} for s in ranked
    ]
    for s in ranked:
        print(f"  {s.ndcg.mean():.4f} {s.recall.mean():.4f} {s.name}")


if __name__ == "__main__":
    main()
