"""Time periods named in a question ("in March 2025", "in 2024", "since January 2025"), and the
periods a sentence qualifies its figures with ("in the last three months"): pure functions."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from archive.language import MONTH_NAMES, MONTH_SHORT_NAMES, month_number

# Month words read in a question: full names and three-letter forms ("Sep", not "Sept").
_MONTH_WORDS = [name.casefold() for name in (*MONTH_NAMES, *MONTH_SHORT_NAMES)]
_MONTH = "|".join(sorted(dict.fromkeys(_MONTH_WORDS), key=len, reverse=True))
_PERIOD = re.compile(
    rf"\b(?P<word>in|during|since|after|before|until|by|of)?\s*(?:(?P<month>{_MONTH})\.?\s+)?(?P<year>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Period:
    """A date range named in a question; `text` is how the question said it."""

    start: date | None
    end: date | None
    text: str

    def contains(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


def named_period(question: str) -> Period | None:
    """The first month or year the question names, widened by "since"/"before" to an open range."""
    match = _PERIOD.search(question)
    if match is None:
        return None
    year = int(match.group("year"))
    month_name = match.group("month")
    if month_name:
        month = month_number(month_name)
        start, end = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    else:
        start, end = date(year, 1, 1), date(year, 12, 31)
    word = (match.group("word") or "").casefold()
    if word in ("since", "after"):
        return Period(start if word == "since" else end, None, match.group(0).strip())
    if word in ("before", "until", "by"):
        return Period(None, end if word != "before" else start, match.group(0).strip())
    return Period(start, end, match.group(0).strip())


_FIGURE_MONTHS = "|".join(MONTH_NAMES)
_FIGURE_PERIODS = [
    re.compile(r"\b(1[89]\d\d|20\d\d)\b"),
    re.compile(rf"\b({_FIGURE_MONTHS})\b"),
    re.compile(r"\b(first|second|third|fourth|final|last|latest) (?:fiscal )?(quarter|half)\b", re.I),
    re.compile(
        r"\b(?:in|over|during|for) the (?:last|past|previous|first|next) ((?:\w+ )?(?:year|month|week|day)s?)\b", re.I
    ),
    re.compile(r"\b(this|last|next|previous) (year|month|week|quarter|season|decade)\b", re.I),
    re.compile(r"\b((?:a|an|one|two|three|\d+) (?:year|month|week|day)s? ago)\b", re.I),
    re.compile(r"\b(so far|to date|year to date|annual|annually|quarterly|monthly|weekly|daily)\b", re.I),
]


@lru_cache(maxsize=4096)
def figure_periods(sentence: str) -> frozenset[str]:
    """The periods `sentence` qualifies its figures with, lower-cased ("2018", "third quarter", "last year").

    A total and a three-month figure, or two years' figures, are different quantities.
    """
    found: set[str] = set()
    for pattern in _FIGURE_PERIODS:
        for match in pattern.finditer(sentence):
            found.add(" ".join(g for g in match.groups() if g).casefold())
    return frozenset(found)
