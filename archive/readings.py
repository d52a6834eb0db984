"""What a sentence says in answer to a counting question: its answer figures and their qualifiers.

`question_ask` reads what a counting question asks for (the words its value counts, the
kind of figure, the places and names it gives); `read` finds a sentence's figures of that
kind counting one of those words (`quantities.mentions`), with the qualifiers that tell
quantities apart (places, periods, which of the question's names it writes); `read_all`
also lets copies of one sentence that differ in a figure show that figure. Whether two
readings disagree is `claims.disagree`. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from archive.language import COUNTING_STOP_WORDS, NUMBER_QUESTION_TERMS, NUMBER_WORDS, distinct_terms
from archive.periods import figure_periods
from archive.places import places
from archive.quantities import Mention, Role, mentions, tokens

_WORD = re.compile(r"[\w'’-]+")


@dataclass(frozen=True)
class Ask:
    """What a counting question asks for: the words its value counts, the kind of figure, its places and names."""

    focus: tuple[str, ...]  # analysed terms ("lebanes", "detaine")
    role: Role = "count"  # "rate" for "per 100 people", "percent" for "what percentage"
    places: frozenset[str] = frozenset()
    names: tuple[str, ...] = ()  # the question's capitalised words, lower case ("jared", "allen")


@dataclass(frozen=True)
class Reading:
    """A sentence's answer figures for one question, and the qualifiers that tell quantities apart."""

    figures: tuple[Mention, ...]
    places: frozenset[str] = frozenset()
    periods: frozenset[str] = frozenset()
    named: frozenset[str] = frozenset()  # the question's names this sentence writes
    all_named: bool = True  # it writes every name of the question
    # The sentence's words with its figures masked ("#"): equal masks are the same report.
    mask: tuple[str, ...] = ()

    @property
    def values(self) -> frozenset[float]:
        return frozenset(m.value for m in self.figures)


_RATE_QUESTION = re.compile(
    r"\b(per|rate|ratio|times|every|each (?:year|month|week|day))\b|\ba (?:year|month|week|day)\b"
)
_PERCENT_QUESTION = re.compile(r"\b(percent|percentage|proportion|share of|what share)\b|%")
# Questions whose opening names the measure: "how old" asks for an age in years.
_MEASURE_QUESTIONS = {
    "how old": "age aged years old",
    "how long": "years months weeks days hours minutes long",
    "how far": "miles kilometres kilometers metres meters far",
}


def question_ask(question: str) -> Ask:
    """The figure a counting question asks for (its focus terms exclude the question words themselves)."""
    lowered = question.casefold()
    role: Role = "count"
    if _PERCENT_QUESTION.search(lowered):
        role = "percent"
    elif _RATE_QUESTION.search(lowered):
        role = "rate"
    extra = " ".join(words for opening, words in _MEASURE_QUESTIONS.items() if lowered.startswith(opening))
    terms = distinct_terms(question) + distinct_terms(extra)
    numbers = NUMBER_QUESTION_TERMS | set(NUMBER_WORDS)
    focus = tuple(dict.fromkeys(t for t in terms if t not in numbers and not t[0].isdigit()))
    words = question_words(question)
    names = tuple(dict.fromkeys(w.casefold() for w in words[1:] if w[0].isupper() and len(w) > 1))
    return Ask(focus, role, places(question), names)


def question_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w[0].isalpha()]


def read(sentence: str, ask: Ask, title: str = "") -> Reading:
    """The figures of `sentence` that answer `ask`: of the role asked, counting one of its focus words.

    A figure counts a focus word written in its phrase ("five Lebanese civilian detainees")
    or just before it ("a score of 24"). A sentence naming places, none of them the
    question's, answers about somewhere else and gives no figure. `named` records which
    of the question's names ("Jared Allen") the sentence, or its article's `title`, writes:
    who or what its figure is about ("the repairs cost 5.8 million" under "Port Elmsworth
    Harbor Reopens" is Port Elmsworth's).
    """
    found = mentions(sentence)
    if not found:
        return Reading(())
    where = places(sentence)
    mask = _mask(sentence, found)
    if ask.places and where and not ask.places & where:
        return Reading((), where, mask=mask)
    focus = [stem for stem in ask.focus if stem not in COUNTING_STOP_WORDS and stem not in _FUNCTION_STEMS]
    figures = tuple(m for m in found if m.role == ask.role and counted_thing(m, focus) is not None)
    if not figures:
        return Reading((), where, mask=mask)  # qualifiers matter only beside figures (or copies' figures)
    words = [w.casefold() for w in (*question_words(sentence), *question_words(title))]
    named = frozenset(n for n in ask.names if any(w.startswith(n) for w in words))
    return Reading(figures, where, figure_periods(sentence), named, set(ask.names) <= named, mask)


