"""Scoring candidate sentences and choosing citations: pure functions, no index access.

A sentence's score mixes three signals, each in [0, 1]:
- dense: cosine between the question and the sentence embeddings;
- lexical: BM25 (rank-bm25) of the question over the candidate sentences, divided by the best;
- rank: 1 / (1 + r) for the fused rank r of the best passage holding the sentence.
Confidence, the number the abstention threshold applies to, is the best sentence's
cosine when embeddings are available (it is absolute, unlike the relative BM25 part),
otherwise the share of question terms the best sentence contains.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rank_bm25 import BM25Okapi

WEIGHT_DENSE = 0.55
WEIGHT_LEXICAL = 0.30
WEIGHT_RANK = 0.15
# Without embeddings (model still loading) a citation needs this share of the question's terms.
MIN_TERM_COVERAGE = 0.6


@dataclass(frozen=True)
class ScoredSentence:
    index: int  # position in the candidate list given to `score_sentences`
    score: float
    dense: float | None
    lexical: float
    coverage: float


def score_sentences(
    question_terms: Sequence[str],
    sentence_terms: Sequence[Sequence[str]],
    cosines: npt.NDArray[np.float32] | None,
    passage_ranks: Sequence[int],
) -> list[ScoredSentence]:
    """Score every candidate sentence; returns them best first."""
    count = len(sentence_terms)
    if count == 0:
        return []
    lexical = _bm25(question_terms, sentence_terms)
    wanted = set(question_terms)
    scored = []
    for i in range(count):
        coverage = len(wanted.intersection(sentence_terms[i])) / len(wanted) if wanted else 0.0
        rank = 1.0 / (1.0 + passage_ranks[i])
        if cosines is not None:
            dense = float(cosines[i])
            score = WEIGHT_DENSE * dense + WEIGHT_LEXICAL * lexical[i] + WEIGHT_RANK * rank
        else:
            dense = None
            score = (WEIGHT_DENSE + WEIGHT_LEXICAL) * lexical[i] + WEIGHT_RANK * rank
        scored.append(ScoredSentence(i, score, dense, float(lexical[i]), coverage))
    scored.sort(key=lambda s: (-s.score, s.index))
    return scored


def confidence(best: ScoredSentence) -> float:
    return best.dense if best.dense is not None else best.coverage


def passes_threshold(best: ScoredSentence, min_confidence: float) -> bool:
    limit = min_confidence if best.dense is not None else MIN_TERM_COVERAGE
    return confidence(best) >= limit


def select_citations(
    scored: Sequence[ScoredSentence], k: int, min_confidence: float, relative_cutoff: float = 0.8
) -> list[ScoredSentence]:
    """The sentences to cite, best first: none when the best is below the threshold.

    Others follow while they score close to the best and clear the threshold on their own,
    so agreeing sentences from several articles are all cited.
    """
    if not scored or not passes_threshold(scored[0], min_confidence):
        return []
    top = scored[0].score
    chosen = [scored[0]]
    for candidate in scored[1:]:
        if len(chosen) >= k:
            break
        if candidate.score >= relative_cutoff * top and passes_threshold(candidate, min_confidence):
            chosen.append(candidate)
    return chosen


def _bm25(question_terms: Sequence[str], sentence_terms: Sequence[Sequence[str]]) -> list[float]:
    if not question_terms or not any(sentence_terms):
        return [0.0] * len(sentence_terms)
    # rank-bm25 divides by the average length; an empty sentence list entry is harmless,
    # but an all-empty corpus is not, hence the guard above.
    model = BM25Okapi([list(terms) for terms in sentence_terms])
    raw = model.get_scores(list(question_terms))
    best = float(np.max(raw)) if len(raw) else 0.0
    if best <= 0:
        return [0.0] * len(sentence_terms)
    return [max(0.0, float(value)) / best for value in raw]
