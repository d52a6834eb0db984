"""Values in sentences (numbers, dates) and grouping cited sentences into claims: pure functions.

A question such as "how many detainees were released?" is answered by a value. Each
candidate sentence's answer value is read next to the question's own words ("five
Lebanese detainees" for a question about Lebanese detainees) by `readings`: only a figure
of the kind asked for counts (`quantities`), not a rate, a share, a year or the base of
another figure ("out of a total of 11", "per 100 people") unless the question asks for
one, nor a figure about a place other than the one the question names. Sentences whose values
overlap, or that say nearly the same thing (high embedding similarity), form one claim.
Two claims conflict only when two of their sentences report different values for the same
quantity (`same_quantity`: same counted thing, unit, places and periods) that no hedge or
rounding reconciles; in doubt they do not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import numpy.typing as npt

from archive.language import (
    MONTH_ABBREVIATIONS,
    MONTH_NAMES,
    NUMBER_WORDS,
)
from archive.metadata import parse_date
from archive.quantities import Mention
from archive.readings import Ask, Reading, counted_thing, read

Relation = Literal["same", "conflicting", "unrelated"]

# Sentences at least this similar (cosine) say the same thing unless their values differ.
SAME_CLAIM_COSINE = 0.8
# Claims with different values conflict only when their sentences are at least this similar.
CONFLICT_MIN_COSINE = 0.6
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
    """Counts of one of the focus words: `five` in "five Lebanese detainees" (no rates, shares or bases)."""
    return read(sentence, Ask(tuple(focus_stems))).values


def same_quantity(a: Mention, where_a: Reading, b: Mention, where_b: Reading, focus: Sequence[str]) -> bool:
    """Whether two figures measure one quantity: same counted thing, unit, places and periods.

    The counted thing is the focus word each names, with the words before it compatible
    (one set within the other: "Lebanese detainees" and "Lebanese civilian detainees").
    Places: sentences naming disjoint places differ ("UK" / "South Korea"). Periods must
    match: a quarter's figure and a total (no period) differ. Both sentences must write all
    of the question's names ("Jared Allen"): a sentence that does not may be about someone
    else ("Kony Ealy, who had 5 sacks"). A change ("adding five companies") is not a level
    ("all 14 companies"), nor "all N" the same group as "the N".
    """
    if where_a.mask == where_b.mask and a.start == b.start:
        return True  # the same place in copies of one sentence
    head_a, head_b = counted_thing(a, focus), counted_thing(b, focus)
    if head_a is None or head_b is None or head_a[0] != head_b[0] or a.unit != b.unit or a.role != b.role:
        return False
    mods_a, mods_b = set(head_a[1]), set(head_b[1])
    if not (mods_a <= mods_b or mods_b <= mods_a):
        return False
    if where_a.places and where_b.places and not where_a.places & where_b.places:
        return False
    if not (where_a.all_named and where_b.all_named) or a.change != b.change or not _same_group(a, b):
        return False
    return where_a.periods == where_b.periods or bool(where_a.periods & where_b.periods)


_GROUP_WORDS = frozenset(["all", "the", "these", "those", "another", "other"])


def _same_group(a: Mention, b: Mention) -> bool:
    group_a = a.before[-1] if a.before and a.before[-1] in _GROUP_WORDS else ""
    group_b = b.before[-1] if b.before and b.before[-1] in _GROUP_WORDS else ""
    return group_a == group_b or not (group_a and group_b)


def _significant(text: str) -> int:
    digits = re.sub(r"\D", "", text.split(".")[0]) if "." not in text else re.sub(r"\D", "", text)
    return max(1, len(digits.rstrip("0")) if "." not in text else len(digits.lstrip("0")))


def _rounded(value: float, significant: int) -> float:
    if value == 0:
        return 0.0
    return float(f"{value:.{significant}g}")


def agree(a: Mention, b: Mention) -> bool:
    """Whether two figures for one quantity are consistent: equal, within a hedge, or one the other rounded."""
    if a.value == b.value:
        return True
    if a.hedge and a.hedge == b.hedge:
        return _rounds_to(a, b)  # "more than 400,000" and "more than 600,000" report different bounds
    for x, y in ((a, b), (b, a)):
        if x.hedge == "min" and y.value >= x.value:
            return True
        if x.hedge == "max" and y.value <= x.value:
            return True
        if x.hedge == "about" and abs(y.value - x.value) <= 0.1 * abs(x.value):
            return True
    return _rounds_to(a, b)


def _rounds_to(a: Mention, b: Mention) -> bool:
    """One figure is the other rounded to the precision it is written with ("1.4 million" / "1,412,000")."""
    return any(x.text[0].isdigit() and _rounded(y.value, _significant(x.text)) == x.value for x, y in ((a, b), (b, a)))


def disagree(a: Reading, b: Reading, focus: Sequence[str]) -> bool:
    """Two sentences give different values for one quantity, and none of their same-quantity figures agree.

    Copies of one sentence (equal masks) disagree when a figure differs in the same place;
    otherwise each sentence must give one value, else it is unclear which of its figures answers.
    """
    pairs = [(x, y) for x in a.figures for y in b.figures if same_quantity(x, a, y, b, focus)]
    if a.mask and a.mask == b.mask:
        return any(x.start == y.start and not agree(x, y) for x, y in pairs)
    if len(a.values) > 1 or len(b.values) > 1:
        return False  # a sentence giving two figures for the question does not say which answers it
    return bool(pairs) and not any(agree(x, y) for x, y in pairs)


def relation(a: str, b: str, cosine: float, terms: Callable[[str], list[str]]) -> Relation:
    """Whether two sentences make the same claim, conflicting claims, or are unrelated.

    The words both sentences share stand in for the question: numbers counting a shared
    word are compared, so "release five Lebanese detainees" and "release six Lebanese
    detainees" conflict. `terms` is the analyser that stems words (the index's).
    """
    shared = [t for t in dict.fromkeys(terms(a)) if t in set(terms(b)) and number_value(t) is None]
    ask = Ask(tuple(shared))
    reading_a, reading_b = read(a, ask), read(b, ask)
    values_a, values_b = reading_a.values, reading_b.values
    if values_a and values_b and disagree(reading_a, reading_b, shared) and cosine >= CONFLICT_MIN_COSINE:
        return "conflicting"
    if cosine >= SAME_CLAIM_COSINE and all_numbers(a) != all_numbers(b):
        return "conflicting"  # the same sentence, reported with different figures
    if cosine >= SAME_CLAIM_COSINE or (values_a & values_b and cosine >= CONFLICT_MIN_COSINE):
        return "same"
    return "unrelated"


def format_value(value: float) -> str:
    return str(int(value)) if value.is_integer() else f"{value:g}"


def group_claims(
    values: Sequence[frozenset[float]],
    similarity: npt.NDArray[np.float32] | None,
    apart: Callable[[int, int], bool] | None = None,
) -> list[Grouping]:
    """Group citations into claims, in citation order.

    With values (a counting question): citations sharing a value are one claim; citations
    without one join the most similar claim when similar enough, else stand alone. Without
    values: citations at least SAME_CLAIM_COSINE similar are one claim. `apart(i, j)` keeps
    citation i out of a claim holding j even so (two copies of a sentence that share a
    year but differ in the answer's figure).
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
            if same and apart is not None and any(apart(i, j) for j in members):
                same = False
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


def conflicting(
    claims: Sequence[Grouping],
    similarity: npt.NDArray[np.float32] | None,
    readings: Sequence[Reading],
    focus: Sequence[str],
) -> bool:
    """True when two claims report different values for the same quantity.

    `readings` are the citations' (indexed like the claims' members). Some sentence of one
    claim and some sentence of the other must `disagree` and, with embeddings, be at least
    CONFLICT_MIN_COSINE similar, so "4,115 deaths in the war" and "86 deaths since the
    ceasefire" are not called a disagreement.
    """
    valued = [c for c in claims if c.value]
    for i, a in enumerate(valued):
        for b in valued[i + 1 :]:
            for m in a.members:
                for n in b.members:
                    if similarity is not None and similarity[m, n] < CONFLICT_MIN_COSINE:
                        continue
                    if disagree(readings[m], readings[n], focus):
                        return True
    return False
