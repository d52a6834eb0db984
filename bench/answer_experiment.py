"""Answerer experiments on XQuAD-R: metric readings, new sentence features, learned rankers.

    nice -n 19 .venv/bin/python -m bench.answer_experiment [--out bench/out] [--refresh]

Collects every question's candidate sentences once through the same retrieval and
candidate gathering as `Archive.ask` (cached in bench/out/answer_experiment.pkl), then
compares sentence rankers offline with 2-fold cross-validation over articles (the folds
of `bench.tune_answerer`): held-out P@1 and MRR@10 of the cited sentences, the citations
ordered as `archive.selection` orders them (reprints collapsed, articles taking turns; the
simulated order matches `Archive.ask(k=10)` question for question at the commit it was
written against). The metric readings use three gold rules: answers[0]'s span at its
offset (as `bench.eval`), any annotator's span, and the sentence text containing any answer.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import pickle
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize  # type: ignore[import-untyped]

from archive import Archive, Settings, scoring
from archive.language import distinct_terms
from bench import datasets
from bench.eval import DEFAULT_OUT, gold_span

Array = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
CACHE_NAME = "answer_experiment.pkl"
CACHE_VERSION = 3


@dataclass
class Candidate:
    text: str
    article_id: str
    start: int
    end: int
    position: int  # sentence index in the article
    paragraph: int  # paragraph (line) index in the article
    in_paragraph: int  # sentence index within its paragraph
    paragraph_sentences: int
    passage_rank: int
    cos_sentence: float
    cos_passage: float
    cos_stripped: float  # cosine to the question without wh-words and stopwords
    terms: list[str]
    group: str  # story or article id: the reprint-collapse and turn-taking key
    baseline: float  # the score `scoring.score_sentences` gives now
    bm25: float
    in_period: bool
    previous: str  # the sentence before, in the same paragraph ("" for a paragraph's first)
    previous_cos: float
    following: str  # the sentence after, in the same paragraph
    following_cos: float
    cos_with_previous: float  # cosine to the embedding of the previous sentence and this one, joined
    cos_with_following: float  # cosine to the embedding of this sentence and the next one, joined


@dataclass
class Question:
    question: str
    article_id: str
    answers: list[str]
    gold: tuple[int, int]  # answers[0] at its gold offset
    gold_spans: list[tuple[int, int]]  # every annotator answer at its offset
    question_idf: dict[str, float]
    idf: dict[str, float]  # whole-index IDF of every term of the question and the candidates
    candidates: list[Candidate] = field(default_factory=list)


# ----- collection ---------------------------------------------------------------------------

_WH = frozenset(
    [
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "many",
        "much",
        "does",
        "did",
        "do",
        "is",
        "are",
        "was",
        "were",
        "the",
        "a",
        "an",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "by",
        "from",
        "with",
        "as",
        "and",
        "or",
        "that",
        "this",
        "these",
        "those",
        "its",
        "it",
        "be",
        "been",
    ]
)


def stripped_question(question: str) -> str:
    words = [w for w in re.findall(r"[\w'-]+", question) if w.lower() not in _WH]
    return " ".join(words) or question


def _all_answers() -> list[list[tuple[int, int, str]]]:
    """Per question (in `datasets.xquad_corpus` order): every (paragraph, offset, text) annotator answer."""
    data = json.loads(datasets.XQUAD.read_text(encoding="utf-8"))
    out = []
    for article in data["data"]:
        for index, paragraph in enumerate(article["paragraphs"]):
            for qa in paragraph["qas"]:
                out.append([(index, a["answer_start"], a["text"]) for a in qa["answers"]])
    return out


def collect(archive: Archive, questions: Sequence[datasets.SentenceQuestion]) -> list[Question]:
    snapshot = archive._current()
    embedder = archive._query_embedder()
    answers = _all_answers()
    paragraphs_of: dict[str, list[int]] = {}
    windows: dict[str, tuple[Array, Array]] = {}
    out: list[Question] = []
    for q, annotated in zip(questions, answers, strict=True):
        text = archive.article(q.article_id).text
        line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        spans = [(line_starts[p] + s, line_starts[p] + s + len(t)) for p, s, t in annotated]
        found = archive.evidence(q.question)
        qv = embedder.encode_one(q.question)
        question_idf = dict(found.question_idf)
        sv = embedder.encode_one(stripped_question(q.question))
        terms = {t for c in found.sentences for t in c.terms} | set(question_idf)
        record = Question(
            q.question,
            q.article_id,
            [t for _, _, t in annotated],
            gold_span(archive, q),
            spans,
            question_idf,
            {t: snapshot.store.idf(t) for t in terms},
        )
        for c in found.sentences:
            entry = snapshot.entry(c.article_id)
            row = entry.sentence_row + c.position
            article_text = archive.article(c.article_id).text
            paragraph = article_text.count("\n", 0, c.start)
            if c.article_id not in paragraphs_of:
                rows = range(entry.sentence_row, entry.sentence_row + entry.sentence_count)
                paragraphs_of[c.article_id] = [
                    article_text.count("\n", 0, int(snapshot.sentence_spans[r][0])) for r in rows
                ]
            para_of = paragraphs_of[c.article_id]
            if c.article_id not in windows:
                windows[c.article_id] = _window_vectors(embedder, article_text, snapshot, entry, para_of)
            around = []
            for step in (-1, 1):
                other = c.position + step
                if 0 <= other < len(para_of) and para_of[other] == paragraph:
                    lo, hi = (int(v) for v in snapshot.sentence_spans[entry.sentence_row + other])
                    around.append(
                        (article_text[lo:hi], float(snapshot.sentence_vectors[entry.sentence_row + other] @ qv))
                    )
                else:
                    around.append(("", 0.0))
            record.candidates.append(
                Candidate(
                    c.text,
                    c.article_id,
                    c.start,
                    c.end,
                    c.position,
                    paragraph,
                    sum(1 for p in para_of[: c.position] if p == paragraph),
                    sum(1 for p in para_of if p == paragraph),
                    c.passage_rank,
                    float(c.cosine or 0.0),
                    float(c.passage_cosine or 0.0),
                    float(snapshot.sentence_vectors[row] @ sv),
                    list(c.terms),
                    entry.story or c.article_id,
                    c.score,
                    c.lexical,
                    c.in_period,
                    around[0][0],
                    around[0][1],
                    around[1][0],
                    around[1][1],
                    float(windows[c.article_id][0][c.position] @ qv),
                    float(windows[c.article_id][1][c.position] @ qv),
                )
            )
        out.append(record)
    return out


def _window_vectors(embedder: Any, text: str, snapshot: Any, entry: Any, para_of: Sequence[int]) -> tuple[Array, Array]:
    """Per sentence of an article: the embeddings of (previous + it) and (it + next), within its paragraph."""
    spans = [
        (int(a), int(b)) for a, b in snapshot.sentence_spans[entry.sentence_row : entry.sentence_row + len(para_of)]
    ]
    sentences = [text[a:b] for a, b in spans]
    joined_prev, joined_next = [], []
    for i, sentence in enumerate(sentences):
        same_prev = i > 0 and para_of[i - 1] == para_of[i]
        same_next = i + 1 < len(sentences) and para_of[i + 1] == para_of[i]
        joined_prev.append(f"{sentences[i - 1]} {sentence}" if same_prev else sentence)
        joined_next.append(f"{sentence} {sentences[i + 1]}" if same_next else sentence)
    return np.asarray(embedder.encode(joined_prev), dtype=np.float64), np.asarray(
        embedder.encode(joined_next), dtype=np.float64
    )


def load(out: Path, refresh: bool) -> list[Question]:
    cache = out / CACHE_NAME
    if cache.exists() and not refresh:
        version, records = pickle.loads(cache.read_bytes())
        if version == CACHE_VERSION:
            return list(records)
    import torch

    torch.set_num_threads(1)
    _, questions = datasets.xquad_corpus(out / "data")
    archive = Archive.open(out / "index-xquad", settings=Settings.from_env(embedding_cache="off", threads=1))
    records = collect(archive, questions)
    cache.write_bytes(pickle.dumps((CACHE_VERSION, records)))
    return records


# ----- metrics ------------------------------------------------------------------------------


def ranked(record: Question, scores: Array, k: int = 10) -> list[int]:
    """Candidate indices as `archive.selection` cites them: reprints collapsed, articles taking turns."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    kept: dict[tuple[str, str], int] = {}
    for i in order:
        c = record.candidates[i]
        kept.setdefault((c.group, " ".join(c.text.split()).casefold()), i)
    rounds: list[list[int]] = []
    counts: dict[str, int] = {}
    for i in kept.values():
        group = record.candidates[i].group
        seen = counts.get(group, 0)
        counts[group] = seen + 1
        while len(rounds) <= seen:
            rounds.append([])
        rounds[seen].append(i)
    return [i for round_ in rounds for i in round_][:k]


