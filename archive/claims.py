"""Values in sentences (numbers, dates) and grouping cited sentences into claims: pure functions.

A question such as "how many detainees were released?" is answered by a value. Each
candidate sentence's answer value is read next to the question's own words ("five
Lebanese detainees" for a question about Lebanese detainees), so a figure elsewhere in
the sentence ("out of a total of 11") does not count. Sentences whose values overlap,
or that say nearly the same thing (high embedding similarity), form one claim; claims
with different values for the same question conflict.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import numpy.typing as npt

from archive.language import COUNTING_STOP_WORDS, MONTH_ABBREVIATIONS, MONTH_NAMES, NUMBER_WORDS, SCALE_WORDS
from archive.metadata import parse_date

Relation = Literal["same", "conflicting", "unrelated"]

# Sentences at least this similar (cosine) say the same thing unless their values differ.
SAME_CLAIM_COSINE = 0.8
# Claims with different values conflict only when their sentences are at least this similar.
CONFLICT_MIN_COSINE = 0.6
# Words between a number and the question term it counts ("five Lebanese civilian detainees": 2).
NUMBER_WINDOW = 3

_WORD = re.compile(r"\d+(?:[.,]\d+)*|[\w'’-]+|[^\w\s]")
_MONTHS = "|".join((*MONTH_NAMES, *MONTH_ABBREVIATIONS))
_DATE_PATTERNS = [
    re.compile(rf"\b(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}\b"),
    re.compile(rf"\b\d{{1,2}} (?:{_MONTHS})\.?,? \d{{4}}\b"),
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
]


@dataclass(frozen=True)
class Grouping:
    """Cited sentences that say the same thing: `members` index the answer's citations."""

    members: tuple[int, ...]
    value: str  # the answer value they share ("5"), or "" when the question asks for none


def number_value(token: str) -> float | None:
    """A token as a number: digits (with , separators or a decimal point) or an English number word."""
    cleaned = token.replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        pass
    return float(NUMBER_WORDS[token.casefold()]) if token.casefold() in NUMBER_WORDS else None


def mentioned_dates(sentence: str) -> tuple[date, ...]:
    """Full calendar dates written in the sentence, in order of appearance."""
    found: list[tuple[int, date]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(sentence):
            parsed = parse_date(match.group(0))
            if parsed is not None:
                found.append((match.start(), parsed))
    found.sort()
    return tuple(dict.fromkeys(d for _, d in found))


def all_numbers(sentence: str) -> frozenset[float]:
    return frozenset(v for v in (number_value(t) for t in _WORD.findall(sentence)) if v is not None)


def counted_values(sentence: str, focus_stems: Sequence[str]) -> frozenset[float]:
    """Numbers that count one of the question's words: `five` in "five Lebanese detainees".

    A number qualifies when a focus word follows it within NUMBER_WINDOW words, or comes
    just before it ("a score of 24": 2 words), in the same phrase (no punctuation between),
    so totals and figures about something else in the same sentence ("the two sides,
    Israel released ...") are left out.
    """
    tokens = _WORD.findall(sentence)
    focus = [stem.casefold() for stem in focus_stems if stem.casefold() not in COUNTING_STOP_WORDS]
    values: set[float] = set()
    for i, token in enumerate(tokens):
        value = number_value(token)
        if value is None:
            continue
        following = []
        for word in tokens[i + 1 : i + 2 + NUMBER_WINDOW]:
            if not word[0].isalnum():  # a number counts the words of its own phrase only
                break
            following.append(word)
        if following and following[0].casefold() in SCALE_WORDS:
            value *= SCALE_WORDS[following[0].casefold()]
        preceding = []
        for word in reversed(tokens[max(0, i - 2) : i]):
            if not word[0].isalnum():
                break
            preceding.append(word)
        if any(word.casefold().startswith(stem) for word in following + preceding for stem in focus):
            values.add(value)
    return frozenset(values)


def relation(a: str, b: str, cosine: float, terms: Callable[[str], list[str]]) -> Relation:
    """Whether two sentences make the same claim, conflicting claims, or are unrelated.

    The words both sentences share stand in for the question: numbers counting a shared
    word are compared, so "release five Lebanese detainees" and "release six Lebanese
    detainees" conflict. `terms` is the analyser that stems words (the index's).
    """
    shared = [t for t in dict.fromkeys(terms(a)) if t in set(terms(b)) and number_value(t) is None]
    values_a, values_b = counted_values(a, shared), counted_values(b, shared)
    if values_a and values_b and not values_a & values_b and cosine >= CONFLICT_MIN_COSINE:
        return "conflicting"
    if cosine >= SAME_CLAIM_COSINE and all_numbers(a) != all_numbers(b):
        return "conflicting"  # the same sentence, reported with different figures
    if cosine >= SAME_CLAIM_COSINE or (values_a & values_b and cosine >= CONFLICT_MIN_COSINE):
        return "same"
    return "unrelated"


def format_value(value: float) -> str:
    return str(int(value)) if value.is_integer() else f"{value:g}"


def group_claims(values: Sequence[frozenset[float]], similarity: npt.NDArray[np.float32] | None) -> list[Grouping]:
    """Group citations into claims, in citation order.

    With values (a counting question): citations sharing a value are one claim; citations
    without one join the most similar claim when similar enough, else stand alone. Without
    values: citations at least SAME_CLAIM_COSINE similar are one claim.
    """
    claims: list[list[int]] = []
    claim_values: list[frozenset[float]] = []
    for i, mine in enumerate(values):
        target = None
        for c, members in enumerate(claims):
            if mine and claim_values[c]:
                same = bool(mine & claim_values[c])
            else:
                same = similarity is not None and all(similarity[i, j] >= SAME_CLAIM_COSINE for j in members)
                same = same and not (mine and claim_values[c])
            if same:
                target = c
                break
        if target is None:
            claims.append([i])
            claim_values.append(mine)
        else:
            claims[target].append(i)
            claim_values[target] = claim_values[target] | mine
    return [
        Grouping(tuple(members), ", ".join(format_value(v) for v in sorted(vals)))
        for members, vals in zip(claims, claim_values, strict=True)
    ]


def conflicting(claims: Sequence[Grouping], similarity: npt.NDArray[np.float32] | None) -> bool:
    """True when two claims give different values and their sentences are about the same thing.

    Without embeddings any two different values conflict; with them, the first sentences of
    the two claims must be at least CONFLICT_MIN_COSINE similar, so "4,115 deaths in the war"
    and "86 deaths since the ceasefire" are not called a disagreement.
    """
    valued = [c for c in claims if c.value]
    for i, a in enumerate(valued):
        for b in valued[i + 1 :]:
            if a.value != b.value and (
                similarity is None or similarity[a.members[0], b.members[0]] >= CONFLICT_MIN_COSINE
            ):
                return True
    return False
