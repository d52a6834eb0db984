"""The answer's confidence: how likely the best sentence answers the question. Pure functions.

The best sentence's score ranks sentences well but says less about whether the archive
holds an answer at all: a question about a paragraph the archive lacks still finds its
article's other sentences, which share its words and its topic. The confidence is a
logistic model over a few features of the scored candidates (best first):
- score: the best sentence's score (`scoring.score_sentences`);
- answer_type: 0 when the best sentence lacks the kind of answer asked, else 1
  (`answer_types.answer_type_found`: a name, a figure, an age, money, a year or a date);
- word_coverage: the share of the question's analysed terms the best sentence holds;
- novelty: the share of the best sentence's terms the question lacks (an answer adds words);
- peak: how far the best score rises above the mean of the next four;
- focus_coverage: the share of the question's terms the best sentence holds, each term
  weighted by how rare it is among the sentences of the best sentence's own article
  (`focus_coverage`). The words an article repeats are its topic, which every sentence of
  it shares with the question; the words it writes once, or never, are the point asked
  about. A question about a detail the archive lacks ("Who is Deval Patrick's campaign
  manager?" of an article about his campaign) misses the heavy words. Weights read from
  the article, not the archive, mean the same in an archive of three articles as of
  thousands (whole-archive IDF turned over in small archives). It replaced the plain
  share of the question's terms the article holds (bench/RESULTS.md). The question words
  ("who", "mani", "did") count too, weighing alike in every question of a form: left out,
  the refit answered more unanswerable questions under cross-validation (RESULTS);
- cosine: the best sentence's own cosine with the question (the score also counts its
  passage's, which a sentence on the question's topic but not its point shares).
Tried and left out (no gain under 2-fold cross-validation, bench/RESULTS.md): the lead over
the best sentence of another article, agreement of the BM25 and dense legs on the best
article, the best sentence's lead over its own article's other candidates, whether the
best sentence (or its article) holds the question's rarest terms, and terms no passage holds.
The coefficients were fitted by `bench/calibrate_abstention.py --fit` on the hard negatives
of `bench/hard_negatives.py` (a correct first sentence against a wrong or unanswerable
one, each set weighing the same); rerun it after any change to the scoring. The result
lies in (0, 1); `Settings.min_confidence` is the abstention threshold on it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from archive.answer_types import answer_type_found
from archive.scoring import ScoredSentence
from archive.signals import SentenceSignals

FEATURES = ("score", "answer_type", "word_coverage", "novelty", "peak", "focus_coverage", "cosine")
INTERCEPT = -8.407
COEFFICIENTS = (0.602, 1.231, -2.290, 0.852, 10.068, 6.447, 5.666)
# Scores after the best that `peak` averages.
PEAK_RUNNERS_UP = 4


def features(
    question: str,
    question_idf: Mapping[str, float],
    scored: Sequence[ScoredSentence],
    signals: Sequence[SentenceSignals],
    article_sentences: Sequence[Sequence[str]] = (),
) -> tuple[float, ...]:
    """The `FEATURES` of scored candidates (best first); `signals` by candidate index.

    `article_sentences` are the analysed terms of each sentence of the best sentence's
    article. Without the model (no cosines) the best score, then rescaled from the word
    signals, stands in for the cosine.
    """
    if not scored:
        return (0.0,) * len(FEATURES)
    best = scored[0]
    wanted = set(question_idf)
    signal = signals[best.index]
    terms = set(signal.terms)
    runners_up = [s.score for s in scored[1 : 1 + PEAK_RUNNERS_UP]]
    return (
        best.score,
        answer_type_found(question, signal.text),
        len(wanted & terms) / len(wanted) if wanted else 0.0,
        len(terms - wanted) / len(terms) if terms else 0.0,
        best.score - sum(runners_up) / len(runners_up) if runners_up else 0.0,
        focus_coverage(list(question_idf), terms, article_sentences),
        best.score if signal.cosine is None else signal.cosine,
    )


def focus_coverage(question_terms: Sequence[str], sentence: set[str], article: Sequence[Sequence[str]]) -> float:
    """The share of the question's terms in `sentence`, each weighed log((n + 1) / (df + 0.5)):
    df of the article's n sentences write it (a term the article never writes weighs most)."""
    held = [set(terms) for terms in article]
    weights = {t: math.log((len(held) + 1) / (sum(t in h for h in held) + 0.5)) for t in question_terms}
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in sentence) / total if total > 0 else 0.0


def confidence(values: Sequence[float]) -> float:
    """The logistic model's estimate that the best sentence answers the question."""
    z = INTERCEPT + sum(w * x for w, x in zip(COEFFICIENTS, values, strict=True))
    return 1.0 / (1.0 + math.exp(-z))