def strict(record: Question) -> Mask:
    start, end = record.gold
    return np.array(
        [c.article_id == record.article_id and c.start <= start and end <= c.end for c in record.candidates]
    )


def any_span(record: Question) -> Mask:
    return np.array(
        [
            c.article_id == record.article_id and any(c.start <= s and e <= c.end for s, e in record.gold_spans)
            for c in record.candidates
        ]
    )


def contains_text(record: Question) -> Mask:
    return np.array([any(a in c.text for a in record.answers) for c in record.candidates])


def reciprocal_ranks(records: Sequence[Question], scores: Sequence[Array], label: Callable[[Question], Mask]) -> Array:
    out = []
    for record, s in zip(records, scores, strict=True):
        y = label(record)
        rank = next((r for r, i in enumerate(ranked(record, s), start=1) if y[i]), None)
        out.append(1.0 / rank if rank else 0.0)
    return np.array(out)


# ----- features -----------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'%.,-]*[A-Za-z0-9%]|[A-Za-z0-9]")
_NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "hundreds",
        "thousand",
        "thousands",
        "million",
        "millions",
        "billion",
        "billions",
        "trillion",
        "dozen",
        "dozens",
        "half",
        "quarter",
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "once",
        "twice",
        "single",
        "double",
        "triple",
    ]
)
_MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
_DATE_WORDS = frozenset(["century", "centuries", "decade", "decades", "bc", "ad", "bce", "ce"])
_YEAR = re.compile(r"^(1\d\d\d|20\d\d|\d\d\d0s|1\d\d0s|\d{1,2}(st|nd|rd|th))$")
_PREPOSITIONS = frozenset(
    ["in", "at", "from", "near", "to", "into", "across", "throughout", "within", "outside", "inside"]
)
_NOT_NAMES = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "in",
        "on",
        "at",
        "of",
        "for",
        "by",
        "from",
        "with",
        "as",
        "and",
        "or",
        "but",
        "he",
        "she",
        "they",
        "his",
        "her",
        "their",
        "there",
        "then",
        "when",
        "while",
        "after",
        "before",
        "during",
        "however",
        "although",
        "since",
        "other",
        "some",
        "many",
        "most",
    ]
)