def _mask(sentence: str, found: Sequence[Mention]) -> tuple[str, ...]:
    words = [w.casefold() for w in tokens(sentence)]
    for m in found:
        words[m.start : m.end] = ["#"] * (m.end - m.start)
    return tuple(words)


# Roles a figure that differs between two copies of one sentence may have to count as the answer's.
_TWIN_ROLES = frozenset(["count", "rate", "percent"])


def read_all(sentences: Mapping[int, str], ask: Ask, titles: Mapping[int, str] | None = None) -> dict[int, Reading]:
    """`read` every sentence (under its article's title in `titles`), then let copies of one
    sentence that differ in a figure show it.

    Two sentences with the same words and different figures ("Webb, 51," / "Webb, 76,")
    are one report given with different values, even where the figure is not read next to
    the question's words: such a differing figure becomes a figure of both readings when it
    already is one of either, or when neither gives any (a differing figure beside an
    agreeing answer, "4,115 deaths and 16,909 injuries", stays out).
    """
    titles = titles or {}
    readings = {i: read(text, ask, titles.get(i, "")) for i, text in sentences.items()}
    copies: dict[tuple[str, ...], list[int]] = {}
    for i, reading in readings.items():
        if "#" in reading.mask:
            copies.setdefault(reading.mask, []).append(i)
    for members in copies.values():
        texts = {sentences[i] for i in members}
        if len(texts) < 2:
            continue
        found = {i: mentions(sentences[i]) for i in members}
        answer_starts = {m.start for i in members for m in readings[i].figures}
        for k in range(len(found[members[0]])):
            if len({found[i][k].value for i in members}) < 2 or found[members[0]][k].role not in _TWIN_ROLES:
                continue
            if answer_starts and found[members[0]][k].start not in answer_starts:
                continue
            for i in members:
                extra = found[i][k]
                if all(m.start != extra.start for m in readings[i].figures):
                    readings[i] = replace(readings[i], figures=(*readings[i].figures, extra))
    return readings


# Analysed forms of function words the index keeps ("was" → "wa", "does" → "doe"): never what is counted.
_FUNCTION_STEMS = frozenset(
    ["wa", "ha", "doe", "did", "do", "hi", "he", "she", "it", "thei", "they", "them", "their", "there", "thi",
     "that", "these", "those", "have", "had", "can", "could", "would", "will", "what", "which", "who", "when"]
)  # fmt: skip
_LINKS = frozenset(["of", "with", "at", "for", "is", "was", "are", "were", "to", "totaled", "reached", "stood"])


def counted_thing(m: Mention, focus: Sequence[str]) -> tuple[str, tuple[str, ...]] | None:
    """What `m` counts: (the focus stem it names last, the other words before it), or None."""
    for k in range(len(m.phrase) - 1, -1, -1):
        stem = next((f for f in focus if m.phrase[k].startswith(f)), None)
        if stem is not None:
            return stem, tuple(w.rstrip("s") for w in m.phrase[:k])
    # Before the figure only a word right next to it, or joined by one linking word ("a score of
    # 24", "sack leader with 136", "at age 39"), names what it counts.
    near = [w for w in m.before if w[0].isalnum()]
    if len(near) >= 2 and near[-1] in _LINKS:
        near = near[-2:-1]
    stem = next((f for w in near[-1:] for f in focus if w.startswith(f)), None)
    return None if stem is None else (stem, ())
