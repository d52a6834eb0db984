"""The figures a sentence reports and what kind each is: a count, a rate, a percentage, a year, ...

`mentions` reads every number of a sentence (digits or words, `number_words`) with what
surrounds it: the words it counts (its phrase, up to the next punctuation or linking word),
the unit written with it ("$", "%", "GW", "miles"), a hedge ("more than", "about"), and its
role. Only a `count` (or the role a question asks for) can be an answer's value:
- `rate`: "7.5 per 100 people", "$53 million a week", "$4.99/mo", "18 times the number";
- `percent`: "17%", "70 percent" ("17% of their staff" is a share, not a number of staff);
- `base`: the figure a rate, share or part refers to: the 100 of "per 100 people", the 11 of
  "out of a total of 11", the 12,000 of "a third of its 12,000 employees";
- `date`: a year written alone ("in 2018"), a day with its month ("June 30"), the length of
  a period ("in the last three months"); and `ordinal` ("20th").
The periods a sentence qualifies its figures with are `archive.periods.figure_periods`.
Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from archive.language import MONTH_NAMES
from archive.number_words import SCALES, TENS, UNITS, is_ordinal, read_number

Role = Literal["count", "rate", "percent", "base", "date", "ordinal"]

# Words a number's phrase (what it counts) never runs past.
PHRASE_BREAKS = frozenset(
    [
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "as",
        "than",
        "that",
        "which",
        "who",
        "whom",
        "whose",
        "where",
        "when",
        "while",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "will",
        "would",
        "could",
        "should",
        "can",
        "may",
        "might",
        "did",
        "do",
        "does",
        "said",
        "says",
        "say",
        "after",
        "before",
        "since",
        "during",
        "between",
        "against",
        "into",
        "over",
        "under",
        "about",
        "per",
        "out",
        "through",
        "until",
        "including",
        "according",
    ]
)
# Words a figure's phrase never reaches back across ("4,115 deaths and 16,909 injuries").
_BEFORE_BREAKS = frozenset(["and", "or", "but", "while", "which", "who", "that", "whom", "whose"])
CURRENCIES = {"$": "$", "£": "£", "€": "€", "us$": "$", "usd": "$", "dollars": "$", "dollar": "$"}
PERCENT_WORDS = ("percent", "per cent", "percentage points", "%")
# Hedges before a figure, by what they allow: a lower bound, an upper bound, or roughly.
HEDGES = {
    "more than": "min", "over": "min", "at least": "min", "upwards of": "min",
    "up to": "max", "less than": "max", "fewer than": "max", "under": "max", "nearly": "max", "almost": "max",
    "about": "about", "around": "about", "some": "about", "roughly": "about", "approximately": "about",
    "an estimated": "about", "estimated": "about", "close to": "about",
}  # fmt: skip
PERIOD_UNITS = ("year", "years", "month", "months", "week", "weeks", "day", "days", "quarter", "hour", "hours")
# A figure followed by these counts a rate ("28 cases a day") or a multiple ("10 times as many").
_RATE_AFTER = re.compile(r"^(?:per|a|an|each|every)\s+(?:\w+\s+)?(?:year|month|week|day|hour|minute|quarter)\b")
# Fractions and shares whose "of" points at a base figure ("a third of its 12,000 employees").
_SHARE_WORDS = frozenset(
    [
        "half",
        "third",
        "thirds",
        "quarter",
        "quarters",
        "fifth",
        "fifths",
        "tenth",
        "tenths",
        "percent",
        "%",
        "share",
        "majority",
        "proportion",
        "fraction",
        "portion",
    ]
)
_TOKEN = re.compile(
    r"[$£€]|\d{1,2}:\d\d|[A-Za-z]+\d[A-Za-z\d]*|\d[\d,]*(?:\.\d+)?[A-Za-z]*|-?[A-Za-z]+(?:['’.-][A-Za-z]+)*|%|\S"
)
_MONTH_WORDS = frozenset(m.casefold() for m in MONTH_NAMES) | frozenset(
    ["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"]
)


@dataclass(frozen=True)
class Mention:
    """One figure of a sentence: `value` (scaled: "5 million" is 5e6), where it is, what it is.

    `start`/`end` index the sentence's tokens (`tokens`); `phrase` are the lower-cased words
    after it up to a break (what it counts), `before` the up-to-three words before it in the
    same phrase; `unit` is "$", "%", a unit written onto the digits ("gw") or the measure word
    after it ("miles"), "" for a bare count; `hedge` is "", "min", "max" or "about".
    """

    value: float
    start: int
    end: int
    role: Role
    unit: str
    hedge: str
    phrase: tuple[str, ...]
    before: tuple[str, ...]
    text: str  # the figure as written
    change: bool = False  # a change, not a level: "adding five companies", "600,000 new connections"


@lru_cache(maxsize=4096)
def tokens(sentence: str) -> tuple[str, ...]:
    """Words, numbers (with their separators and suffixes: "4,115", "1.2bn", "20th"), and marks."""
    out: list[str] = []
    for token in _TOKEN.findall(sentence):
        if token[0].isdigit() and token.endswith(","):
            out += [token.rstrip(","), ","]  # "In 1466, perhaps": the comma ends the figure's phrase
        else:
            out.append(token)
    return tuple(out)


@lru_cache(maxsize=4096)
def mentions(sentence: str) -> tuple[Mention, ...]:
    """Every figure of `sentence` in order, with its role, unit, hedge and phrase (cached: answers repeat sentences)."""
    words = list(tokens(sentence))
    lowered = [w.casefold() for w in words]
    found: list[Mention] = []
    i = 0
    while i < len(words):
        if not (words[i][0].isdigit() or lowered[i].split("-")[0] in _NUMBERISH):
            i += 1
            continue
        if is_ordinal(words[i]):
            found.append(
                Mention(float(re.sub(r"\D", "", words[i]) or 0), i, i + 1, "ordinal", "", "", (), (), words[i])
            )
            i += 1
            continue
        if ":" in words[i]:  # a clock time ("3:08"), never a count
            found.append(Mention(0.0, i, i + 1, "date", "", "", (), (), words[i]))
            i += 1
            continue
        read = read_number(words, i)
        if read is None or (lowered[i] in ("a", "an") and read[0] == 1.0):
            i += 1
            continue
        value, end, unit = read
        found.append(_mention(words, lowered, i, end, value, unit))
        i = max(end, i + 1)
    return tuple(_ranges(found, lowered))


# Words that make a figure a change rather than a level ("added 600,000", "600,000 new").
_CHANGE_WORDS = frozenset(
    ["add", "adds", "added", "adding", "gained", "gains", "lost", "loses", "cut", "cutting", "new", "more",
     "additional", "extra", "another", "fewer", "rose", "fell", "increased", "decreased", "up", "down"]
)  # fmt: skip
_NOT_PLURALS = frozenset(
    ["perhaps", "was", "has", "is", "as", "this", "its", "his", "always", "across", "thus", "plus"]
)
# The words a number written in words can start with (a cheap test before reading one).
_NUMBERISH = frozenset([*UNITS, *TENS, *SCALES, "a", "an", "dozen"])
_RANGE_WORDS = frozenset(["to", "-", "–", "or"])


def _ranges(found: list[Mention], lowered: list[str]) -> list[Mention]:
    """The first figure of a range takes the second's phrase and unit: "from 415,000 to 587,000 square km"."""
    out = list(found)
    for k in range(len(out) - 2, -1, -1):
        first, second = out[k], out[k + 1]
        joined = second.start == first.end + 1 and lowered[first.end] in _RANGE_WORDS
        if joined and not first.phrase and first.role == "count" and second.role in ("count", "percent", "rate"):
            unit = first.unit or second.unit
            out[k] = Mention(first.value, first.start, first.end, second.role, unit, first.hedge, second.phrase,
                             first.before, first.text, first.change)  # fmt: skip
    return out