TYPES = ("number", "percent", "date", "person", "location", "other")
_PERSON_Q = re.compile(r"\b(who|whom|whose)\b|\b(what|which) (person|man|woman|people|president|king|scientist)\b")
_LOCATION_Q = re.compile(
    r"\bwhere\b|\b(what|which) (country|city|state|region|place|location|continent|area|town|river|island)\b"
)
_DATE_Q = re.compile(r"\bwhen\b|\b(what|which) (year|date|century|decade|month|day|time period|era)\b")
_PERCENT_Q = re.compile(r"\bpercent(age)?\b|\bwhat (share|proportion|fraction)\b")
_NUMBER_Q = re.compile(r"\bhow (many|much|long|old|far|large|big|tall|high|often)\b|\bwhat (number|amount)\b")


def question_type(question: str) -> str:
    q = question.lower()
    for name, pattern in (
        ("percent", _PERCENT_Q),
        ("number", _NUMBER_Q),
        ("date", _DATE_Q),
        ("person", _PERSON_Q),
        ("location", _LOCATION_Q),
    ):
        if pattern.search(q):
            return name
    return "other"


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _is_number(token: str) -> bool:
    return any(ch.isdigit() for ch in token) or token.lower() in _NUMBER_WORDS


def _is_date(token: str) -> bool:
    low = token.lower()
    return bool(_YEAR.match(low)) or low in _MONTHS or low in _DATE_WORDS


