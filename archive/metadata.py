"""Article metadata: field aliases, front matter, dates, and titles for plain text.

All functions are pure and never raise for bad input; what they cannot use they
report as warning strings, and they never invent a value (an unknown date stays None).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime

import orjson

from archive.sentences import split_sentences

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

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_CLOCK = r"(?:[,\s]+(?:at\s+)?\d{1,2}:\d{2}.*)?"  # a trailing time of day is ignored
_DAY_MONTH_YEAR = re.compile(
    rf"{_WEEKDAY}(\d{{1,2}})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{{4}}){_CLOCK}", re.I
)
_MONTH_DAY_YEAR = re.compile(
    rf"{_WEEKDAY}([a-z]+)\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}}){_CLOCK}", re.I
)
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
        parts = (m[3], str(_MONTHS.get(m[2].lower(), 0)), m[1])
    elif m := _MONTH_DAY_YEAR.fullmatch(text):
        parts = (m[3], str(_MONTHS.get(m[1].lower(), 0)), m[2])
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


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return "true/false" if value is not None else "null"
    return "a number"


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


def _canonical(key: str) -> str:
    return key.strip().lower().replace("-", "_").replace(" ", "_")


def read_fields(record: Mapping[str, object], with_text: bool = True) -> Fields:
    """Map a record's keys (any case, any alias) onto `Fields`; the rest go to `extra`."""
    by_key: dict[str, tuple[str, object]] = {}
    for key, value in record.items():
        by_key.setdefault(_canonical(key), (key, value))
    used: set[str] = set()
    out = Fields()
    for name, keys in ALIASES.items():
        if name == "text" and not with_text:
            continue
        present = [(key, *by_key[key]) for key in keys if key in by_key]
        if present:
            used.add(_read_one(out, name, present))
    out.extra = {raw: as_extra(value) for key, (raw, value) in by_key.items() if key not in used}
    return out


def _read_one(out: Fields, name: str, present: list[tuple[str, str, object]]) -> str:
    """Set field `name` from the first usable alias; return the canonical key used."""
    if name == "text":
        for key, _, value in present:
            if isinstance(value, str) and value.strip():
                out.text = value
                out.given.add(name)
                return key
        key, raw, value = present[0]
        out.text_problem = "empty text" if isinstance(value, str) else f"field '{raw}' is {_kind(value)}, not text"
        return key
    for key, raw, value in present:
        if name == "authors" and isinstance(value, list):
            names = [_scalar(item) for item in value]
            if any(item is None for item in names):
                out.warnings.append(f"field '{raw}' holds something other than names; kept in extra")
                continue
            found = tuple(item for item in names if item)
        else:
            text = _scalar(value)
            if text is None:
                out.warnings.append(f"field '{raw}' is {_kind(value)}, not text; kept in extra")
                continue
            if not text:
                continue
            found = (text,) if name == "authors" else text
        if name == "date":
            parsed = parse_date(str(found))
            if parsed is None:
                out.warnings.append(f"date '{found}' not understood; left empty")
            found = parsed
        if found or name == "date":
            setattr(out, name, found)
            out.given.add(name)
            return key
    return ""


@dataclass(frozen=True)
class FrontMatter:
    """Front matter split off a text: `fields` (lower-cased keys) and the `body` after it."""

    fields: dict[str, object]
    body: str
    warning: str = ""


_PAIR = re.compile(r"[ \t]*([A-Za-z][A-Za-z0-9 _-]{0,39}?)[ \t]*:(?:[ \t]+(.*?))?[ \t]*")
_ITEM = re.compile(r"[ \t]*-[ \t]+(.*?)[ \t]*")
_FENCE = re.compile(r"^---[ \t]*$", re.M)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _pairs(lines: list[str], fenced: bool) -> dict[str, object] | None:
    """`key: value` lines as a dict, or None if any line is something else."""
    fields: dict[str, object] = {}
    last = ""
    for line in lines:
        if fenced and (not line.strip() or line.lstrip().startswith("#")):
            continue
        item = _ITEM.fullmatch(line) if fenced else None
        if item and last and isinstance(fields[last], list):
            fields[last] = [*fields[last], _unquote(item[1])]  # type: ignore[misc]
            continue
        pair = _PAIR.fullmatch(line)
        if pair is None:
            return None
        last = _canonical(pair[1])
        value = _unquote(pair[2] or "")
        if value.startswith("[") and value.endswith("]"):
            fields[last] = [_unquote(v.strip()) for v in value[1:-1].split(",") if v.strip()]
        else:
            fields[last] = [] if fenced and not value else value
    return fields


def split_front_matter(text: str) -> FrontMatter:
    """Fenced (`---` ... `---`) or unfenced (`Key: value` lines, then a blank line)."""
    if text.startswith("---") and _FENCE.match(text):
        first_end = text.find("\n")
        close = _FENCE.search(text, first_end + 1) if first_end >= 0 else None
        if close is None:
            return FrontMatter({}, text, "front matter opened on line 1 is never closed; read as plain text")
        fields = _pairs(text[first_end + 1 : close.start()].split("\n")[:-1], fenced=True)
        if fields is None:
            warning = "front matter on line 1 holds lines that are not 'key: value'; read as plain text"
            return FrontMatter({}, text, warning)
        return FrontMatter(fields, text[close.end() + 1 :])
    blank = _BLANK_LINE.search(text, 0, 4000)
    if blank is not None:
        fields = _pairs(text[: blank.start()].split("\n"), fenced=False)
        if fields and FRONT_MATTER_KEYS.intersection(fields):
            return FrontMatter(fields, text[blank.end() :])
    return FrontMatter({}, text)


def drop_leading_blank_lines(text: str) -> str:
    m = re.match(r"(?:[ \t]*\n)+", text)
    return text[m.end() :] if m else text


_CLOSERS = "\"'”’»)]*_ \t"


def _ends_open(line: str) -> bool:
    """True unless the line ends like a sentence or a lead-in (period, colon, comma)."""
    stripped = line.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] not in ".:,;"


def is_headline(line: str) -> bool:
    line = line.strip()
    return 0 < len(line) <= 200 and len(line.split()) <= 30 and _ends_open(line)


def is_subtitle(line: str) -> bool:
    line = line.strip()
    return 0 < len(line) < 250 and _ends_open(line)


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
    if not rest.strip() or not (heading or is_headline(first)):
        return "", "", body
    title = heading[1] if heading else first.strip()
    if not want_subtitle:
        return title, "", rest
    second, after = _next_line(rest)
    subheading = _MD_HEADING.fullmatch(second) if markdown else None
    if after.strip() and (subheading or is_subtitle(second)):
        return title, subheading[1] if subheading else second.strip(), after
    return title, "", rest


def title_from_text(text: str, limit: int = TITLE_CHARS) -> str:
    """The first sentence, cut at a word boundary to at most `limit` characters with "…"."""
    text = drop_leading_blank_lines(text).lstrip()
    line = text[: min(len(text), 2000)].split("\n", 1)[0]  # sentences never cross lines
    spans = split_sentences(line)
    if not spans:
        return ""
    sentence = " ".join(line[spans[0][0] : spans[0][1]].split())
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"
