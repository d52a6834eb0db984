"""Scoring candidate sentences: the signal weights and the score. Pure functions, no index access.

A sentence's score is a weighted sum of signals, each in [0, 1] (cosines can dip below 0):
- dense: cosine between the question and the sentence's late-chunked vector (its tokens
  pooled from its passage's forward pass, so "He ..." carries whom it is about);
- passage: cosine between the question and the best passage holding the sentence (context);
- lexical: BM25+ (rank-bm25; its IDF stays positive in a small candidate set, unlike BM25
  Okapi's) of the question over the candidate sentences, divided by the best;
- idf coverage: the share of the question's IDF mass (whole-index IDF) the sentence contains;
- answer type: 1 unless the question asks for a number or a date the sentence lacks
  (`answer_types.number_or_date_found`);
- leaning: for a sentence that opens leaning on its predecessor ("He ...", "The company
  ..."), the predecessor's idf coverage: the question's words are often in the sentence
  before the one that answers;
- period: a small bonus when the question names a month or year and the sentence's article
  is dated in it, or the sentence mentions a date in it.
The first five weights were fitted on XQuAD-R by `bench/tune_answerer.py` (random search
with 2-fold cross-validation over articles; rounded averages of the two folds); the leaning
weight by `bench/rank_experiment.py` (one weight, the plateau 0.02-0.04 of both folds, on
XQuAD-R alone and among 2,000 SciFact abstracts). Without
embeddings (the model still loading) only the lexical signals count, rescaled.
The best sentence's score is the main input of the answer's confidence
(`archive/confidence.py`), which the abstention threshold applies to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rank_bm25 import BM25Plus

from archive.answer_types import number_or_date_found
from archive.signals import SentenceSignals

WEIGHT_DENSE = 0.33
WEIGHT_PASSAGE = 0.33
WEIGHT_LEXICAL = 0.10
WEIGHT_IDF_COVERAGE = 0.17
WEIGHT_ANSWER_TYPE = 0.07
WEIGHT_LEANING = 0.03
# Bonus for a sentence in the period a question names ("in March 2025"): enough to order
# sources within the period first, not enough to beat a clearly better sentence.
WEIGHT_PERIOD = 0.05
# Without embeddings the word signals are rescaled to the range of the full score (leaning
# applies to few sentences, so it stays out of the scale).
LEXICAL_ONLY_SCALE = 1.0 / (WEIGHT_LEXICAL + WEIGHT_IDF_COVERAGE + WEIGHT_ANSWER_TYPE)


@dataclass(frozen=True)
class ScoredSentence:
    index: int  # position in the list given to `score_sentences`
    score: float
    dense: float | None
    lexical: float
    coverage: float


def idf_coverage(question_idf: Mapping[str, float], terms: Sequence[str]) -> float:
    total = sum(question_idf.values())
    if total <= 0:
        return 0.0
    return sum(question_idf[t] for t in set(terms) if t in question_idf) / total


def lexical_scores(question_terms: Sequence[str], sentence_terms: Sequence[Sequence[str]]) -> list[float]:
    """BM25+ of the question over the sentences (the sentences are the collection), divided by the best."""
    if not question_terms or not any(sentence_terms):
        return [0.0] * len(sentence_terms)
    model = BM25Plus([list(terms) for terms in sentence_terms])
    raw: npt.NDArray[np.float64] = model.get_scores(list(question_terms))
    best = float(np.max(raw))
    if best <= 0:
        return [0.0] * len(sentence_terms)
    return [max(0.0, float(value)) / best for value in raw]


def score_sentences(
    question: str, question_idf: Mapping[str, float], sentences: Sequence[SentenceSignals]
) -> list[ScoredSentence]:
    """Score every candidate sentence; returns them best first (ties keep candidate order)."""
    if not sentences:
        return []
    lexical = lexical_scores(list(question_idf), [s.terms for s in sentences])
    coverages = [idf_coverage(question_idf, s.terms) for s in sentences]
    scored = []
    for i, sentence in enumerate(sentences):
        coverage = coverages[i]
        kind = number_or_date_found(question, sentence.text)
        leaning = coverages[sentence.leans_on] if sentence.leans_on is not None else 0.0
        words = (
            WEIGHT_LEXICAL * lexical[i]
            + WEIGHT_IDF_COVERAGE * coverage
            + WEIGHT_ANSWER_TYPE * kind
            + WEIGHT_LEANING * leaning
        )
        if sentence.cosine is not None and sentence.passage_cosine is not None:
            score = WEIGHT_DENSE * sentence.cosine + WEIGHT_PASSAGE * sentence.passage_cosine + words
        else:
            score = LEXICAL_ONLY_SCALE * words
        score += WEIGHT_PERIOD * sentence.in_period
        scored.append(ScoredSentence(i, score, sentence.cosine, lexical[i], coverage))
    scored.sort(key=lambda s: (-s.score, s.index))
    return scored
