"""What article fields mean: key aliases, dates, titles for plain text, and `Article`s.

The file syntax (bytes, JSON, front matter) is `archive.decoding`. All functions here
are pure and never raise for bad input; what they cannot use they report as warning
strings, and they never invent a value (an unknown date stays None, a source "").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import orjson

from archive.language import month_number
from archive.models import Article
from archive.sentences import split_sentences
from index.records import content_hash

# Canonical field -> accepted keys, in order of preference (keys are matched lower-cased).
ALIASES: dict[str, tuple[str, ...]] = {
    "article_id": ("id",),
    "title": ("title",),
    "subtitle": ("subtitle", "subheadline"),
    "text": ("text", "body", "content"),
    "date": ("date", "published", "published_at", "pubdate"),
    "source": ("source", "outlet", "publisher"),
    "url": ("url", "link"),
    "authors": ("author", "authors", "byline"),
}
# Keys that make an unfenced block of `Key: value` lines count as front matter.
FRONT_MATTER_KEYS = frozenset(key for name, keys in ALIASES.items() if name != "text" for key in keys)

TITLE_CHARS = 120

_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_CLOCK = r"(?:[,\s]+(?:at\s+)?\d{1,2}:\d{2}.*)?"  # a trailing time of day is ignored
_DAY_MONTH_YEAR = re.compile(rf"{_WEEKDAY}(\d{{1,2}})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{{4}}){_CLOCK}", re.I)
_MONTH_DAY_YEAR = re.compile(rf"{_WEEKDAY}([a-z]+)\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}}){_CLOCK}", re.I)
_YEAR_MONTH_DAY = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")


def parse_date(text: str) -> date | None:
    """The calendar date written in `text`, or None when it is not clearly one.

    Accepts ISO dates and datetimes, `2025/03/11`, `11 March 2025`, `March 11, 2025`,
    `Mar 11 2025` and RFC 2822. A datetime keeps the date as written in its own zone.
    All-numeric day/month orders such as `03/11/2025` are ambiguous and rejected.
    """
    text = text.strip()
    if not text or len(text) > 100:
        return None
    for parse in (date.fromisoformat, lambda t: datetime.fromisoformat(t).date()):
        try:
            return parse(text)
        except ValueError:
            pass
    parts: tuple[str, str, str] | None = None
    if m := _YEAR_MONTH_DAY.fullmatch(text):
        parts = (m[1], m[2], m[3])
    elif m := _DAY_MONTH_YEAR.fullmatch(text):
        parts = (m[3], str(month_number(m[2])), m[1])
    elif m := _MONTH_DAY_YEAR.fullmatch(text):
        parts = (m[3], str(month_number(m[1])), m[2])
    try:
        if parts is not None:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        return parsedate_to_datetime(text).date()
    except (ValueError, TypeError, IndexError, OverflowError):
        return None


@dataclass
class Fields:
    """Article fields read from a record, front matter or sidecar.

    `given` names the canonical fields the source set, so a sidecar overrides only
    those; `text_problem` says why `text` is missing when text was asked for.
    """

    article_id: str = ""
    title: str = ""
    subtitle: str = ""
    text: str = ""
    source: str = ""
    date: date | None = None
    url: str = ""
    authors: tuple[str, ...] = ()
    text_problem: str = ""
    given: set[str] = field(default_factory=set)
    extra: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def overlay(self, other: Fields) -> None:
        """Let the fields `other` sets replace ours (a sidecar over front matter)."""
        for name in other.given:
            setattr(self, name, getattr(other, name))
        self.given |= other.given
        self.extra.update(other.extra)
        self.warnings.extend(other.warnings)


_KINDS: dict[type, str] = {dict: "an object", list: "a list", str: "a string", bool: "true/false"}


def kind_of(value: object) -> str:
    """How to name a JSON value's type in a message."""
    return "null" if value is None else _KINDS.get(type(value), "a number")


