"""Fit the answerer's sentence-scoring weights on XQuAD-R by grid search, with 2-fold cross-validation.

    .venv/bin/python -m bench.tune_answerer [--out bench/out]

Needs the XQuAD-R index that `python -m bench.eval` builds. Prints P@1 per feature set
and weights, fitted on one half of the articles and measured on the other half.
"""

from __future__ import annotations

import argparse
import itertools
import re
from pathlib import Path

import numpy as np

from archive import Archive, Settings
from archive.language import MONTH_NAMES, QUANTITY_WORDS, SMALL_NUMBERS
from bench import datasets
from bench.eval import DEFAULT_OUT, gold_span

FEATURES = (
    "cos_sentence",
    "cos_passage",
    "bm25_local",
    "coverage",
    "rank_prior",
    "idf_cov",
    "bigram",
    "atype",
    "cos_ctx",
    "proximity",
    "novel",
)


NUMBER = re.compile(rf"\d|\b({'|'.join((*SMALL_NUMBERS, *QUANTITY_WORDS))})\b", re.I)
YEAR = re.compile(rf"\b(1[5-9]\d\d|20\d\d)\b|\b({'|'.join(MONTH_NAMES)})\b|\bcentury\b")


CAPITAL = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+")


def proximity(question_terms: list[str], terms: list[str]) -> float:
    """How tightly the matched question terms cluster: matched count over the span holding them."""
    wanted = set(question_terms)
    positions = [i for i, t in enumerate(terms) if t in wanted]
    if len(positions) < 2:
        return 0.0
    return len(positions) / (positions[-1] - positions[0] + 1)


def answer_type_match(question: str, sentence: str) -> float:
    q = question.lower()
    if q.startswith(("who ", "whom ", "whose ")) or q.startswith("where "):
        names = {m.group(0) for m in CAPITAL.finditer(sentence)} - set(question.split())
        return 1.0 if names else 0.0
    if q.startswith(("how many", "how much")) or " how many " in q or "what percentage" in q:
        return 1.0 if NUMBER.search(sentence) else 0.0
    if q.startswith(("when", "what year", "in what year", "which year", "in which year")):
        return 1.0 if YEAR.search(sentence) else 0.0
    return 1.0


def collect(archive: Archive, questions: list[datasets.SentenceQuestion]) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """Per question: each candidate sentence's features and whether it holds the gold answer."""
    rows = []
    for q in questions:
        start, end = gold_span(archive, q)
        found = archive.evidence(q.question)
        cands = found.sentences
        if not cands:
            continue
        cos_s = np.array([c.cosine or 0.0 for c in cands])
        cos_p = np.array([c.passage_cosine or 0.0 for c in cands])
        qt = list(found.question_idf)
        st = [list(c.terms) for c in cands]
        bm = np.array([c.lexical for c in cands])
        wanted = set(qt)
        cov = np.array([len(wanted.intersection(t)) / max(1, len(wanted)) for t in st])
        prior = np.array([1.0 / (1 + c.passage_rank) for c in cands])
        idf = found.question_idf
        total = sum(idf.values()) or 1.0
        idf_cov = np.array([sum(idf[t] for t in wanted.intersection(terms)) / total for terms in st])
        qb = set(itertools.pairwise(qt))
        bigram = np.array([len(qb.intersection(itertools.pairwise(t))) / max(1, len(qb)) for t in st])
        atype = np.array([answer_type_match(q.question, c.text) for c in cands])
        ctx = np.array([c.context_cosine or 0.0 for c in cands])
        prox = np.array([proximity(qt, t) for t in st])
        novel = np.array([min(1.0, len(set(t) - wanted) / 5) for t in st])
        x = np.stack([cos_s, cos_p, bm, cov, prior, idf_cov, bigram, atype, ctx, prox, novel], axis=1)
        y = np.array([c.article_id == q.article_id and c.start <= start and end <= c.end for c in cands])
        rows.append((x, y, q.article_id))
    return rows


def pack(rows: list[tuple[np.ndarray, np.ndarray, str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pad candidates into (questions, candidates, features) with a validity mask."""
    width = max(len(y) for _, y, _ in rows)
    x = np.zeros((len(rows), width, len(FEATURES)))
    y = np.zeros((len(rows), width), dtype=bool)
    valid = np.zeros((len(rows), width), dtype=bool)
    for i, (xi, yi, _) in enumerate(rows):
        x[i, : len(yi)], y[i, : len(yi)], valid[i, : len(yi)] = xi, yi, True
    return x, y, valid


def p_at_1(packed: tuple[np.ndarray, np.ndarray, np.ndarray], weights: np.ndarray) -> np.ndarray:
    """P@1 for each row of `weights` (n, features) at once."""
    x, y, valid = packed
    scores = np.einsum("qcf,nf->nqc", x, np.atleast_2d(weights))
    scores[:, ~valid] = -np.inf
    best = scores.argmax(axis=2)
    hits: np.ndarray = np.take_along_axis(y[None, :, :], best[:, :, None], axis=2)[:, :, 0]
    rates: np.ndarray = hits.mean(axis=1)
    return rates


def fit(packed: tuple[np.ndarray, np.ndarray, np.ndarray], seed: int = 0) -> tuple[np.ndarray, float]:
    """Random search over the simplex, then a local refinement around the best point."""
    rng = np.random.default_rng(seed)
    candidates = rng.dirichlet(np.ones(len(FEATURES)) * 0.5, size=4000)
    for _ in range(3):
        scores = p_at_1(packed, candidates)
        best = candidates[int(np.argmax(scores))]
        candidates = np.abs(best + rng.normal(0, 0.05, size=(2000, len(FEATURES))))
        candidates = np.vstack([best, candidates / candidates.sum(axis=1, keepdims=True)])
    scores = p_at_1(packed, candidates)
    i = int(np.argmax(scores))
    return candidates[i], float(scores[i])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--features", default="", help="comma-separated subset of the features to fit")
    args = parser.parse_args()
    _, questions = datasets.xquad_corpus(args.out / "data")
    archive = Archive.open(args.out / "index-xquad", settings=Settings.from_env())
    rows = collect(archive, questions)
    recall = np.mean([y.any() for _, y, _ in rows])
    print(f"{len(rows)} questions; gold sentence among candidates: {recall:.3f}")
    articles = sorted({a for _, _, a in rows})
    folds = [set(articles[0::2]), set(articles[1::2])]
    if args.features:
        keep = [FEATURES.index(name) for name in args.features.split(",")]
        chosen = tuple(FEATURES[i] for i in keep)
        rows = [(x[:, keep], y, a) for x, y, a in rows]
        globals()["FEATURES"] = chosen
    packed = pack(rows)
    for name in FEATURES:
        only = np.array([1.0 if f == name else 0.0 for f in FEATURES])
        print(f"  {name:13s} alone: P@1 {p_at_1(packed, only)[0]:.3f}")
    for i, held_out in enumerate(folds):
        train = pack([r for r in rows if r[2] not in held_out])
        test = pack([r for r in rows if r[2] in held_out])
        w, train_p = fit(train)
        print(f"fold {i}: {_show(w)} train P@1 {train_p:.3f} held-out {p_at_1(test, w)[0]:.3f}")
    w, p = fit(packed)
    print(f"all: {_show(w)} P@1 {p:.3f}")


def _show(weights: np.ndarray) -> str:
    return " ".join(f"{name}={value:.2f}" for name, value in zip(FEATURES, weights, strict=True))


if __name__ == "__main__":
    main()
