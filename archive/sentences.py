"""Sentence splitting with exact character spans.

Blingfire's finite-state splitter is used inside each paragraph (a run of text
between line breaks: news files put one paragraph, headline or crosshead a line, and
no sentence crosses a line break). On the XQuAD-R gold breaks it scores boundary
F1 0.995 against pysbd's 0.977 and syntok's 0.978, and runs about 20x faster than
pysbd (see `bench/sentence_boundaries.py`). It keeps `U.S.`, `Gen.`, `No. 5`,
`3:20 PM GMT`, decimals and quotes inside their sentences.

Every span `(start, end)` satisfies: `text[start:end]` is the sentence, has no
leading or trailing whitespace, spans are sorted and never overlap, and together
they cover every non-whitespace character of the text.
"""

from __future__ import annotations

import re

import blingfire

Span = tuple[int, int]

_LINE = re.compile(r"[^\n]+")


def split_sentences(text: str) -> list[Span]:
    """Return the sentence spans of `text` (see the module docstring for the invariant)."""
    spans: list[Span] = []
    for line in _LINE.finditer(text):
        spans.extend(_split_line(text, line.start(), line.end()))
    return spans


def _split_line(text: str, start: int, end: int) -> list[Span]:
    start, end = _strip(text, start, end)
    if start >= end:
        return []
    paragraph = text[start:end]
    _, offsets = blingfire.text_to_sentences_and_offsets(paragraph)
    cuts = _cut_points(paragraph, [begin for begin, _ in offsets[1:]])
    spans: list[Span] = []
    previous = 0
    for cut in [*cuts, len(paragraph)]:
        s, e = _strip(text, start + previous, start + cut)
        if s < e:
            spans.append((s, e))
        previous = cut
    return spans


def _cut_points(paragraph: str, starts: list[int]) -> list[int]:
    """Keep the sentence starts that make sense as cuts.

    A cut must fall inside the paragraph, after the previous one, and right after
    whitespace; whitespace between sentences is dropped by `_strip`, so the spans
    cover the paragraph whatever blingfire does with spaces (it returns character
    offsets, and rewrites some whitespace in its own output, which is why only the
    offsets are used). A start that fails the check is ignored, which at worst keeps
    two sentences together but never cuts a word.
    """
    cuts: list[int] = []
    last = 0
    for begin in starts:
        if last < begin < len(paragraph) and paragraph[begin - 1].isspace():
            cuts.append(begin)
            last = begin
    return cuts


def _strip(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