def _scalar(value: object) -> str | None:
    """Text for a string or number (None for null: ""); None for lists and objects."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def as_extra(value: object) -> str:
    if isinstance(value, str):
        return value
    try:
        return orjson.dumps(value).decode()
    except (orjson.JSONEncodeError, RecursionError):
        return repr(value)


def canonical_key(key: str) -> str:
    """Keys match case-insensitively, with spaces and hyphens read as underscores."""
    return key.strip().lower().replace("-", "_").replace(" ", "_")


def read_fields(record: Mapping[str, object], with_text: bool = True) -> Fields:
    """Map a record's keys (any case, any alias) onto `Fields`; the rest go to `extra`."""
    by_key: dict[str, tuple[str, object]] = {}
    for key, value in record.items():
        by_key.setdefault(canonical_key(key), (key, value))
    out = Fields()
    used: set[str] = set()
    for name, keys in ALIASES.items():
        if name != "text" or with_text:
            used.update(next(([k] for k in keys if k in by_key and _take(out, name, *by_key[k])), []))
    if with_text and not out.text:
        present = [by_key[k] for k in ALIASES["text"] if k in by_key]
        raw, value = present[0] if present else ("", None)
        out.text_problem = (
            "no text field (text, body or content)"
            if not present
            else "empty text"
            if isinstance(value, str)
            else f"field '{raw}' is {kind_of(value)}, not text"
        )
    out.extra = {raw: as_extra(value) for key, (raw, value) in by_key.items() if key not in used}
    return out


def _take(out: Fields, name: str, raw: str, value: object) -> bool:
    """Set field `name` from one key's value; False if the value is empty or unusable."""
    if name == "text":
        if isinstance(value, str) and value.strip():
            out.text = value
        return bool(out.text)
    found: object
    if name == "authors" and isinstance(value, list):
        items = [_scalar(item) for item in value]
        found = None if None in items else tuple(item for item in items if item)
    else:
        text = _scalar(value)
        found = (text,) if name == "authors" and text else text
    if found is None:
        out.warnings.append(f"field '{raw}' is {kind_of(value)}, not text; kept in extra")
        return False
    if not found:
        return False
    if name == "date":
        found = parse_date(str(found))
        if found is None:
            out.warnings.append(f"date '{_scalar(value)}' not understood; left empty")
    setattr(out, name, found)
    out.given.add(name)
    return True


def drop_leading_blank_lines(text: str) -> str:
    m = re.match(r"(?:[ \t]*\n)+", text)
    return text[m.end() :] if m else text


_CLOSERS = "\"'”’»)]*_ \t"


def _ends_open(line: str) -> bool:
    """True unless the line ends like a sentence or a lead-in (period, colon, comma)."""
    stripped = line.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] not in ".:,;…"


def _heading_like(line: str, max_chars: int, max_words: int = 1_000) -> bool:
    line = line.strip()
    return len(line) <= max_chars and len(line.split()) <= max_words and _ends_open(line) and _has_word(line)


def _next_line(text: str) -> tuple[str, str]:
    end = text.find("\n")
    return (text, "") if end < 0 else (text[:end], drop_leading_blank_lines(text[end + 1 :]))


_MD_HEADING = re.compile(r"#{1,6}[ \t]+(.*?)[ \t#]*")


def split_headline(body: str, markdown: bool, want_subtitle: bool = True) -> tuple[str, str, str]:
    """(title, subtitle, text) when the body's first line reads as a headline.

    Returns ("", "", body) otherwise. A headline needs more text after it, so the
    article text is never empty; `body` must start with a non-blank line.
    """
    first, rest = _next_line(body)
    heading = _MD_HEADING.fullmatch(first) if markdown else None
    heading = heading if heading and heading[1] else None
    if not rest.strip() or not (heading or _heading_like(first, 200, 30)):
        return "", "", body
    title = heading[1] if heading else first.strip()
    if not want_subtitle:
        return title, "", rest
    second, after = _next_line(rest)
    subheading = _MD_HEADING.fullmatch(second) if markdown else None
    subheading = subheading if subheading and subheading[1] else None
    if after.strip() and (subheading or _heading_like(second, 249)):
        return title, subheading[1] if subheading else second.strip(), after
    return title, "", rest


def title_from_text(text: str, limit: int = TITLE_CHARS) -> str:
    """The first sentence with a letter or digit in it, cut at a word boundary to at most
    `limit` characters with "…" appended when cut. Only the start of `text` is split.
    """
    head = text[:2000]
    sentence = next((head[s:e] for s, e in split_sentences(head) if _has_word(head[s:e])), "")
    sentence = " ".join(sentence.split())
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def _has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


def to_article(fields: Fields, text: str, article_id: str, path: Path, title: str = "") -> Article:
    """An `Article` from `fields`, with `text` as given and a title derived if none."""
    return Article(
        article_id=article_id,
        title=title or fields.title or title_from_text(text),
        text=text,
        source=fields.source,
        date=fields.date,
        url=fields.url,
        authors=fields.authors,
        subtitle=fields.subtitle,
        path=str(path),
        content_hash=content_hash(text),
        extra=tuple(sorted(fields.extra.items())),
    )