def typed_answers(question: str, kind: str, sentence: str) -> int:
    """How many tokens of the expected answer type the sentence has that the question lacks."""
    asked = {t.lower() for t in tokens(question)}
    words = tokens(sentence)
    if kind in ("number", "percent"):
        found = [w for w in words if _is_number(w) and w.lower() not in asked]
        if kind == "percent":
            has_percent = "%" in sentence or re.search(r"\bper ?cent\b", sentence, re.I) is not None
            return len(found) if has_percent else 0
        return len(found)
    if kind == "date":
        return sum(1 for w in words if _is_date(w) and w.lower() not in asked)
    if kind == "person":
        return sum(1 for w in _names(words) if w.lower() not in asked)
    if kind == "location":
        located = [
            words[i + 1]
            for i in range(len(words) - 1)
            if words[i].lower() in _PREPOSITIONS and words[i + 1][:1].isupper() and words[i + 1].lower() not in asked
        ]
        names = [w for w in _names(words) if w.lower() not in asked]
        return 2 * len(located) + len(names)
    return 0


def _names(words: Sequence[str]) -> list[str]:
    """Capitalised words not opening the sentence and not function words."""
    return [w for i, w in enumerate(words) if i > 0 and w[:1].isupper() and w.lower() not in _NOT_NAMES]


def novel_content(question: str, sentence: str) -> int:
    """Capitalised or numeric tokens of the sentence the question lacks (an answer-bearing hint for any type)."""
    asked = {t.lower() for t in tokens(question)}
    words = tokens(sentence)
    return sum(1 for w in _names(words) if w.lower() not in asked) + sum(
        1 for w in words if _is_number(w) and w.lower() not in asked
    )


def _stems(text: str) -> list[str]:
    from index.store import _analyzer

    return [t.text for t in _analyzer()(text)]


def longest_run(question: Sequence[str], sentence: Sequence[str]) -> int:
    """Length of the longest run of consecutive question terms found consecutively in the sentence."""
    best = 0
    previous = [0] * (len(sentence) + 1)
    for q in question:
        current = [0] * (len(sentence) + 1)
        for j, s in enumerate(sentence, start=1):
            if q == s:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


FEATURES = (
    "cos_sentence",
    "cos_passage",
    "bm25",
    "idf_cov",
    "atype_old",
    "period",
    "cos_stripped",
    "typed",  # 1 when the sentence has an expected-type token the question lacks (typed questions only)
    "typed_missing",  # 1 when a typed question's sentence has no such token
    "novel_other",  # log1p(novel capitalised/numeric tokens) for untyped questions
    "focus",  # longest consecutive run of question stems in the sentence, over the question's stems
    "gap_cos",  # cos_sentence minus the best cos_sentence among the candidates
    "gap_idf",  # idf_cov minus the best
    "top_cos",  # 1 for the candidate with the best cos_sentence
    "log_len",  # log of the sentence's stem count
    "first_in_par",
    "passage_prior",  # 1 / (1 + passage rank)
    "idf_missing_max",  # the largest IDF of a question term the sentence lacks, over the largest IDF in the question
    "prev_cov",  # idf coverage of the previous sentence of the paragraph (0 for a paragraph's first)
    "prev_cos",  # its cosine to the question
    "union_cov",  # idf coverage of the previous sentence and this one together
    "prev_lead",  # max(0, prev_cov - idf_cov): the question matches the sentence before better
    "anaphor",  # the sentence opens with a pronoun or demonstrative (it continues the one before)
    "next_cov",
    "next_cos",
    "cos_wprev",  # cosine to (previous sentence + this one) embedded together
    "cos_wnext",  # cosine to (this one + next sentence) embedded together
    "typed_person",
    "typed_location",
    "typed_number",
    "typed_date",
    "current",  # the current answerer's score
    "typed_delta",  # typed - typed_missing
)

