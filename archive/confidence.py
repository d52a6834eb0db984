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
- focus_coverage: the share of the question's terms the best sentence holds, each term
  weighted by how rare it is among the sentences of the best sentence's own article
  (`focus_coverage`). The words an article repeats are its topic, which every sentence of
  it shares with the question; the words it writes once, or never, are the point asked
  about. A question about a detail the archive lacks ("Who is Deval Patrick's campaign
  manager?" of an article about his campaign) misses the heavy words. Weights read from
  the article, not the archive, mean the same in an archive of three articles as of
  thousands (whole-archive IDF turned over in small archives). It replaced the plain
  share of the question's terms the article holds (bench/RESULTS.md);
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
from archive.quantities import CURRENCIES, mentions
from archive.scoring import YEAR, ScoredSentence, answer_type_match, asks_for_number
from archive.signals import SentenceSignals

FEATURES = ("score", "answer_type", "word_coverage", "novelty", "peak", "focus_coverage", "cosine")
INTERCEPT = -8.375
COEFFICIENTS = (0.586, 1.237, -2.286, 0.845, 10.081, 6.444, 5.631)
# Scores after the best that `peak` averages.
PEAK_RUNNERS_UP = 4

# A capitalised word that does not open the sentence (nor a sentence inside it).
_CAPITALISED = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w'-]+")
_WORD = re.compile(r"[\w'-]+")
# Capitalised words that name no one and nowhere.
_CALENDAR_WORDS = frozenset(name.lower() for name in (*MONTH_NAMES, *WEEKDAY_NAMES))
# Roles of a figure that is an amount when it carries a unit ("$9.5 billion", "50 weeks", "15 km").
_AMOUNT_ROLES = frozenset(["count", "rate", "percent"])
# What a price or a sum asked by "how much" is paid in: a currency ("$2.6 billion", "N500m" excepted).
_MONEY_UNITS = frozenset(CURRENCIES.values())
_MONEY_QUESTION = re.compile(r"\b(cost|costs|pay|paid|price|spend|spent|charge|charged|fee|fees|earn|earned|raised?)\b")
# An age as news writes it: "42-year-old", "aged 42", "at 42", "Webb, 51,", "(51)", "42 years old".
_AGE = re.compile(
    r"\b\d{1,3}-year-old\b|\baged? (?:of )?\d{1,3}\b|\bat \d{1,3}\b|, \d{1,3},|\(\d{1,3}\)|\b\d{1,3} years? old\b"
)
# How often, in words: "won the cup twice", "three times".
_TIMES = re.compile(r"\b(once|twice|thrice|\w+ times)\b", re.IGNORECASE)
# A count written onto what it counts: "Six-time Grammy winner" counts Grammys.
_N_TIME = re.compile(r"\b\w+-time (\w+)", re.IGNORECASE)
# "None of the original treaties": a count of nought.
_NONE_OF = re.compile(r"\bnone of (?:the |its |their )?(\w+)", re.IGNORECASE)
# A share in words answers "what percentage": "over half of", "two-thirds of".
_SHARE = re.compile(r"\b(half|halves|thirds?|quarters?|majority|minority)\b", re.IGNORECASE)
# "What is the room number?", "which number": the question asks for a number, not a count.
_NUMBER_ASKED = re.compile(r"^(?:in |at |on )?(?:what|which)\b.*\bnumber\b")
# A "when" asked in the present ("When does immunodeficiency occur?") may ask for a condition.
_CONDITION_QUESTION = re.compile(r"^when (?:does|do|is|are|can|should|will)\b")
_CONDITION = re.compile(r"\b(when|whenever|if|once|until|after|before)\b", re.IGNORECASE)
_YEAR_QUESTIONS = ("what year", "in what year", "which year", "in which year")


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
    q = question.strip().lower()
    if q.startswith("how old"):
        return bool(_AGE.search(sentence))
    ask = readings.question_ask(question)
    if readings.read(sentence, ask).figures or _counted_in_words(q, sentence, ask.focus):
        return True
    if q.startswith("how many"):  # a count of the question's thing, never "$53 million" or "1.64 GW"
        return False
    amounts = [m for m in mentions(sentence) if m.unit and m.role in _AMOUNT_ROLES]
    if q.startswith("how much") and _MONEY_QUESTION.search(q):
        return any(m.unit in _MONEY_UNITS for m in amounts)
    return bool(amounts)


def _counted_in_words(question: str, sentence: str, focus: Sequence[str]) -> bool:
    """A count the figure reader does not take as a value: "twice", "six-time winner", "none of", "half"."""
    if "times" in question.split() and _TIMES.search(sentence):
        return True
    if readings.question_ask(question).role == "percent" and _SHARE.search(sentence):
        return True
    counted = [m.group(1).lower() for pattern in (_N_TIME, _NONE_OF) for m in pattern.finditer(sentence)]
    return any(word.startswith(stem) for word in counted for stem in focus)


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
    q = question.strip().lower()
    if asks_for_name(question):
        return float(name_found(question, sentence))
    if _NUMBER_ASKED.search(q):
        return float(bool(mentions(sentence)))
    if asks_for_figure(question):
        return float(figure_found(question, sentence))
    if q.startswith(_YEAR_QUESTIONS):
        return float(bool(YEAR.search(sentence)))
    if _CONDITION_QUESTION.search(q) and _CONDITION.search(sentence):
        return 1.0
    return answer_type_match(question, sentence)


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
