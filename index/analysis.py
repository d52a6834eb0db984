"""Text analysis for BM25: the terms Whoosh's StemmingAnalyzer makes, made faster.

Whoosh's analyzer builds a Token object per word and passes it through a chain of
generators; that costs about 5 µs a word, which is most of the time spent analysing
passages for the BM25 sidecar. This is the same pipeline as plain functions over
strings: the tokenizer pattern, lower case, the stop list with its minimum length of 2,
and the Porter stemmer, with a larger stem cache. `tests/unit/test_analysis.py` checks
that it gives exactly Whoosh's terms, so the Whoosh store and the sidecar agree.
"""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import STOP_WORDS, StemmingAnalyzer
from whoosh.lang.porter import stem

ANALYZER_NAME = "whoosh-stemming"
# whoosh.analysis.tokenizers.default_pattern, with the group made non-capturing.
_TOKEN = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")
_MIN_LENGTH = 2
_STOP_WORDS = frozenset(STOP_WORDS)


def whoosh_analyzer() -> StemmingAnalyzer:
    """The analyzer the Whoosh store's text fields use."""
    return StemmingAnalyzer()


@lru_cache(maxsize=500_000)
def _stem(word: str) -> str:
    return str(stem(word))


def _term(token: str) -> str | None:
    """The term a token becomes, or None when the analyzer drops it (too short, a stop word)."""
    # Lower-case each token after matching, as Whoosh does: lower-casing the whole text
    # first can change how it tokenises (a dotted capital I becomes two characters).
    word = token.lower()
    return _stem(word) if len(word) >= _MIN_LENGTH and word not in _STOP_WORDS else None


def terms(text: str) -> list[str]:
    """Every analysed term of `text`, in order, repeats kept."""
    return [term for match in _TOKEN.finditer(text) if (term := _term(match.group())) is not None]


def term_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, term) for every analysed term of `text`, in order: `terms` with where each came from."""
    return [(match.start(), match.end(), term) for match in _TOKEN.finditer(text) if (term := _term(match.group()))]


def unique_terms(text: str) -> list[str]:
    """The distinct analysed terms of `text`, in order of first occurrence."""
    return list(dict.fromkeys(terms(text)))
