"""RSS and Atom feed files: each item becomes an article.

An item gives its title, link, publication date, authors and its content (or, when it
has none, its summary) as text, HTML inside it turned into plain lines; the feed's own
title is every item's outlet. Files only: the feed is parsed from bytes already read,
so nothing is ever fetched from the network.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from typing import Any

from archive.metadata import parse_date

FEED_SUFFIXES = frozenset({".rss", ".atom"})

# Elements whose start or end breaks a line of text, and those whose content is not text.
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
_HIDDEN = frozenset({"script", "style", "template", "noscript", "head", "title"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_FEED_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(rss|feed|RDF)[\s>/]")


@dataclass(frozen=True)
class FeedItem:
    """One item's fields; `text` is plain text, "" when the item has none (`problem` says why)."""

    title: str
    text: str
    link: str
    date: date | None
    authors: tuple[str, ...]
    item_id: str  # the item's own id (guid), kept for reference
    problem: str = ""


@dataclass(frozen=True)
class Feed:
    """A parsed feed file: its title (the outlet) and items, or `problem` saying why none."""

    title: str = ""
    items: tuple[FeedItem, ...] = ()
    problem: str = ""
    warnings: tuple[str, ...] = field(default=())


def looks_like_feed(head: bytes) -> bool:
    """Whether an XML file's first bytes open an RSS, RDF or Atom document."""
    return _FEED_ROOT.search(head[:4096]) is not None


def parse_feed(data: bytes) -> Feed:
    """The feed in `data`; never raises for bad input and never touches the network."""
    import feedparser  # here: its import is start-up time that folders without feeds never need

    # A stream, never a string: feedparser fetches a string that looks like a URL.
    parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False, sanitize_html=True)
    version = parsed.get("version", "")
    entries: list[Mapping[str, Any]] = list(parsed.get("entries", []))
    if not version and not entries:
        error = parsed.get("bozo_exception")
        why = f": {_one_line(str(error))}" if error else ""
        return Feed(problem=f"not an RSS or Atom feed{why}")
    if not entries:
        return Feed(problem="feed has no items")
    warnings: tuple[str, ...] = ()
    if parsed.get("bozo"):
        warnings = (f"feed is not well-formed XML ({_one_line(str(parsed.get('bozo_exception')))}); read leniently",)
    title = _plain(str(parsed.get("feed", {}).get("title", "")))
    return Feed(title, tuple(_item(entry) for entry in entries), warnings=warnings)


def _item(entry: Mapping[str, Any]) -> FeedItem:
    text = ""
    for content in entry.get("content", []) or []:
        text = html_to_text(str(content.get("value", "")))
        if text:
            break
    if not text:
        text = html_to_text(str(entry.get("summary", "")))
    authors = tuple(
        name for name in (_plain(str(a.get("name", ""))) for a in entry.get("authors", []) or []) if name
    ) or ((_plain(str(entry["author"])),) if entry.get("author") else ())
    return FeedItem(
        title=_plain(str(entry.get("title", ""))),
        text=text,
        link=str(entry.get("link", "")).strip(),
        date=_item_date(entry),
        authors=authors,
        item_id=str(entry.get("id", "")).strip(),
        problem="" if text else "item has no content or summary text",
    )


def _item_date(entry: Mapping[str, Any]) -> date | None:
    """The published (else updated) date as written in the item's own zone; None if unclear.

    feedparser's `*_parsed` values are converted to UTC, which can move a date by a day, so
    the text as written is read first.
    """
    for key in ("published", "updated", "created"):
        written = entry.get(key)
        if written and (day := parse_date(str(written))) is not None:
            return day
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    return None


def _plain(text: str) -> str:
    """A one-line field (title, name) without tags or entities."""
    return " ".join(html_to_text(text).split()) if "<" in text or "&" in text else " ".join(text.split())


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: one line per paragraph or block, spaces collapsed."""
    if "<" not in fragment:
        text = html.unescape(fragment)
    else:
        parser = _TextParser()
        parser.feed(fragment)
        parser.close()
        text = "".join(parser.parts)
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)
