"""The answer's confidence: how likely the best sentence answers the question. Pure functions.

The best sentence's score ranks sentences well but says less about whether the archive
holds an answer at all: a question about a paragraph the archive lacks still finds its
article's other sentences, which share its words and its topic. The confidence is a
logistic model over a few features of the scored candidates (best first):
- score: the best sentence's score (`scoring.score_sentences`);
- answer_type: 1 unless the question asks for a number, a date or a name (who, whom, whose,
  where, "the name of") and the best sentence has none (a name: a capitalised word, not
  the sentence's first, that the question lacks);
- word_coverage: the share of the question's analysed terms the best sentence holds;
- novelty: the share of the best sentence's terms the question lacks (an answer adds words);
- peak: how far the best score rises above the mean of the next four.
The lead over the best sentence of another article was tried and earned no weight.
The coefficients were fitted by `bench/calibrate_abstention.py --fit` on the hard negatives
of `bench/hard_negatives.py` (a correct first sentence against a wrong or unanswerable
one, each set weighing the same); rerun it after any change to the scoring. The result
lies in (0, 1); `Settings.min_confidence` is the abstention threshold on it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from archive.language import NAME_QUESTIONS
from archive.scoring import ScoredSentence, answer_type_match
from archive.signals import SentenceSignals

FEATURES = ("score", "answer_type", "word_coverage", "novelty", "peak")
INTERCEPT = -9.765
COEFFICIENTS = (5.987, 1.131, 3.896, 1.806, 8.595)
# Scores after the best that `peak` averages.
PEAK_RUNNERS_UP = 4

# A capitalised word that does not open the sentence (nor a sentence inside it).
_CAPITALISED = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w'-]+")
_WORD = re.compile(r"[\w'-]+")


def asks_for_name(question: str) -> bool:
    q = question.strip().lower()
    return q.startswith(NAME_QUESTIONS) or "name of" in q or "names of" in q


def answer_type_found(question: str, sentence: str) -> float:
    """0 when the question asks for a number, a date or a name that the sentence lacks, else 1."""
    if asks_for_name(question):
        asked = {word.lower() for word in _WORD.findall(question)}
        return 1.0 if any(m.group(0).lower() not in asked for m in _CAPITALISED.finditer(sentence.strip())) else 0.0
    return answer_type_match(question, sentence)


def features(
    question: str,
    question_idf: Mapping[str, float],
    scored: Sequence[ScoredSentence],
    signals: Sequence[SentenceSignals],
) -> tuple[float, ...]:
    """The `FEATURES` of scored candidates (best first); `signals` by candidate index."""
    if not scored:
        return (0.0,) * len(FEATURES)
    best = scored[0]
    wanted = set(question_idf)
    terms = set(signals[best.index].terms)
    runners_up = [s.score for s in scored[1 : 1 + PEAK_RUNNERS_UP]]
    return (
        best.score,
        answer_type_found(question, signals[best.index].text),
        len(wanted & terms) / len(wanted) if wanted else 0.0,
        len(terms - wanted) / len(terms) if terms else 0.0,
        best.score - sum(runners_up) / len(runners_up) if runners_up else 0.0,
    )


def confidence(values: Sequence[float]) -> float:
    """The logistic model's estimate that the best sentence answers the question."""
    z = INTERCEPT + sum(w * x for w, x in zip(COEFFICIENTS, values, strict=True))
    return 1.0 / (1.0 + math.exp(-z))
