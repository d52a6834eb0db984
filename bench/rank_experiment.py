"""Which signals put the answering sentence first: candidate features on XQuAD-R, fitted with 2-fold CV.

    .venv/bin/python -m bench.rank_experiment --index bench/out/index-xquad [--features a,b,...]

For every XQuAD-R dev question, the candidates `ask` scores (`Archive.evidence`) with the
signals it uses today, plus candidate signals: the late-chunked sentence cosine (the
sentence's tokens pooled from its passage's forward pass, `index/pooling.py`), the
predecessor sentence's match (the sentence that repeats the question's words is often
followed by the one that answers, "He ..."), and answer-type cues. Weights are fitted by
coordinate ascent on one half of the articles and scored on the other half, both ways.
Features are cached in `<index>/../rank-features-<name>.npz` so fitting reruns are instant.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from archive import Archive, Settings, answer_types
from archive.language import MONTH_NAMES, QUANTITY_WORDS, SMALL_NUMBERS, distinct_terms
from bench import datasets
from bench.eval import DEFAULT_OUT, gold_span
from index import pooling
from index.snapshot import Snapshot

Matrix = npt.NDArray[np.float64]

FEATURES = (
    "cos",  # question vs the sentence encoded alone
    "pcos",  # question vs the best passage holding it
    "lex",  # BM25+ over the candidates, / best
    "cov",  # share of the question's IDF mass in the sentence
    "atype",  # today's answer-type match (numbers, dates)
    "late",  # question vs the late-chunked sentence vector
    "prev_cov",  # the preceding sentence's coverage (0 when it is not a candidate)
    "prev_cos",  # the preceding sentence's cosine
    "prev_late",
    "anaphor_prev_cov",  # prev_cov when the sentence opens with a pronoun or "The <noun>"
    "novel",  # share of the sentence's terms not in the question (an answer adds words)
    "who_name",  # who/whom/whose/which person: a capitalised word the question lacks
    "when_date",  # when/what year: a year, month or date word
    "art_cos",  # best candidate cosine in the sentence's article (article-level agreement)
    "art_cov",  # best coverage in the sentence's article
)
TODAY = {"cos": 0.33, "pcos": 0.33, "lex": 0.10, "cov": 0.17, "atype": 0.07}

ANAPHORS = frozenset(
    ["he", "she", "it", "they", "his", "her", "its", "their", "this", "these", "those", "there", "such", "both"]
)  # sentence openings that lean on what came before
CAPITALISED = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-zA-Z]+")
YEARISH = re.compile(rf"\b(1[0-9]\d\d|20\d\d)\b|\b({'|'.join(MONTH_NAMES)})\b|\bcentur|\bdecade", re.IGNORECASE)
NUMBERISH = re.compile(rf"\d|\b({'|'.join((*SMALL_NUMBERS, *QUANTITY_WORDS))})\b", re.IGNORECASE)


def late_vectors(archive: Archive, article_ids: Sequence[str]) -> dict[int, npt.NDArray[np.float32]]:
    """Late-chunked vectors of every sentence of `article_ids`, by sentence row (one pass per passage)."""
    snapshot = archive._current()  # bench reaches in: this measures a vector the index does not hold yet
    assert isinstance(snapshot, Snapshot), "an unsharded index: its arrays are read directly"
    model = archive.embedder._load()
    texts: list[str] = []
    spans: list[list[tuple[int, int]]] = []
    owners: list[list[int]] = []
    for article_id in article_ids:
        entry = snapshot.entry(article_id)
        article = snapshot.article(article_id)
        for p in range(entry.passage_count):
            first, end, start, _ = (int(v) for v in snapshot.passage_spans[entry.passage_row + p])
            passage = snapshot.passage(entry.passage_row + p)
            text = article.text[passage.start : passage.end]
            shift = -start
            rows = [entry.sentence_row + s for s in range(first, end)]
            texts.append(text)
            owners.append(rows)
            spans.append([(int(a) + shift, int(b) + shift) for a, b in snapshot.sentence_spans[rows]])
    found: dict[int, list[tuple[npt.NDArray[np.float32], bool]]] = {}
    batch = 256
    for begin in range(0, len(texts), batch):
        _, pooled = model.encode_with_spans(texts[begin : begin + batch], spans[begin : begin + batch])
        for rows, span_vectors in zip(owners[begin : begin + batch], pooled, strict=True):
            for i, row in enumerate(rows):
                found.setdefault(row, []).append((span_vectors.vectors[i], bool(span_vectors.whole[i])))
        print(f"  late chunking: {min(begin + batch, len(texts))}/{len(texts)} passages", flush=True)
    dimension = archive.embedder.dimension
    return {row: pooling.combine(candidates, dimension) for row, candidates in found.items()}


def collect(archive: Archive, questions: Sequence[datasets.SentenceQuestion]) -> dict[str, npt.NDArray[np.generic]]:
    """Features of every candidate of every question, flattened, with question and article ids."""
    snapshot = archive._current()
    per_question = []
    for n, q in enumerate(questions):
        per_question.append((q, archive.evidence(q.question)))
        if n % 100 == 0:
            print(f"  evidence {n}/{len(questions)}", flush=True)
    articles = sorted({s.article_id for _, found in per_question for s in found.sentences})
    late = late_vectors(archive, articles)
    embedder = archive.embedder
    rows_x, rows_y, rows_q, rows_a = [], [], [], []
    for n, (q, found) in enumerate(per_question):
        cands = found.sentences
        if not cands:
            continue
        start, end = gold_span(archive, q)
        qv = embedder.encode_one(q.question)
        wanted = set(found.question_idf)
        lower = q.question.lower()
        by_place = {(c.article_id, c.position): i for i, c in enumerate(cands)}
        late_cos = [float(late[snapshot.entry(c.article_id).sentence_row + c.position] @ qv) for c in cands]
        feats = np.zeros((len(cands), len(FEATURES)))
        for i, c in enumerate(cands):
            prev = by_place.get((c.article_id, c.position - 1))
            terms = distinct_terms(c.text)
            first_word = c.text.split(maxsplit=1)[0].lower().strip(",.\"'") if c.text.split() else ""
            anaphor = first_word in ANAPHORS or (
                first_word == "the" and len(c.text.split()) > 1 and c.text.split()[1][:1].islower()
            )
            prev_cov = cands[prev].coverage if prev is not None else 0.0
            names = {m.group(0).lower() for m in CAPITALISED.finditer(c.text)} - set(lower.split())
            row = {
                "cos": c.cosine or 0.0,
                "pcos": c.passage_cosine or 0.0,
                "lex": c.lexical,
                "cov": c.coverage,
                "atype": answer_types.number_or_date_found(q.question, c.text),
                "late": late_cos[i],
                "prev_cov": prev_cov,
                "prev_cos": (cands[prev].cosine or 0.0) if prev is not None else 0.0,
                "prev_late": late_cos[prev] if prev is not None else 0.0,
                "anaphor_prev_cov": prev_cov if anaphor else 0.0,
                "novel": min(1.0, len(set(terms) - wanted) / 5),
                "who_name": float(bool(names)) if lower.startswith(("who ", "whom ", "whose ")) else 1.0,
                "when_date": float(bool(YEARISH.search(c.text)))
                if lower.startswith(("when ", "what year", "in what year", "which year", "in which year"))
                else 1.0,
                "art_cos": 0.0,
                "art_cov": 0.0,
            }
            feats[i] = [row[name] for name in FEATURES]
        ids = [c.article_id for c in cands]
        for article_id in set(ids):
            mask = np.array([a == article_id for a in ids])
            feats[mask, FEATURES.index("art_cos")] = feats[mask, FEATURES.index("cos")].max()
            feats[mask, FEATURES.index("art_cov")] = feats[mask, FEATURES.index("cov")].max()
        rows_x.append(feats)
        rows_y.append([c.article_id == q.article_id and c.start <= start and end <= c.end for c in cands])
        rows_q.extend([n] * len(cands))
        rows_a.append(q.article_id)
    return {
        "x": np.concatenate(rows_x),
        "y": np.concatenate([np.array(y, dtype=bool) for y in rows_y]),
        "q": np.array(rows_q),
        "article": np.array(rows_a),
        "features": np.array(FEATURES),
    }


class Packed:
    """Candidates padded to (questions, width, features) so many weight vectors score at once."""

    def __init__(self, x: Matrix, y: npt.NDArray[np.bool_], q: npt.NDArray[np.int64]) -> None:
        questions, starts = np.unique(q, return_index=True)
        counts = np.diff(np.append(starts, len(q)))
        width = int(counts.max())
        self.x = np.zeros((len(questions), width, x.shape[1]))
        self.y = np.zeros((len(questions), width), dtype=bool)
        self.valid = np.zeros((len(questions), width), dtype=bool)
        for i, (s, c) in enumerate(zip(starts, counts, strict=True)):
            self.x[i, :c], self.y[i, :c], self.valid[i, :c] = x[s : s + c], y[s : s + c], True

    def metrics(self, weights: Matrix) -> tuple[Matrix, Matrix]:
        """P@1 and MRR@10 for each row of `weights` (n, features)."""
        scores = np.einsum("qcf,nf->nqc", self.x, np.atleast_2d(weights))
        scores[:, ~self.valid] = -np.inf
        order = np.argsort(-scores, axis=2, kind="stable")[:, :, :10]
        hits = np.take_along_axis(np.broadcast_to(self.y, scores.shape), order, axis=2)
        first = np.where(hits.any(axis=2), hits.argmax(axis=2) + 1, 0)
        reciprocal = np.where(first > 0, 1.0 / np.maximum(first, 1), 0.0)
        return (first == 1).mean(axis=1), reciprocal.mean(axis=1)


def fit(packed: Packed, names: Sequence[str], start: Matrix, sweeps: int = 3) -> Matrix:
    """Coordinate ascent on P@1 (+ MRR to break ties), one weight at a time over a grid."""
    weights = start.copy()
    grid = np.round(np.arange(0.0, 0.61, 0.02), 2)
    for _ in range(sweeps):
        for f in range(len(names)):
            trials = np.repeat(weights[None, :], len(grid), axis=0)
            trials[:, f] = grid
            p1, mrr = packed.metrics(trials)
            weights = trials[int(np.argmax(p1 + 0.5 * mrr))]
    return weights


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, default=DEFAULT_OUT / "index-xquad")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--features", default="", help="comma-separated subset of FEATURES to fit")
    args = parser.parse_args(argv)
    cache = args.index.parent / f"rank-features-{args.index.name}.npz"
    if not cache.exists():
        _, questions = datasets.xquad_corpus(args.out / "data")
        archive = Archive.open(args.index, settings=Settings.from_env())
        data = collect(archive, questions)
        np.savez(cache, **data)  # type: ignore[arg-type]  # numpy's stub types **kwds as its bool flag
    loaded = np.load(cache)
    names = list(args.features.split(",")) if args.features else list(FEATURES)
    columns = [list(loaded["features"]).index(n) for n in names]
    x, y, q, article = loaded["x"][:, columns], loaded["y"], loaded["q"], loaded["article"]
    report(x, y, q, article, names)


def report(
    x: Matrix, y: npt.NDArray[np.bool_], q: npt.NDArray[np.int64], article: npt.NDArray[np.str_], names: Sequence[str]
) -> None:
    everything = Packed(x, y, q)
    print(f"{everything.x.shape[0]} questions; gold among candidates {everything.y.any(axis=1).mean():.3f}")
    # Without "cos", the late-chunked cosine stands in for it at today's weight (the vectors replaced).
    baseline = TODAY if "cos" in names else {**TODAY, "late": TODAY["cos"]}
    today = np.array([baseline.get(n, 0.0) for n in names])
    p1, mrr = everything.metrics(today)
    print(f"today's weights: P@1 {p1[0]:.3f} MRR@10 {mrr[0]:.3f}")
    for n, name in enumerate(names):
        alone = np.eye(len(names))[n]
        p1, mrr = everything.metrics(alone)
        print(f"  {name:17s} alone: P@1 {p1[0]:.3f}")
    question_article = {int(qq): a for qq, a in zip(np.unique(q), article, strict=True)}
    articles = sorted(set(article))
    folds = [set(articles[0::2]), set(articles[1::2])]
    held_p1, held_mrr, total = 0.0, 0.0, 0
    for i, held_out in enumerate(folds):
        train = np.array([question_article[int(qq)] not in held_out for qq in q])
        w = fit(Packed(x[train], y[train], q[train]), names, today)
        test = Packed(x[~train], y[~train], q[~train])
        p1, mrr = test.metrics(w)
        n = test.x.shape[0]
        held_p1, held_mrr, total = held_p1 + p1[0] * n, held_mrr + mrr[0] * n, total + n
        print(f"fold {i}: {_show(w, names)} held-out P@1 {p1[0]:.3f} MRR {mrr[0]:.3f} ({n} q)")
    print(f"2-fold held-out: P@1 {held_p1 / total:.3f} MRR@10 {held_mrr / total:.3f}")
    w = fit(everything, names, today)
    p1, mrr = everything.metrics(w)
    print(f"all: {_show(w, names)} P@1 {p1[0]:.3f} MRR {mrr[0]:.3f}")


def _show(weights: Matrix, names: Sequence[str]) -> str:
    return " ".join(f"{name}={value:.2f}" for name, value in zip(names, weights, strict=True) if value)


if __name__ == "__main__":
    main()