_ANAPHORS = frozenset(
    ["he", "she", "it", "they", "this", "these", "those", "its", "his", "her", "their", "there", "such", "both"]
)


def features(record: Question) -> Array:
    q = record.question
    kind = question_type(q)
    qidf = record.question_idf
    total = sum(qidf.values()) or 1.0
    top_idf = max(qidf.values(), default=1.0) or 1.0
    q_stems = _stems(q)
    rows = []
    for c in record.candidates:
        terms = set(c.terms)
        cov = sum(v for t, v in qidf.items() if t in terms) / total
        typed_count = typed_answers(q, kind, c.text)
        stems = _stems(c.text)
        missing = [v for t, v in qidf.items() if t not in terms]
        before = set(distinct_terms(c.previous)) if c.previous else set()
        after = set(distinct_terms(c.following)) if c.following else set()
        prev_cov = sum(v for t, v in qidf.items() if t in before) / total
        opening = c.text.split()[0].strip(",").lower() if c.text.split() else ""
        rows.append(
            [
                c.cos_sentence,
                c.cos_passage,
                c.bm25,
                cov,
                scoring.answer_type_match(q, c.text),
                float(c.in_period),
                c.cos_stripped,
                float(kind != "other" and typed_count > 0),
                float(kind != "other" and typed_count == 0),
                math.log1p(novel_content(q, c.text)) if kind == "other" else 0.0,
                longest_run(q_stems, stems) / max(1, len(q_stems)),
                0.0,
                0.0,
                0.0,
                math.log(1 + len(stems)),
                float(c.in_paragraph == 0),
                1.0 / (1 + c.passage_rank),
                (max(missing) if missing else 0.0) / top_idf,
                prev_cov,
                c.previous_cos,
                sum(v for t, v in qidf.items() if t in terms or t in before) / total,
                max(0.0, prev_cov - cov),
                float(opening in _ANAPHORS),
                sum(v for t, v in qidf.items() if t in after) / total,
                c.following_cos,
                c.cos_with_previous,
                c.cos_with_following,
                float(kind == "person" and typed_count > 0) - float(kind == "person" and typed_count == 0),
                float(kind == "location" and typed_count > 0) - float(kind == "location" and typed_count == 0),
                float(kind in ("number", "percent") and typed_count > 0)
                - float(kind in ("number", "percent") and typed_count == 0),
                float(kind == "date" and typed_count > 0) - float(kind == "date" and typed_count == 0),
                c.baseline,
                float(kind != "other") * (1.0 if typed_count > 0 else -1.0),
            ]
        )
    x = np.array(rows, dtype=np.float64)
    f = FEATURES.index
    x[:, f("gap_cos")] = x[:, f("cos_sentence")] - x[:, f("cos_sentence")].max()
    x[:, f("gap_idf")] = x[:, f("idf_cov")] - x[:, f("idf_cov")].max()
    x[int(np.argmax(x[:, f("cos_sentence")])), f("top_cos")] = 1.0
    return x


# ----- models -------------------------------------------------------------------------------

CURRENT = {
    "cos_sentence": 0.33,
    "cos_passage": 0.33,
    "bm25": 0.10,
    "idf_cov": 0.17,
    "atype_old": 0.07,
    "period": 0.05,
}


@dataclass
class Data:
    records: list[Question]
    x: list[Array]
    y: list[Mask]
    article: list[str]


def listwise_fit(x: Sequence[Array], y: Sequence[Mask], l2: float) -> Array:
    """Linear conditional-logit (softmax over each question's candidates) with an L2 penalty."""
    usable = [(xi, yi.astype(np.float64) / yi.sum()) for xi, yi in zip(x, y, strict=True) if yi.any() and not yi.all()]
    n = len(usable)
    dims = x[0].shape[1]

    def loss(w: Array) -> tuple[float, Array]:
        value = 0.5 * l2 * float(w @ w)
        grad = l2 * w
        for xi, ti in usable:
            s = xi @ w
            s = s - s.max()
            p = np.exp(s)
            p /= p.sum()
            value -= float(ti @ s - math.log(float(np.exp(s).sum()))) / n
            grad = grad + (xi.T @ (p - ti)) / n
        return value, grad

    result = minimize(loss, np.zeros(dims), jac=True, method="L-BFGS-B")
    return np.asarray(result.x, dtype=np.float64)