def _mention(words: list[str], lowered: list[str], start: int, end: int, value: float, unit: str) -> Mention:
    text = " ".join(words[start:end])
    before = _phrase_before(lowered, start)
    if start > 0 and lowered[start - 1] in CURRENCIES:
        unit = CURRENCIES[lowered[start - 1]]
    after = end
    if after < len(words) and lowered[after] in CURRENCIES and CURRENCIES[lowered[after]] == "$":
        unit, after = "$", after + 1
    rest = " ".join(lowered[after : after + 6])
    role: Role = "count"
    if rest.startswith(PERCENT_WORDS) or unit == "%":
        role, unit = "percent", "%"
        after += 1
    elif _is_date(words, lowered, start, end, value, unit):
        role = "date"
    if role == "percent" and after < len(lowered) and lowered[after] == "of":
        after += 2 if after + 1 < len(lowered) and lowered[after + 1] in ("the", "their", "its", "all") else 1
    phrase = _phrase_after(lowered, after)
    tail = " ".join(lowered[after : after + 4])
    past_phrase = " ".join(lowered[after + len(phrase) : after + len(phrase) + 4])
    if role == "count" and (
        _RATE_AFTER.match(tail) or _RATE_AFTER.match(past_phrase) or tail.startswith(("times", "/"))
    ):
        role = "rate"  # "$53 million a week", "37 million passengers a year"
    if role == "count" and phrase and phrase[0].rstrip("s") in ("time",):
        role = "rate"
    if role in ("count", "percent") and _is_base(lowered, start, before):
        role = "base"
    if role == "count" and " per " in f" {' '.join(lowered[after : after + 3])} ":
        role = "rate"  # "7.5 connections per 100 people"
    if not unit and phrase and phrase[0] in _MEASURES:
        unit = phrase[0].rstrip("s")
    first = start - 1 if start > 0 and lowered[start - 1] in CURRENCIES else start
    prefix = " ".join(lowered[max(0, first - 2) : first])
    hedge = next((kind for words_, kind in HEDGES.items() if f" {prefix}".endswith(f" {words_}")), "")
    change = any(w in _CHANGE_WORDS for w in (*before[-2:], *phrase[:1]))
    return Mention(value, start, end, role, unit, hedge, phrase, before, text, change)


