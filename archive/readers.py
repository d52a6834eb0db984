"""Read folders of articles (.txt, .md, .markdown, .json, .jsonl, saved web pages and
RSS/Atom feeds) into `Article`s.

Nothing is dropped silently and nothing raises for bad input: every file or record
that is not indexed becomes a `FileProblem` in `failed`, every caveat one in
`warnings`, and repeated texts are listed in `duplicates`. Order is deterministic:
roots as given, files by path within a root, records in file order.

`FolderStream` hands the articles over as they are read (a JSON Lines file record by record),
so a build holds a batch of texts at a time; what it keeps per article is its id and content
hash (the duplicate checks, compactly: archive/seen.py). `read_folders` is the same read, collected.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from archive import decoding, feeds, folders, html_pages
from archive.front_matter import split_front_matter
from archive.markdown_text import inline_text, plain_text, without_title_heading
from archive.metadata import (
    Fields,
    drop_leading_blank_lines,
    kind_of,
    read_fields,
    split_headline,
    to_article,
)
from archive.models import Article, Duplicate, FileProblem
from archive.recall import NOT_REMEMBERED, RecordDigests, RecordRecall
from archive.seen import FirstSeen
from archive.settings import Settings
from index.records import content_hash

__all__ = ["SUPPORTED_SUFFIXES", "FolderStream", "ReadOutcome", "content_hash", "read_file", "read_folders"]

DEFAULT_MAX_ARTICLE_CHARS = Settings.max_article_chars
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
XML_SUFFIX = ".xml"  # read when it is an RSS or Atom feed
SUPPORTED_SUFFIXES: frozenset[str] = (
    TEXT_SUFFIXES | {".json", ".jsonl", XML_SUFFIX} | html_pages.HTML_SUFFIXES | feeds.FEED_SUFFIXES
)
SUPPORTED_NAMES = tuple(sorted(SUPPORTED_SUFFIXES | {".html.gz"}))
SIDECAR_SUFFIX = ".meta.json"
_MIB = 1 << 20
JSON_FILE_LIMIT = 256 * _MIB
PAGE_FILE_LIMIT = 64 * _MIB  # a saved page, unpacked; ten times the largest benchmark page
SIDECAR_LIMIT = _MIB


@dataclass(frozen=True)
class ReadOutcome:
    articles: tuple[Article, ...]  # indexed, in read order
    failed: tuple[FileProblem, ...]  # input not indexed, and why
    warnings: tuple[FileProblem, ...]  # input indexed with a caveat
    duplicates: tuple[Duplicate, ...]  # same text as an earlier article: skipped


@dataclass
class _Collector:
    """Accumulates one read; owns the duplicate-id and duplicate-text checks."""

    max_chars: int
    links: folders.LinkRule  # which symbolic links may be followed (sidecars are checked too)
    skipped: set[str] = field(default_factory=set)  # paths the walk reported as skipped
    articles: list[Article] = field(default_factory=list)
    failed: list[FileProblem] = field(default_factory=list)
    warnings: list[FileProblem] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    ids: FirstSeen = field(default_factory=FirstSeen)  # id -> where it was first seen
    hashes: FirstSeen = field(default_factory=FirstSeen)  # content hash -> article id
    recall: RecordRecall | None = None  # the previous generation's articles, by record digest
    digests: dict[str, bytes] = field(default_factory=dict)  # article id -> its record's digest, when remembered

    def fail(self, path: Path | str, reason: str, line: int | None = None) -> None:
        self.failed.append(FileProblem(str(path), reason, line))

    def add(self, article: Article, where: str, line: int | None, warnings: Iterable[FileProblem]) -> bool:
        """Index `article` unless it is too long or repeats an id or a text; True if indexed."""
        if len(article.text) > self.max_chars:
            size = f"{len(article.text):,} characters, over the limit of {self.max_chars:,}"
            self.fail(article.path, f"article text is {size}", line)
            return False
        first = self.hashes.get(article.content_hash)
        if first is not None:
            self.duplicates.append(Duplicate(article.article_id, article.path, first))
            return False
        first_where = self.ids.get(article.article_id)
        if first_where is not None:
            reason = f"duplicate article id '{article.article_id}' (first in {first_where})"
            self.fail(article.path, reason, line)
            return False
        self.ids.add(article.article_id, where)
        self.hashes.add(article.content_hash, article.article_id)
        self.articles.append(article)
        self.warnings.extend(warnings)
        return True

    def outcome(self) -> ReadOutcome:
        return ReadOutcome(tuple(self.articles), tuple(self.failed), tuple(self.warnings), tuple(self.duplicates))


class FolderStream:
    """The articles of `roots`, yielded as they are read; `outcome()` then holds what was not indexed.

    Symbolic links that lead outside the roots are reported, not followed, unless
    `follow_links` (archive/folders.py). Iterate once; `outcome().articles` is empty here.
    With `recall`, a JSON Lines record read unchanged before is not parsed again (archive/recall.py).
    """

    def __init__(
        self,
        roots: Sequence[str | Path],
        max_article_chars: int = DEFAULT_MAX_ARTICLE_CHARS,
        follow_links: bool = False,
        recall: RecordRecall | None = None,
    ) -> None:
        self.roots = roots
        self._out = _Collector(max_article_chars, folders.LinkRule.given(roots, follow_links), recall=recall)
        self.count = 0  # articles yielded so far

    def digest(self, article_id: str) -> bytes:
        """The digest of the record an article yielded was read from; zeros when it is not remembered.

        Asked once an article (the build hands it to the writer), so it is forgotten here: a read
        of millions of records does not hold them all."""
        return self._out.digests.pop(article_id, NOT_REMEMBERED)

    def __iter__(self) -> Iterator[Article]:
        out = self._out
        for _ in self._steps():
            articles, out.articles = out.articles, []
            self.count += len(articles)
            yield from articles

    def _steps(self) -> Iterator[None]:
        """Reads, pausing whenever articles may have been added (after each file or JSON Lines record)."""
        out = self._out
        visited: dict[str, str] = {}
        for given in self.roots:
            root = Path(given)
            try:
                if root.is_dir():
                    for path in _articles(folders.walk(root, out.links, visited), out):
                        yield from _read_guarded(path, root, out)
                elif root.exists():
                    yield from _read_guarded(root, root.parent, out)
                else:
                    out.fail(root, "no such file or folder")
            except OSError as exc:
                out.fail(root, decoding.read_problem(exc))
            yield None

    def outcome(self) -> ReadOutcome:
        return self._out.outcome()


def read_folders(
    roots: Sequence[str | Path], max_article_chars: int = DEFAULT_MAX_ARTICLE_CHARS, follow_links: bool = False
) -> ReadOutcome:
    """Read every supported file under each root (a folder, or a single file), as `FolderStream`
    does, into one outcome."""
    stream = FolderStream(roots, max_article_chars, follow_links)
    articles = tuple(stream)
    outcome = stream.outcome()
    return ReadOutcome(articles, outcome.failed, outcome.warnings, outcome.duplicates)


def read_file(path: Path, root: Path, max_article_chars: int = DEFAULT_MAX_ARTICLE_CHARS) -> ReadOutcome:
    """Read one file; its article ids are relative to `root`."""
    out = _Collector(max_article_chars, folders.LinkRule.given([path]))
    for _ in _read_guarded(Path(path), Path(root), out):
        pass
    return out.outcome()


def _articles(found: folders.Walk, out: _Collector) -> list[Path]:
    """The files of a walk that are read as articles; what was skipped is reported, and so is
    a sidecar with no article beside it."""
    out.failed.extend(found.skipped)
    out.skipped.update(problem.path for problem in found.skipped)
    text_names = {(p.parent, n) for p in found.files if _is_text(p.name) for n in (p.name, p.stem)}
    articles = []
    for path in found.files:
        if not _is_sidecar(path.name):
            articles.append(path)
        elif (path.parent, path.name.removesuffix(SIDECAR_SUFFIX)) not in text_names:
            out.fail(path, "metadata sidecar with no .txt/.md/.markdown article beside it; ignored")
    return articles


def _is_sidecar(name: str) -> bool:
    return name.lower().endswith(SIDECAR_SUFFIX)


def _is_text(name: str) -> bool:
    return Path(name).suffix.lower() in TEXT_SUFFIXES and not _is_sidecar(name)


def _read_guarded(path: Path, root: Path, out: _Collector) -> Iterator[None]:
    """Read one file, pausing after each record of a JSON Lines file and at the end; an
    unexpected error costs that file only, never the whole read."""
    try:
        yield from _read_path(path, root, out)
    except RecursionError:
        out.fail(path, "nested too deeply to read")
    except OSError as exc:
        out.fail(path, decoding.read_problem(exc))
    except Exception as exc:  # a bug must not stop the other files from being read
        out.fail(path, f"unexpected error: {type(exc).__name__}: {exc}")
    yield None


def _read_path(path: Path, root: Path, out: _Collector) -> Iterator[None]:
    suffix = path.suffix.lower()
    if _is_sidecar(path.name):
        out.fail(path, "metadata sidecar, not an article")
    elif suffix in TEXT_SUFFIXES:
        _read_text(path, _base_id(path, root), out)
    elif suffix == ".json":
        _read_json(path, _base_id(path, root), out)
    elif suffix == ".jsonl":
        yield from _read_jsonl(path, _base_id(path, root), out)
    elif html_pages.is_page_name(path.name):
        _read_page(path, _base_id(path, root), out)
    elif suffix in feeds.FEED_SUFFIXES or suffix == XML_SUFFIX:
        _read_feed(path, _base_id(path, root), out)
    else:
        what = suffix or "(no suffix)"
        out.fail(path, f"unsupported file type {what} (supported: {', '.join(SUPPORTED_NAMES)})")


def _base_id(path: Path, root: Path) -> str:
    """The path relative to `root`, posix separators, without its suffix (both of `.html.gz`)."""
    try:
        relative = path.relative_to(root)
    except ValueError:
        relative = Path(path.name)
    if relative.suffix.lower() == html_pages.GZIP_SUFFIX:
        relative = relative.with_suffix("")
    return relative.with_suffix("").as_posix() if relative.suffix else relative.as_posix()


def _read_text(path: Path, base_id: str, out: _Collector) -> None:
    data, problem = decoding.read_bytes(path, 4 * out.max_chars + _MIB)
    if problem or not data:
        out.fail(path, problem or "empty file")
        return
    decoded = decoding.decode(data)
    if decoded.error or not decoded.text.strip():
        out.fail(path, decoded.error or "no text (only whitespace)")
        return
    warnings = [FileProblem(str(path), decoded.warning)] if decoded.warning else []
    front = split_front_matter(decoded.text)
    if front.warning:
        warnings.append(FileProblem(str(path), front.warning, 1))
    fields = read_fields(front.fields, with_text=False)
    for sidecar in (path.with_name(path.stem + SIDECAR_SUFFIX), path.with_name(path.name + SIDECAR_SUFFIX)):
        if str(sidecar) in out.skipped:
            continue  # a link out of the folders given: reported by the walk, not read
        extra, problems = _read_sidecar(sidecar, out.links)
        warnings.extend(problems)
        if extra is not None:
            fields.overlay(extra)
    warnings.extend(FileProblem(str(path), w) for w in fields.warnings)
    body = drop_leading_blank_lines(front.body)
    if not body.strip():
        out.fail(path, "no text after the front matter")
        return
    title = subtitle = ""
    markdown = path.suffix.lower() != ".txt"
    if not fields.title:
        title, subtitle, body = split_headline(body, markdown, want_subtitle=not fields.subtitle)
    if markdown:
        title, subtitle = inline_text(title), inline_text(subtitle)
        body = without_title_heading(plain_text(body), fields.title)
        if not body.strip():
            out.fail(path, "no prose in the markdown: only headings, images or markup")
            return
    fields.subtitle = fields.subtitle or subtitle
    article = to_article(fields, body, fields.article_id or base_id, path, title)
    out.add(article, str(path), None, warnings)


def _read_sidecar(path: Path, links: folders.LinkRule) -> tuple[Fields | None, list[FileProblem]]:
    """Fields from a `.meta.json` sidecar, if there is one; its problems are warnings."""
    try:
        if not path.is_file():
            return None, []
        refusal = links.refusal(path)
    except OSError as exc:
        return None, [FileProblem(str(path), f"metadata sidecar not used: {decoding.read_problem(exc)}")]
    if refusal:
        return None, [FileProblem(str(path), f"metadata sidecar not used: {refusal}")]
    data, problem = decoding.read_bytes(path, SIDECAR_LIMIT)
    decoded = decoding.decode(data) if not problem else decoding.Decoded(error=problem)
    value, problem, line = decoding.load_json(decoded.text) if not decoded.error else (None, decoded.error, None)
    if not isinstance(value, dict):
        problem = problem or f"expected a JSON object, found {kind_of(value)}"
        return None, [FileProblem(str(path), f"metadata sidecar not used: {problem}", line)]
    fields = read_fields(value, with_text=False)
    fields.warnings = [f"{w} (in {path.name})" for w in fields.warnings]
    return fields, []


def _read_record(
    value: object, path: Path, default_id: str, where: str, line: int | None, label: str, out: _Collector
) -> bool:
    """Turn one JSON value into an article; `label` prefixes problems ("record 3: ")."""
    if not isinstance(value, dict):
        out.fail(path, f"{label}not an article object (found {kind_of(value)})", line)
        return False
    fields = read_fields(value)
    if not fields.text:
        out.fail(path, label + fields.text_problem, line)
        return False
    text = decoding.normalise_newlines(fields.text)
    warnings = [FileProblem(str(path), f"{label}{w}", line) for w in fields.warnings]
    return out.add(to_article(fields, text, fields.article_id or default_id, path), where, line, warnings)


def _read_json(path: Path, base_id: str, out: _Collector) -> None:
    data, problem = decoding.read_bytes(path, JSON_FILE_LIMIT)
    decoded = decoding.decode(data) if data else decoding.Decoded(error=problem or "empty file")
    if decoded.error or not decoded.text.strip():
        out.fail(path, decoded.error or "no text (only whitespace)")
        return
    value, problem, line = decoding.load_json(decoded.text)
    if problem:
        out.fail(path, problem, line)
        return
    file_warnings = [FileProblem(str(path), decoded.warning)] if decoded.warning else []
    if isinstance(value, dict) and "articles" in value:
        ignored = ", ".join(sorted(k for k in value if k != "articles"))
        if ignored:
            file_warnings.append(FileProblem(str(path), f'keys beside "articles" ignored: {ignored}'))
        value = value["articles"]
        if not isinstance(value, list):
            out.fail(path, '"articles" is not a list')
            return
    if isinstance(value, dict):
        indexed = _read_record(value, path, base_id, str(path), None, "", out)
    elif isinstance(value, list) and value:
        indexed = False
        for n, record in enumerate(value, start=1):
            label = f"record {n}: "
            where = f"{path}, record {n}"
            indexed |= _read_record(record, path, f"{base_id}/{n}", where, None, label, out)
    else:
        found = "an empty list" if isinstance(value, list) else kind_of(value)
        shape = 'an article object, a list of them, or an object with an "articles" list'
        out.fail(path, f"expected {shape}; found {found}")
        return
    if indexed:
        out.warnings.extend(file_warnings)


def _read_jsonl(path: Path, base_id: str, out: _Collector) -> Iterator[None]:
    """Stream a JSON Lines file: one record per line, blank lines ignored; pauses after each record.

    A record the previous generation read unchanged is taken from it (archive/recall.py); a
    record read without a warning has its digest remembered.
    """
    line_limit = 6 * out.max_chars + _MIB  # a record's text may be escaped (\uXXXX)
    records = bad_lines = 0
    first_warning: FileProblem | None = None
    digests = RecordDigests(os.path.abspath(path), base_id, out.max_chars)
    for line in decoding.file_lines(path, line_limit, JSON_FILE_LIMIT):
        if not line.error and not line.text.strip():
            continue
        records += 1
        default_id = f"{base_id}/{line.number}"
        where = f"{path}:{line.number}"
        digest = NOT_REMEMBERED
        if not line.error and not line.warning:
            digest = digests.of(line.number, line.text)
            known = out.recall.article(digest) if out.recall is not None else None
            if known is not None:
                if out.add(known, where, line.number, []):
                    out.digests[known.article_id] = digest
                yield None
                continue
        value, problem, _ = decoding.load_json(line.text) if not line.error else (None, line.error, None)
        if problem:
            out.fail(path, problem, line.number or None)
            continue
        warned = len(out.warnings)
        indexed = _read_record(value, path, default_id, where, line.number, "", out)
        if indexed and line.warning:  # reported once per file, at the first such line
            bad_lines += 1
            first_warning = first_warning or FileProblem(str(path), line.warning, line.number)
        if indexed and digest != NOT_REMEMBERED and len(out.warnings) == warned:
            out.digests[out.articles[-1].article_id] = digest
        yield None
    if first_warning is not None:
        more = f"; {bad_lines:,} lines affected" if bad_lines > 1 else ""
        out.warnings.append(FileProblem(first_warning.path, first_warning.reason + more, first_warning.line))
    if records == 0:
        out.fail(path, "no records (empty file, or only blank lines)")


def _read_page(path: Path, base_id: str, out: _Collector) -> None:
    """A saved web page (`archive.html_pages`); a page with no article is reported, not indexed."""
    data, problem = decoding.read_bytes(path, PAGE_FILE_LIMIT)
    if not problem and path.suffix.lower() == html_pages.GZIP_SUFFIX:
        data, problem = html_pages.gunzip(data, PAGE_FILE_LIMIT) if data else (data, "")
    kind = decoding.binary_kind(data) if data else ""
    if problem or not data.strip() or kind:
        out.fail(path, problem or (f"binary file ({kind}), not HTML" if kind else "empty file"))
        return
    page = html_pages.read_page(data)
    if page.problem:
        out.fail(path, page.problem)
        return
    fields = Fields(title=page.title, source=page.source, date=page.date, url=page.url, authors=page.authors)
    fields.extra = page.extra
    out.add(to_article(fields, decoding.normalise_newlines(page.text), base_id, path), str(path), None, [])


def _read_feed(path: Path, base_id: str, out: _Collector) -> None:
    """An RSS or Atom file (`archive.feeds`): one article per item, ids `<file>/<item number>`."""
    data, problem = decoding.read_bytes(path, JSON_FILE_LIMIT)
    kind = decoding.binary_kind(data) if data else ""
    if problem or not data.strip() or kind:
        out.fail(path, problem or (f"binary file ({kind}), not a feed" if kind else "empty file"))
        return
    if path.suffix.lower() == XML_SUFFIX and not feeds.looks_like_feed(data):
        out.fail(path, "XML file that is not an RSS or Atom feed")
        return
    feed = feeds.parse_feed(data)
    if feed.problem:
        out.fail(path, feed.problem)
        return
    indexed = False
    for n, item in enumerate(feed.items, start=1):
        if item.problem:
            out.fail(path, f"item {n}: {item.problem}")
            continue
        fields = Fields(title=item.title, source=feed.title, date=item.date, url=item.link, authors=item.authors)
        fields.extra = {"guid": item.item_id} if item.item_id else {}
        text = decoding.normalise_newlines(item.text)
        indexed |= out.add(to_article(fields, text, f"{base_id}/{n}", path), f"{path}, item {n}", None, [])
    if indexed:
        out.warnings.extend(FileProblem(str(path), warning) for warning in feed.warnings)