def pairwise_fit(x: Sequence[Array], y: Sequence[Mask], c: float) -> Array:
    """Logistic regression on (gold - other) feature differences, both orientations, no intercept."""
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    diffs, weights = [], []
    for xi, yi in zip(x, y, strict=True):
        if not yi.any() or yi.all():
            continue
        pos, neg = xi[yi], xi[~yi]
        d = (pos[:, None, :] - neg[None, :, :]).reshape(-1, xi.shape[1])
        diffs.append(d)
        weights.append(np.full(len(d), 1.0 / len(d)))  # each question counts once
    d = np.vstack(diffs)
    w = np.concatenate(weights)
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=2000)
    model.fit(np.vstack([d, -d]), np.r_[np.ones(len(d)), np.zeros(len(d))], sample_weight=np.r_[w, w])
    return np.asarray(model.coef_[0], dtype=np.float64)


def random_search_fit(x: Sequence[Array], y: Sequence[Mask], seed: int = 0) -> Array:
    """`bench.tune_answerer`'s search: non-negative weights on the simplex maximising P@1."""
    width = max(len(yi) for yi in y)
    dims = x[0].shape[1]
    xx = np.full((len(x), width, dims), 0.0)
    yy = np.zeros((len(x), width), dtype=bool)
    valid = np.zeros((len(x), width), dtype=bool)
    for i, (xi, yi) in enumerate(zip(x, y, strict=True)):
        xx[i, : len(yi)], yy[i, : len(yi)], valid[i, : len(yi)] = xi, yi, True

    def p1(weights: Array) -> Array:
        s = np.einsum("qcf,nf->nqc", xx, np.atleast_2d(weights))
        s[:, ~valid] = -np.inf
        best = s.argmax(axis=2)
        return np.asarray(np.take_along_axis(yy[None], best[:, :, None], axis=2)[:, :, 0].mean(axis=1))

    rng = np.random.default_rng(seed)
    cands = rng.dirichlet(np.ones(dims) * 0.5, size=3000)
    for _ in range(3):
        best = cands[int(np.argmax(p1(cands)))]
        cands = np.abs(best + rng.normal(0, 0.05, size=(1500, dims)))
        cands = np.vstack([best, cands / cands.sum(axis=1, keepdims=True)])
    return np.asarray(cands[int(np.argmax(p1(cands)))])


GRID = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)


def grid_fit(x: Sequence[Array], y: Sequence[Mask]) -> Array:
    """Current score (weight 1) plus each further column times a grid value, chosen for training P@1 then MRR."""
    best: tuple[float, float, tuple[float, ...]] = (-1.0, -1.0, ())
    for combo in itertools.product(GRID, repeat=x[0].shape[1] - 1):
        w = np.array([1.0, *combo])
        hits, reciprocal = 0.0, 0.0
        for xi, yi in zip(x, y, strict=True):
            order = np.argsort(-(xi @ w), kind="stable")
            first = np.flatnonzero(yi[order][:10])
            hits += float(first.size > 0 and first[0] == 0)
            reciprocal += 1.0 / (first[0] + 1) if first.size else 0.0
        if (hits, reciprocal) > best[:2]:
            best = (hits, reciprocal, tuple(w))
    return np.array(best[2])


class _Boosted:
    """A pointwise gradient-boosted reference (not a pure-function candidate): scores are its log-odds."""

    def __init__(self, x: Sequence[Array], y: Sequence[Mask]) -> None:
        from sklearn.ensemble import HistGradientBoostingClassifier  # type: ignore[import-untyped]

        self.model = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15)
        self.model.fit(np.vstack(x), np.concatenate(y))

    def __call__(self, x: Array) -> Array:
        return np.asarray(self.model.decision_function(x), dtype=np.float64)


