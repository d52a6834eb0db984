"""Saved web pages (`.html`, `.htm`, `.html.gz`): the article in the page, or why there is none.

trafilatura finds the article body (precision/recall/F1 on the Article Extraction
Benchmark pages are in bench/RESULTS.md) and the page's title, author, canonical URL,
site name and publication date (through htmldate). Dates come only from the page's
markup and URL (htmldate's extensive text search is off, so a copyright year or a
"last updated" line in a footer is never taken for the publication date). The outlet is
the page's own site name (og:site_name, publisher, application name), else its canonical
URL's domain, else empty.

trafilatura returns whatever text it finds, so two checks keep boilerplate out of the
index: a page whose text is mostly the words of its own links is an index page, and a
page with less than `MIN_PROSE_CHARS` of prose (lines of at least `PROSE_WORDS` words,
not menu items or form labels) has no article (a login or paywall page, an empty shell).
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from lxml.html import HtmlElement

HTML_SUFFIXES = frozenset({".html", ".htm"})
GZIP_SUFFIX = ".gz"
PROSE_WORDS = 6
MIN_PROSE_CHARS = 250  # trafilatura's own MIN_EXTRACTED_SIZE
MAX_LINK_SHARE = 0.5


@dataclass(frozen=True)
class Page:
    """What a page yields: the article's fields, or `problem` saying why there is none."""

    text: str = ""
    title: str = ""
    source: str = ""
    date: date | None = None
    url: str = ""
    authors: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)
    problem: str = ""


def is_page_name(name: str) -> bool:
    """`.html`, `.htm`, and either of them gzip-compressed (`page.html.gz`)."""
    lower = name.lower()
    lower = lower.removesuffix(GZIP_SUFFIX)
    return any(lower.endswith(suffix) for suffix in HTML_SUFFIXES)


def gunzip(data: bytes, limit: int) -> tuple[bytes, str]:
    """The decompressed bytes, or (b"", why) when corrupt or over `limit` bytes unpacked."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        return b"", f"not a readable gzip file ({exc})"
    if len(out) > limit:
        return b"", f"unpacks to over {limit:,} bytes; not read"
    return out, ""


def read_page(data: bytes) -> Page:
    """The article in an HTML page's bytes (any encoding the page declares or implies)."""
    # Imported here: trafilatura costs ~0.3 s of start-up that archives without pages never need.
    import trafilatura
    from trafilatura.settings import Document
    from trafilatura.utils import load_html

    tree = load_html(data)
    if tree is None:
        return Page(problem="not an HTML page (no document could be parsed)")
    links = _link_words(tree)
    doc = trafilatura.bare_extraction(
        tree,
        include_comments=False,
        with_metadata=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = (doc.text or "").strip() if isinstance(doc, Document) else ""
    if not isinstance(doc, Document) or not text:
        return Page(problem="no article text found in the page")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    prose = sum(len(line) for line in lines if len(line.split()) >= PROSE_WORDS)
    linked = _linked_chars(lines, links)
    if linked > MAX_LINK_SHARE * sum(len(line) for line in lines):
        return Page(problem="an index page, not an article: most of its text is the text of its links")
    if prose < MIN_PROSE_CHARS:
        return Page(problem=f"no article in the page: {prose} characters of prose (a login or paywall page?)")
    url = (doc.url or "").strip()
    extra = {"description": doc.description} if doc.description else {}
    return Page(
        text="\n".join(lines),
        title=" ".join((doc.title or "").split()),
        source=(doc.sitename or "").strip() or _domain(url),
        date=_iso_date(doc.date),
        url=url,
        authors=tuple(name.strip() for name in (doc.author or "").split(";") if name.strip()),
        extra=extra,
    )


def _link_words(tree: HtmlElement) -> set[str]:
    """The normalised text of every link in the page (before extraction changes the tree)."""
    found: set[str] = set()
    for anchor in tree.iter("a"):
        words = " ".join(anchor.text_content().split())
        if len(words.split()) >= 2:
            found.add(words)
    return found


def _linked_chars(lines: list[str], links: set[str]) -> int:
    """Characters of the lines that are, for the most part, one link's text."""
    total = 0
    for line in lines:
        bare = line.lstrip("-*• ").strip()
        if bare in links or any(len(link) >= 0.6 * len(bare) and link in bare for link in links):
            total += len(line)
    return total


def _domain(url: str) -> str:
    host = urlsplit(url).hostname or "" if url else ""
    return host.removeprefix("www.")


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
