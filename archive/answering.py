"""Scoring candidate sentences and choosing citations: pure functions, no index access.

A sentence's score is a weighted sum of signals, each in [0, 1] (cosines can dip below 0):
- dense: cosine between the question and the sentence;
- passage: cosine between the question and the best passage holding the sentence (context);
- lexical: BM25+ (rank-bm25; its IDF stays positive in a small candidate set, unlike BM25
  Okapi's) of the question over the candidate sentences, divided by the best;
- idf coverage: the share of the question's IDF mass (whole-index IDF) the sentence contains;
- answer type: 1 unless the question asks for a number or a date the sentence lacks;
- period: a small bonus when the question names a month or year and the sentence's article
  is dated in it, or the sentence mentions a date in it.
The weights were fitted on XQuAD-R by `bench/tune_answerer.py` (random search with
2-fold cross-validation over articles; rounded averages of the two folds). Without
embeddings (the model still loading) only the lexical signals count, rescaled.
The score of the best sentence is the answer's confidence, which the abstention
threshold applies to (calibrated by `bench/eval.py`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rank_bm25 import BM25Plus

WEIGHT_DENSE = 0.33
WEIGHT_PASSAGE = 0.33
WEIGHT_LEXICAL = 0.10
WEIGHT_IDF_COVERAGE = 0.17
WEIGHT_ANSWER_TYPE = 0.07
# Bonus for a sentence in the period a question names ("in March 2025"): enough to order
# sources within the period first, not enough to beat a clearly better sentence.
WEIGHT_PERIOD = 0.05
LEXICAL_ONLY_SCALE = 1.0 / (WEIGHT_LEXICAL + WEIGHT_IDF_COVERAGE + WEIGHT_ANSWER_TYPE)

_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|"
    r"thousands?|millions?|billions?)\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(1[5-9]\d\d|20\d\d)\b|\b(January|February|March|April|May|June|July|August|September|October|"
    r"November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today|"
    r"century|decade)\b",
    re.IGNORECASE,
)
_ASKS_NUMBER = ("how many", "how much", "what percentage", "what number", "how long", "how old", "how far")
_ASKS_DATE = ("when", "what year", "in what year", "which year", "in which year", "what date", "on what date")


@dataclass(frozen=True)
class SentenceSignals:
    """The per-sentence inputs of `score_sentences`; cosines are None without the model."""

    terms: Sequence[str]
    text: str
    passage_rank: int
    cosine: float | None = None
    passage_cosine: float | None = None
    in_period: bool = False  # dated or mentioning a date in the period the question names


@dataclass(frozen=True)
class ScoredSentence:
    index: int  # position in the list given to `score_sentences`
    score: float
    dense: float | None
    lexical: float
    coverage: float


def answer_type_match(question: str, sentence: str) -> float:
    """0 when the question asks for a number or a date and the sentence has none, else 1."""
    if asks_for_number(question):
        return 1.0 if _NUMBER.search(sentence) else 0.0
    if question.strip().lower().startswith(_ASKS_DATE):
        return 1.0 if _DATE.search(sentence) else 0.0
    return 1.0


def asks_for_number(question: str) -> bool:
    q = question.strip().lower()
    return q.startswith(_ASKS_NUMBER) or any(f" {p} " in f" {q} " for p in _ASKS_NUMBER[:3])


def idf_coverage(question_idf: Mapping[str, float], terms: Sequence[str]) -> float:
    total = sum(question_idf.values())
    if total <= 0:
        return 0.0
    return sum(question_idf[t] for t in set(terms) if t in question_idf) / total


def score_sentences(
    question: str, question_idf: Mapping[str, float], sentences: Sequence[SentenceSignals]
) -> list[ScoredSentence]:
    """Score every candidate sentence; returns them best first (ties keep candidate order)."""
    if not sentences:
        return []
    question_terms = list(question_idf)
    lexical = _bm25(question_terms, [s.terms for s in sentences])
    scored = []
    for i, sentence in enumerate(sentences):
        coverage = idf_coverage(question_idf, sentence.terms)
        kind = answer_type_match(question, sentence.text)
        words = WEIGHT_LEXICAL * lexical[i] + WEIGHT_IDF_COVERAGE * coverage + WEIGHT_ANSWER_TYPE * kind
        if sentence.cosine is not None and sentence.passage_cosine is not None:
            score = WEIGHT_DENSE * sentence.cosine + WEIGHT_PASSAGE * sentence.passage_cosine + words
        else:
            score = LEXICAL_ONLY_SCALE * words
        score += WEIGHT_PERIOD * sentence.in_period
        scored.append(ScoredSentence(i, score, sentence.cosine, lexical[i], coverage))
    scored.sort(key=lambda s: (-s.score, s.index))
    return scored


def confidence(best: ScoredSentence) -> float:
    return best.score


def select_citations(
    scored: Sequence[ScoredSentence], k: int, min_confidence: float, relative_cutoff: float = 0.8
) -> list[ScoredSentence]:
    """The sentences to cite, best first: none when the best is below the threshold.

    Others follow while they score close to the best and clear the threshold on their own,
    so agreeing sentences from several articles are all cited.
    """
    if not scored or scored[0].score < min_confidence:
        return []
    top = scored[0].score
    chosen = [scored[0]]
    for candidate in scored[1:]:
        if len(chosen) >= k:
            break
        if candidate.score >= relative_cutoff * top and candidate.score >= min_confidence:
            chosen.append(candidate)
    return chosen


def _bm25(question_terms: Sequence[str], sentence_terms: Sequence[Sequence[str]]) -> list[float]:
    if not question_terms or not any(sentence_terms):
        return [0.0] * len(sentence_terms)
    model = BM25Plus([list(terms) for terms in sentence_terms])
    raw: npt.NDArray[np.float64] = model.get_scores(list(question_terms))
    best = float(np.max(raw))
    if best <= 0:
        return [0.0] * len(sentence_terms)
    return [max(0.0, float(value)) / best for value in raw]
