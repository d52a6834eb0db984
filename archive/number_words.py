"""Numbers as news text writes them, read into values: "three hundred", "twenty-five", "5 million", "$1.2bn".

Works on word tokens (the caller's tokenizer keeps "twenty-five" and "1.2bn" whole) and
reads one number starting at a given token: digits with "," separators or a decimal
point, an optional short scale suffix ("bn", "m", "k"), English number words joined by
spaces, hyphens or "and" ("two hundred and fifty"), and a scale word after either
("4 million", "three hundred thousand"). Ordinals ("20th", "third") are not counts and
are left to the caller. Pure functions, no state.

A small parser rather than `text2num.alpha2digit`: the caller needs token positions (which
words a number spans, what follows it) and scale words after digits, which a rewrite of the
whole sentence does not give, and this keeps a compiled dependency out of the answer path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
# Words that multiply what comes before them; "hundred" also multiplies only the part below a thousand.
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 10**12}
# Short scale suffixes written onto digits or as their own word ("$300M", "1.2bn", "5 mln").
SCALE_SUFFIXES = {
    "k": 1_000, "m": 1_000_000, "mn": 1_000_000, "mln": 1_000_000, "million": 1_000_000,
    "b": 1_000_000_000, "bn": 1_000_000_000, "bln": 1_000_000_000, "tn": 10**12, "trn": 10**12,
}  # fmt: skip
ORDINAL_SUFFIXES = ("st", "nd", "rd", "th")

_DIGITS = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?([A-Za-z]*)$")


def digits_value(token: str) -> tuple[float, str] | None:
    """("4,115" → 4115.0, ""), ("1.2bn" → 1.2e9, ""), ("30GW" → 30.0, "gw"); None for other tokens.

    The second item is a unit written onto the digits (lower case), "" when none or when the
    suffix was a scale. Ordinals ("20th") give None.
    """
    match = _DIGITS.match(token)
    if match is None:
        return None
    whole, fraction, suffix = match.groups()
    value = float(whole.replace(",", "") + (fraction or ""))
    suffix = suffix.casefold()
    if suffix in ORDINAL_SUFFIXES:
        return None
    if suffix in SCALE_SUFFIXES:
        return value * SCALE_SUFFIXES[suffix], ""
    return value, suffix


def is_ordinal(token: str) -> bool:
    """A digit ordinal such as "20th" or "1st"."""
    match = _DIGITS.match(token)
    return match is not None and match.group(3).casefold() in ORDINAL_SUFFIXES


def _word_parts(token: str) -> list[str] | None:
    """The number words of one token ("twenty-five" → ["twenty", "five"]); None if any part is not one."""
    parts = token.casefold().split("-")
    if all(p in UNITS or p in TENS or p in SCALES or p == "and" for p in parts) and parts[0] != "and":
        return parts
    return None


def read_number(tokens: Sequence[str], i: int) -> tuple[float, int, str] | None:
    """The number starting at tokens[i]: (value, index after it, unit written onto digits), or None.

    "a dozen" and "a hundred" count ("a" as one); a lone "a" or "one" used as a pronoun is
    still read as 1, which callers treat like any small count.
    """
    if i >= len(tokens):
        return None
    token = tokens[i]
    read = digits_value(token)
    if read is not None:
        value, unit = read
        j = i + 1
        if not unit and j < len(tokens) and tokens[j].casefold() in SCALES and tokens[j].casefold() != "hundred":
            value *= SCALES[tokens[j].casefold()]
            j += 1
        elif not unit and j < len(tokens) and tokens[j].casefold() in SCALE_SUFFIXES:
            value *= SCALE_SUFFIXES[tokens[j].casefold()]
            j += 1
        return value, j, unit
    lowered = token.casefold()
    head = lowered.split("-")[0]
    if "-" in lowered and _word_parts(lowered) is None and (head in UNITS or head in TENS):
        return float(UNITS.get(head, TENS.get(head, 0))), i + 1, ""  # "six-time", "two-day", "five-spoke"
    if lowered in ("a", "an") and i + 1 < len(tokens) and tokens[i + 1].casefold() in ("dozen", "hundred", "thousand"):
        return _read_words(tokens, i + 1, start_value=1.0)
    if lowered == "dozen":
        return 12.0, i + 1, ""
    return _read_words(tokens, i)


def _read_words(tokens: Sequence[str], i: int, start_value: float | None = None) -> tuple[float, int, str] | None:
    total = 0.0  # completed thousands-groups
    group = 0.0 if start_value is None else start_value  # the part below the next scale word
    seen = start_value is not None
    j = i
    while j < len(tokens):
        if tokens[j].casefold() == "dozen" and seen:
            group *= 12
            j += 1
            continue
        parts = _word_parts(tokens[j])
        if parts is None:
            # "and" joins number words only when a number word follows ("two hundred and fifty")
            if tokens[j].casefold() == "and" and seen and j + 1 < len(tokens) and _word_parts(tokens[j + 1]):
                j += 1
                continue
            break
        for part in parts:
            if part in UNITS:
                group += UNITS[part]
            elif part in TENS:
                group += TENS[part]
            elif part == "hundred":
                group = (group or 1) * 100
            elif part in SCALES:
                total += (group or 1) * SCALES[part]
                group = 0.0
        seen = True
        j += 1
    if not seen:
        return None
    return total + group, j, ""
