"""Sentence splitting with exact character spans, on any machine.

Each paragraph (a run of text between line breaks: news files put one paragraph, headline
or crosshead a line, and no sentence crosses a line break) is split by one of two splitters:

    blingfire   finite-state, native code; boundary F1 0.992 on the XQuAD-R gold breaks.
                Its wheels carry x86-64 libraries only, so it fails to load elsewhere.
    pysbd       rule-based, pure Python, installs anywhere; F1 0.986 inside lines, about
                20x slower (bench/sentence_boundaries.py, figures in bench/RESULTS.md).

blingfire is used when it loads, pysbd otherwise; `SPLITTER` is the one in use. Its `name`
is recorded in each index (the manifest's `splitter`), so archive/planning.py re-splits
rather than mixes articles split by the other one. Both keep `U.S.`, `Gen.`, `No. 5`,
`3:20 PM GMT`, decimals and quotes inside their sentences.

Neither cuts where a page lost the space between two sentences ("... on Wednesday.The
stabbing ..."): saved pages do this when the site separates paragraphs with an empty
element rather than a break. Such a join is cut too (`GLUED`); no XQuAD-R paragraph or
SciFact abstract holds one, 7 of the 120 html-news pages do, every one a real boundary.
And a dateline's abbreviation ("ST. JOSEPH, Mich. (AP) —") stays with its sentence.

Every span `(start, end)` satisfies: `text[start:end]` is the sentence, has no leading or
trailing whitespace, spans are sorted and never overlap, and together they cover every
non-whitespace character of the text.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Span = tuple[int, int]

_LINE = re.compile(r"[^\n]+")
# Two sentences with no space between them: "Wednesday.The", 'over.”The', "in 1950.He". The
# stop follows a word ending in two lower-case letters, a figure or %; so initials and
# acronyms stay whole ("U.S.The", "Ph.D"), and so does a capitalised word that goes on as a
# host name ("news.Google.com"). The cut falls after the stop and any closing quote.
GLUED = re.compile(r"(?:(?<=[a-z]{2})|(?<=[\d%]))[.!?][”\"’)]?(?=[“\"‘(]?[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+\b(?![./@]\w))")
# Titles written before a name, which a stop and a capital follow without a sentence ending.
_TITLES = frozenset(
    ["mr", "mrs", "ms", "dr", "prof", "gov", "sen", "rep", "gen", "col", "capt", "lt", "sgt", "rev", "hon", "pres",
     "supt", "det", "adm", "maj", "cmdr", "atty", "vs"]
)  # fmt: skip
_FIGURE = re.compile(r"\d[\d,.]*%?")
# What marks a word as a web or e-mail address.
_ADDRESS_MARK = re.compile(r"https?://|www\.|[/@]")
# A dateline's abbreviation: one to three capitals and a stop, before a word in capitals ("ST. JOSEPH").
_LONE_ABBREVIATION = re.compile(r"[A-Z]{1,3}\.")
_CAPITALS_WORD = re.compile(r"[A-Z]{2,}\b")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Splitter:
    """One way of finding sentence starts in a paragraph.

    `starts(paragraph)` returns character offsets where sentences may begin (any order of
    quality: `split_sentences` keeps only those that cut cleanly). `name` changes whenever
    the spans it gives could change, and is what an index records.
    """

    name: str  # "blingfire-lines-2": recorded in the manifest
    distribution: str  # the package that finds the starts: "blingfire"
    starts: Callable[[str], list[int]]

    @property
    def library(self) -> str:
        """What `archive info` shows, e.g. "blingfire 0.1.8" (looked up when asked: importing
        importlib.metadata costs a one-shot command 30-70 ms)."""
        return _library(self.distribution)


def blingfire_splitter() -> Splitter:
    """blingfire's splitter; ImportError or OSError where its native library cannot load."""
    import blingfire

    def starts(paragraph: str) -> list[int]:
        # Only the offsets are used: blingfire rewrites some whitespace in its own output.
        _, offsets = blingfire.text_to_sentences_and_offsets(paragraph)
        return [begin for begin, _ in offsets[1:]]

    return Splitter("blingfire-lines-2", "blingfire", starts)


