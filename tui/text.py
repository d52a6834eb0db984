"""Display helpers with no Textual in them: term emphasis, snippets, score bars, meta lines.

A text word is emphasised when its analysed term (the index analyzer's: tokenizer, lower
case, stop list, Porter stem) is one of the question's terms, so the app marks exactly the
words retrieval matched. Emphasis never decides what is retrieved or cited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from archive.language import distinct_terms, term_spans
from archive.models import Citation, Hit

BAR_CELLS = 5
BAR_FULL, BAR_EMPTY = "█", "░"

Span = tuple[int, int]


def question_stems(question: str) -> tuple[str, ...]:
    """The question's analysed terms (Porter stems, stop words left out), in order."""
    return tuple(distinct_terms(question))


def emphasis_spans(text: str, stems: Sequence[str]) -> list[Span]:
    """Character spans of the words in `text` whose analysed term is one of `stems`."""
    if not stems:
        return []
    wanted = set(stems)
    return [(start, end) for start, end, term in term_spans(text) if term in wanted]


def snippet(text: str, stems: Sequence[str], width: int = 240, lead: int = 60) -> str:
    """About `width` characters of `text`, starting a little before its first emphasised word.

    Cuts fall on spaces; an ellipsis marks each cut. Whitespace runs become one space.
    """
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    spans = emphasis_spans(flat, stems)
    start = max(0, spans[0][0] - lead) if spans else 0
    if start:
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else start
    start = min(start, max(0, len(flat) - width))
    if start and not flat[start - 1].isspace():  # pulled back to show a full width: start on a word
        space = flat.find(" ", start)
        start = space + 1 if space >= 0 else start
    end = start + width
    if end < len(flat):
        space = flat.rfind(" ", start, end)
        end = space if space > start else end
    prefix = "…" if start else ""
    suffix = "…" if end < len(flat) else ""
    return prefix + flat[start:end].strip() + suffix


def score_bar(score: float, best: float, cells: int = BAR_CELLS) -> str:
    """A small bar: `score` relative to the best score of the same list."""
    filled = 0 if best <= 0 or score <= 0 else max(1, min(cells, round(cells * score / best)))
    return BAR_FULL * filled + BAR_EMPTY * (cells - filled)


def format_score(score: float) -> str:
    """A score short enough for a list row: two decimals, or three significant digits when small."""
    return f"{score:.2f}" if abs(score) >= 0.1 else f"{score:.3g}"


def day_label(day: date) -> str:
    """'14 Jan 2025'."""
    return f"{day.day} {day:%b %Y}"


def meta_line(source: str, day: date | None, authors: Sequence[str] = ()) -> str:
    """'Outlet · 14 Jan 2025 · by A, B' with the parts that are known."""
    parts = []
    if source:
        parts.append(source)
    if day is not None:
        parts.append(day_label(day))
    if authors:
        parts.append("by " + ", ".join(authors))
    return " · ".join(parts)


def plural(count: int, word: str) -> str:
    """'1 sentence', '2 sentences'."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def mentions_note(days: Sequence[date]) -> str:
    """'mentions 27 Nov 2024, 1 Dec 2024' for the dates a sentence names; '' when none."""
    return "mentions " + ", ".join(day_label(day) for day in days) if days else ""


def copies_note(copies: Sequence[str]) -> str:
    """'also printed as: id1, id2' for the reprints of a cited article; '' when none."""
    return "also printed as: " + ", ".join(copies) if copies else ""


def sources_note(sources: Sequence[str]) -> str:
    """The distinct outlets in order, then 'outlet unknown' when any is unknown ('')."""
    names = list(dict.fromkeys(source for source in sources if source))
    return ", ".join(names + ["outlet unknown"] * ("" in sources))


def either(values: Sequence[str]) -> str:
    """'5 or 6', '5, 6 or 7'."""
    if len(values) < 2:
        return "".join(values)
    return ", ".join(values[:-1]) + " or " + values[-1]


def parse_day(text: str, label: str) -> date | None:
    """A YYYY-MM-DD filter value, None when blank; ValueError with a message for people."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{label}: {text!r} is not a date; use the form YYYY-MM-DD.") from None


def paragraphs(text: str) -> list[Span]:
    """Spans of the non-blank lines of `text`, so each can be shown as a paragraph."""
    spans = []
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip():
            spans.append((offset, offset + len(body)))
        offset += len(line)
    return spans


def clip(span: Span, window: Span) -> Span | None:
    """The part of `span` inside `window`, relative to the window start; None when they do not meet."""
    start, end = max(span[0], window[0]), min(span[1], window[1])
    if start >= end:
        return None
    return start - window[0], end - window[0]


def citation_text(target: Citation | Hit) -> str:
    """What `y` copies: the sentence (or passage) in quotes, then title, outlet, date and id."""
    quoted = target.sentence if isinstance(target, Citation) else target.text
    parts = [part for part in (target.title, target.source, target.date.isoformat() if target.date else "") if part]
    return f"“{quoted}” — {', '.join(parts)} [{target.article_id}]" if parts else f"“{quoted}” [{target.article_id}]"