def evaluate_boosted(data: Data, columns: Sequence[str]) -> tuple[list[tuple[float, float]], float, float]:
    cols = [FEATURES.index(c) for c in columns]
    xs = [xi[:, cols] for xi in data.x]
    articles = sorted(set(data.article))
    per_fold, pooled = [], np.zeros(len(xs))
    for held in (set(articles[0::2]), set(articles[1::2])):
        train = [i for i, a in enumerate(data.article) if a not in held]
        test = [i for i, a in enumerate(data.article) if a in held]
        model = _Boosted([xs[i] for i in train], [data.y[i] for i in train])
        rr = reciprocal_ranks([data.records[i] for i in test], [model(xs[i]) for i in test], strict)
        pooled[test] = rr
        per_fold.append((float(np.mean(rr == 1.0)), float(np.mean(rr))))
    return per_fold, float(np.mean(pooled == 1.0)), float(np.mean(pooled))


@dataclass
class Variant:
    name: str
    columns: tuple[str, ...]
    fit: Callable[[Sequence[Array], Sequence[Mask]], Array] | None  # None: fixed CURRENT weights
    standardise: bool = True


def evaluate(data: Data, variant: Variant) -> tuple[list[tuple[float, float]], float, float, Array | None]:
    """Held-out (P@1, MRR@10) per fold, pooled P@1 and MRR@10, and the weights fitted on everything."""
    cols = [FEATURES.index(c) for c in variant.columns]
    xs = [xi[:, cols] for xi in data.x]
    articles = sorted(set(data.article))
    folds = [set(articles[0::2]), set(articles[1::2])]
    per_fold, pooled = [], np.zeros(len(xs))
    for held in folds:
        train = [i for i, a in enumerate(data.article) if a not in held]
        test = [i for i, a in enumerate(data.article) if a in held]
        w = _fit(variant, [xs[i] for i in train], [data.y[i] for i in train])
        rr = reciprocal_ranks([data.records[i] for i in test], [xs[i] @ w for i in test], strict)
        pooled[test] = rr
        per_fold.append((float(np.mean(rr == 1.0)), float(np.mean(rr))))
    weights = _fit(variant, xs, data.y) if variant.fit is not None else None
    return per_fold, float(np.mean(pooled == 1.0)), float(np.mean(pooled)), weights