def pysbd_splitter() -> Splitter:
    """pysbd's English rules, pure Python. Its Segmenter keeps state while it works, so each
    thread gets its own."""
    import pysbd

    local = threading.local()

    def starts(paragraph: str) -> list[int]:
        segmenter: Any = getattr(local, "segmenter", None)
        if segmenter is None:
            segmenter = local.segmenter = pysbd.Segmenter(language="en", clean=False)
        # pysbd returns the sentences' text; each is found again from where the last ended.
        # A piece it rewrote is not found and makes no cut (two sentences stay together).
        found: list[int] = []
        cursor = 0
        for piece in segmenter.segment(paragraph):
            piece = piece.strip()
            at = paragraph.find(piece, cursor) if piece else -1
            if at >= 0:
                found.append(at)
                cursor = at + len(piece)
        return found

    return Splitter("pysbd-lines-2", "pysbd", starts)


def load_splitter(loaders: tuple[Callable[[], Splitter], ...] = (blingfire_splitter, pysbd_splitter)) -> Splitter:
    """The first splitter that loads: blingfire where its native library works, else pysbd."""
    problems: list[str] = []
    for loader in loaders:
        try:
            return loader()
        except (ImportError, OSError) as exc:  # OSError: a native library for another machine
            problems.append(f"{loader.__name__.removesuffix('_splitter')}: {exc}")
            log.info("sentence splitter %s", problems[-1])
    raise ImportError("no sentence splitter could be loaded (" + "; ".join(problems) + ")")


def _library(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{distribution} {version(distribution)}"
    except PackageNotFoundError:
        return distribution


SPLITTER = load_splitter()


def split_sentences(text: str, splitter: Splitter | None = None) -> list[Span]:
    """The sentence spans of `text` (see the module docstring for the invariant), split by
    `splitter` (default: `SPLITTER`, the one in use)."""
    use = splitter or SPLITTER
    spans: list[Span] = []
    for line in _LINE.finditer(text):
        spans.extend(_split_line(text, line.start(), line.end(), use))
    return spans


def _split_line(text: str, start: int, end: int, splitter: Splitter) -> list[Span]:
    start, end = _strip(text, start, end)
    if start >= end:
        return []
    paragraph = text[start:end]
    cuts = _after_abbreviations(
        paragraph, sorted({*_cut_points(paragraph, splitter.starts(paragraph)), *_glued_cuts(paragraph)})
    )
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
    cover the paragraph whatever the splitter does with spaces. A start that fails the
    check is ignored, which at worst keeps two sentences together but never cuts a word.
    """
    cuts: list[int] = []
    last = 0
    for begin in starts:
        if last < begin < len(paragraph) and paragraph[begin - 1].isspace():
            cuts.append(begin)
            last = begin
    return cuts


def looks_like_address(word: str) -> bool:
    """Whether `word` (no spaces) is, or holds, a web or e-mail address: "https://…", "www.x.org", "a@b.com"."""
    return bool(_ADDRESS_MARK.search(word))


def _glued_cuts(paragraph: str) -> list[int]:
    """Where two sentences meet with no space between them (`GLUED`): not after a title, nor in an address."""
    cuts = []
    for match in GLUED.finditer(paragraph):
        word_start = max(paragraph.rfind(" ", 0, match.start()), paragraph.rfind("\t", 0, match.start())) + 1
        word = paragraph[word_start : match.start()].lstrip('“"‘($€£')
        if word[-1:].isalpha():
            glued = word.lower() not in _TITLES and not looks_like_address(word)
        else:  # a figure ends a sentence only as a whole word ("1950", "3%"; not "B6.Cg")
            glued = bool(_FIGURE.fullmatch(word))
        if glued:
            cuts.append(match.end())
    return cuts


def _after_abbreviations(paragraph: str, cuts: list[int]) -> list[int]:
    """The cuts less those between a lone capitalised abbreviation and a word in capitals, as in
    a dateline ("ST. JOSEPH, Mich. (AP) —"); "NO. He refused." keeps its cut."""
    kept: list[int] = []
    previous = 0
    for cut in cuts:
        lone = _LONE_ABBREVIATION.fullmatch(paragraph[previous:cut].strip())
        if not (lone and _CAPITALS_WORD.match(paragraph, cut)):
            kept.append(cut)
            previous = cut
    return kept


def _strip(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