def _is_date(words: list[str], lowered: list[str], start: int, end: int, value: float, unit: str) -> bool:
    """A year ("in 2018"), a day of a month ("June 30", "30 June"), or a period's length ("last three months")."""
    if unit or (end != start + 1 and words[start][0].isdigit()):
        return False
    bare_integer = words[start][0].isdigit() and value.is_integer() and "," not in words[start]
    following = words[end] if end < len(words) else ""
    # "attended by 2000 guests": a plural noun after it makes it a count
    counts_plural = following.islower() and following.endswith("s") and following not in _NOT_PLURALS
    if bare_integer and len(words[start]) == 4 and 1000 <= value <= 2100 and not counts_plural:
        return True
    near_month = (start > 0 and lowered[start - 1].rstrip(".") in _MONTH_WORDS) or (
        end < len(lowered) and lowered[end] in _MONTH_WORDS
    )
    if bare_integer and value <= 31 and near_month:
        return True
    return (
        start > 0
        and lowered[start - 1] in ("last", "past", "next", "first", "previous")
        and end < len(lowered)
        and lowered[end] in PERIOD_UNITS
    )


def _phrase_after(lowered: list[str], i: int, limit: int = 4) -> tuple[str, ...]:
    phrase: list[str] = []
    if i < len(lowered) and lowered[i] == "(" and ")" in lowered[i : i + 8]:
        i = lowered.index(")", i) + 1  # "1,388 (0.9%) same-sex married couples"
    for word in lowered[i : i + limit]:
        if not word[0].isalnum() and not (len(word) > 1 and word[0] == "-" and word[1].isalpha()):
            break
        if word in PHRASE_BREAKS:
            break
        phrase.append(word.lstrip("-"))
    return tuple(phrase)


def _phrase_before(lowered: list[str], i: int, limit: int = 3) -> tuple[str, ...]:
    phrase: list[str] = []
    for word in reversed(lowered[max(0, i - limit) : i]):
        if word in CURRENCIES:
            continue
        if not word[0].isalpha() or word in _BEFORE_BREAKS:
            break  # another figure, a mark or a linking word ends the phrase ("4,115 deaths and 16,909")
        phrase.append(word)
    return tuple(reversed(phrase))


def _is_base(lowered: list[str], start: int, before: Sequence[str]) -> bool:
    """The figure a rate, share or part refers to: "per 100", "out of 11", "a third of its 12,000"."""
    window = lowered[max(0, start - 5) : start]
    joined = " ".join(window)
    if window and window[-1] == "per":
        return True
    if "out of" in joined:
        return True
    if "of" in window:
        k = len(window) - 1 - window[::-1].index("of")
        return any(w in _SHARE_WORDS or w.endswith("%") for w in window[max(0, k - 2) : k])
    return False


# Measure words taken as a figure's unit: two figures in different units are different quantities.
_MEASURES = frozenset(
    [
        "mile",
        "miles",
        "kilometer",
        "kilometers",
        "kilometres",
        "km",
        "metre",
        "metres",
        "meter",
        "meters",
        "foot",
        "feet",
        "inch",
        "inches",
        "pound",
        "pounds",
        "kg",
        "kilograms",
        "ton",
        "tons",
        "tonnes",
        "tonne",
        "gallon",
        "gallons",
        "liter",
        "liters",
        "litre",
        "litres",
        "acre",
        "acres",
        "hectare",
        "hectares",
        "year",
        "years",
        "month",
        "months",
        "week",
        "weeks",
        "day",
        "days",
        "hour",
        "hours",
        "minute",
        "minutes",
        "second",
        "seconds",
        "point",
        "points",
        "degree",
        "degrees",
        "calorie",
        "calories",
        "horsepower",
        "hp",
        "mph",
        "gw",
        "mw",
        "kw",
        "gwh",
        "mwh",
        "kwh",
        "gb",
        "tb",
        "mb",
    ]
)