def _fit(variant: Variant, x: Sequence[Array], y: Sequence[Mask]) -> Array:
    if variant.fit is None:
        return np.array([CURRENT[c] for c in variant.columns])
    if not variant.standardise:
        return variant.fit(x, y)
    stacked = np.vstack(x)
    mean, scale = stacked.mean(axis=0), stacked.std(axis=0)
    scale[scale == 0] = 1.0
    w = variant.fit([(xi - mean) / scale for xi in x], y)
    return np.asarray(w / scale)  # scores in the original units (the offset is irrelevant to ranking)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--refresh", action="store_true", help="collect the candidates again")
    args = parser.parse_args(argv)
    records = load(args.out, args.refresh)
    data = Data(records, [features(r) for r in records], [strict(r) for r in records], [r.article_id for r in records])
    base = [np.array([c.baseline for c in r.candidates]) for r in records]
    print(f"{len(records)} questions; gold among candidates {np.mean([y.any() for y in data.y]):.3f}")
    for name, label in (("strict", strict), ("any annotator span", any_span), ("text contains answer", contains_text)):
        rr = reciprocal_ranks(records, base, label)
        print(f"current answerer, {name}: P@1 {np.mean(rr == 1.0):.3f} MRR@10 {np.mean(rr):.3f}")
    kinds = [question_type(r.question) for r in records]
    print("question types:", {k: kinds.count(k) for k in TYPES})
    old = tuple(CURRENT)
    new = (*old, "cos_stripped", "typed", "typed_missing", "novel_other", "focus")
    extra = (*new, "gap_cos", "gap_idf", "top_cos", "log_len", "first_in_par", "passage_prior", "idf_missing_max")
    context = (*old, "prev_cov", "prev_cos", "union_cov", "prev_lead", "anaphor", "next_cov", "next_cos")
    context_typed = (*context, "typed", "typed_missing", "novel_other")
    everything = (*extra, "prev_cov", "prev_cos", "union_cov", "prev_lead", "anaphor", "next_cov", "next_cos")
    variants = [
        Variant("current weights (fixed)", old, None),
        Variant("random search, current features", old, random_search_fit, standardise=False),
        Variant("random search, + new features", new, random_search_fit, standardise=False),
        Variant("listwise LR, current features", old, lambda x, y: listwise_fit(x, y, 1e-3)),
        Variant("listwise LR, + new features", new, lambda x, y: listwise_fit(x, y, 1e-3)),
        Variant("listwise LR, all features", extra, lambda x, y: listwise_fit(x, y, 1e-3)),
        Variant("pairwise LR, current features", old, lambda x, y: pairwise_fit(x, y, 1.0)),
        Variant("pairwise LR, + new features", new, lambda x, y: pairwise_fit(x, y, 1.0)),
        Variant("pairwise LR, all features", extra, lambda x, y: pairwise_fit(x, y, 1.0)),
        Variant("random search, + context", context, random_search_fit, standardise=False),
        Variant("listwise LR, + context", context, lambda x, y: listwise_fit(x, y, 1e-3)),
        Variant("listwise LR, + context + typed", context_typed, lambda x, y: listwise_fit(x, y, 1e-3)),
        Variant("listwise LR, everything", everything, lambda x, y: listwise_fit(x, y, 1e-3)),
        Variant("listwise LR, + windows", (*old, "cos_wprev", "cos_wnext"), lambda x, y: listwise_fit(x, y, 1e-3)),
        Variant(
            "listwise LR, + context + typed + windows",
            (*context_typed, "cos_wprev", "cos_wnext"),
            lambda x, y: listwise_fit(x, y, 1e-3),
        ),
        Variant(
            "listwise LR, + context + per-type typed + windows",
            (
                *context,
                "typed_person",
                "typed_location",
                "typed_number",
                "typed_date",
                "novel_other",
                "cos_wprev",
                "cos_wnext",
            ),
            lambda x, y: listwise_fit(x, y, 1e-3),
        ),
        Variant("current + grid x union_cov", ("current", "union_cov"), grid_fit, standardise=False),
        Variant("current + grid x typed_delta", ("current", "typed_delta"), grid_fit, standardise=False),
        Variant(
            "current + grid x (union_cov, typed_delta)",
            ("current", "union_cov", "typed_delta"),
            grid_fit,
            standardise=False,
        ),
        Variant("pairwise LR, + context", context, lambda x, y: pairwise_fit(x, y, 1.0)),
        Variant("pairwise LR, + context + typed", context_typed, lambda x, y: pairwise_fit(x, y, 1.0)),
    ]
    print("\n| variant | held-out P@1 | held-out MRR@10 | fold 0 P@1 / MRR | fold 1 P@1 / MRR |\n|---|---|---|---|---|")
    fitted = {}
    for variant in variants:
        folds, p1, mrr, w = evaluate(data, variant)
        fitted[variant.name] = (variant.columns, w)
        shown = " | ".join(f"{a:.3f} / {b:.3f}" for a, b in folds)
        print(f"| {variant.name} | {p1:.3f} | {mrr:.3f} | {shown} |", flush=True)
    boosted = [c for c in everything if c != "current"]
    folds, p1, mrr = evaluate_boosted(data, boosted)
    shown = " | ".join(f"{a:.3f} / {b:.3f}" for a, b in folds)
    print(f"| gradient boosting (reference), everything | {p1:.3f} | {mrr:.3f} | {shown} |", flush=True)
    for name, (columns, w) in fitted.items():
        if w is not None:
            print(f"\n{name}: " + ", ".join(f"{c}={v:+.4f}" for c, v in zip(columns, w, strict=True)))
    print(f"\nmean over questions: {statistics.fmean(len(r.candidates) for r in records):.1f} candidates")


if __name__ == "__main__":
    main()
