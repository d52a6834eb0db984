"""The answer's confidence: how likely the best sentence answers the question. Pure functions.

The best sentence's score ranks sentences well but says less about whether the archive
holds an answer at all: a question about a paragraph the archive lacks still finds its
article's other sentences, which share its words and its topic. The confidence is a
logistic model over a few features of the scored candidates (best first):
- score: the best sentence's score (`scoring.score_sentences`);
- answer_type: 0 when the best sentence lacks the kind of answer asked, else 1 (`answer_type_found`);
- word_coverage: the share of the question's analysed terms the best sentence holds;
- novelty: the share of the best sentence's terms the question lacks (an answer adds words);
- peak: how far the best score rises above the mean of the next four;
- article_coverage: the share of the question's analysed terms that the best sentence's
  whole article holds: a question about a paragraph the archive lacks has words that only
  that paragraph would have written (a plain share: the IDF-weighted one did no better
  and turns over in an archive of a few articles, where the question's words are the commonest);
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
import re
from collections.abc import Mapping, Sequence

from archive import readings
from archive.language import MONTH_NAMES, NAME_QUESTIONS, SIZE_QUESTIONS, WEEKDAY_NAMES
from archive.quantities import mentions
from archive.scoring import ScoredSentence, answer_type_match, asks_for_number
from archive.signals import SentenceSignals

FEATURES = ("score", "answer_type", "word_coverage", "novelty", "peak", "article_coverage", "cosine")
INTERCEPT = -9.775
COEFFICIENTS = (0.578, 0.858, 1.453, 1.265, 12.653, 3.620, 4.588)
# Scores after the best that `peak` averages.
PEAK_RUNNERS_UP = 4

# A capitalised word that does not open the sentence (nor a sentence inside it).
_CAPITALISED = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w'-]+")
_WORD = re.compile(r"[\w'-]+")
# Capitalised words that name no one and nowhere.
_CALENDAR_WORDS = frozenset(name.lower() for name in (*MONTH_NAMES, *WEEKDAY_NAMES))
# Roles of a figure that is an amount when it carries a unit ("$9.5 billion", "50 weeks", "15 km").
_AMOUNT_ROLES = frozenset(["count", "rate", "percent"])


def asks_for_name(question: str) -> bool:
    q = question.strip().lower()
    return q.startswith(NAME_QUESTIONS) or "name of" in q or "names of" in q


def asks_for_figure(question: str) -> bool:
    """A counting question ("how many", "how much" ...) or one asking for a size ("how thick")."""
    return asks_for_number(question) or question.strip().lower().startswith(SIZE_QUESTIONS)


def figure_found(question: str, sentence: str) -> bool:
    """Whether `sentence` gives a figure answering `question` (one that asks for a figure).

    A figure of the kind asked that counts one of the question's words (the conflict reader,
    `readings.read`: "3,248 cases" for "how many plague cases"), or an amount with a unit
    ("$22.6bn", "50 weeks") which answers "how much" or "how long" even where its words do
    not name what it measures. A bare number counting something else ("nine nations" for
    "how many continents") is not an answer.
    """
    if readings.read(sentence, readings.question_ask(question)).figures:
        return True
    return any(m.unit and m.role in _AMOUNT_ROLES for m in mentions(sentence))


def name_found(question: str, sentence: str) -> bool:
    """Whether `sentence` writes a name the question lacks: a capitalised word, not the sentence's first,
    nor a month or a weekday (never who or where)."""
    asked = {word.lower() for word in _WORD.findall(question)}
    return any(
        m.group(0).lower() not in asked and m.group(0).lower() not in _CALENDAR_WORDS
        for m in _CAPITALISED.finditer(sentence.strip())
    )


def answer_type_found(question: str, sentence: str) -> float:
    """0 when the question asks for a name, a figure or a date that the sentence lacks, else 1."""
    if asks_for_name(question):
        return float(name_found(question, sentence))
    if asks_for_figure(question):
        return float(figure_found(question, sentence))
    return answer_type_match(question, sentence)


def features(
    question: str,
    question_idf: Mapping[str, float],
    scored: Sequence[ScoredSentence],
    signals: Sequence[SentenceSignals],
    article_terms: Sequence[str] = (),
) -> tuple[float, ...]:
    """The `FEATURES` of scored candidates (best first); `signals` by candidate index.

    `article_terms` are the analysed terms of the best sentence's whole article. Without
    the model (no cosines) the best score, then rescaled from the word signals, stands in
    for the cosine.
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
        len(wanted & set(article_terms)) / len(wanted) if wanted else 0.0,
        best.score if signal.cosine is None else signal.cosine,
    )


def confidence(values: Sequence[float]) -> float:
    """The logistic model's estimate that the best sentence answers the question."""
    z = INTERCEPT + sum(w * x for w, x in zip(COEFFICIENTS, values, strict=True))
    return 1.0 / (1.0 + math.exp(-z))
