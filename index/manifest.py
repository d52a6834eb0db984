"""The manifest: what an index generation holds and how it was built (orjson on disk)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from operator import attrgetter
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
import orjson

from index import fileio
from index.errors import IndexCorruptError, IndexIncompatibleError
from index.schema import MANIFEST, SCHEMA_VERSION, Sizes


@dataclass(frozen=True, slots=True)
class ArticleEntry:
    """Where one article's rows live in the generation's arrays and article store.

    Slotted: an archive holds one per article for as long as it is open (a third of the size).
    """

    article_id: str
    content_hash: str
    title: str
    source: str
    date: str  # ISO yyyy-mm-dd, or "" when unknown
    path: str
    passage_row: int
    passage_count: int
    sentence_row: int
    sentence_count: int
    offset: int  # byte offset of the article record in articles.bin
    length: int
    source_mtime: float = 0.0  # the source file's mtime when read, to tell a stale article
    story: str = ""  # id of the first article of its near-duplicate group (itself when unique)


_ENTRY_FIELDS = tuple(f.name for f in fields(ArticleEntry))
_ROWS_PER_PIECE = 4096
# Fields whose values repeat across articles (one file's path, an outlet, a day): read once, shared.
_SHARED_FIELDS = tuple(_ENTRY_FIELDS.index(name) for name in ("source", "date", "path", "source_mtime"))
# A manifest of 50 rows or more is written a line a piece: its head with the articles' opening, then
# each piece of rows (JSON strings hold no raw newline), then the close; it is read back a line at a time.
_OPEN_ROWS, _CLOSE_ROWS = b',"articles":[\n', b"\n]}"
_ID, _STORY = _ENTRY_FIELDS.index("article_id"), _ENTRY_FIELDS.index("story")


_ROW = attrgetter(*_ENTRY_FIELDS)  # an entry's fields as a tuple, in one call (an update writes thousands)


def _rows(entries: Sequence[ArticleEntry]) -> list[tuple[object, ...]]:
    return [_ROW(entry) for entry in entries]


@dataclass(frozen=True)
class Manifest:
    package_version: str
    model_name: str
    model_fingerprint: str
    dimension: int
    passage_tokens: int
    passage_overlap: int
    splitter: str
    built_at: str
    articles: tuple[ArticleEntry, ...]
    passages: int
    sentences: int
    files: dict[str, int] = field(default_factory=dict)  # file name -> size in bytes
    bm25_terms: int = 0  # the BM25 sidecar's vocabulary size
    bm25_postings: int = 0
    coarse_dimension: int = 0  # columns of the dense leg's coarse projection (index/coarse.py)
    schema_version: int = SCHEMA_VERSION

    def to_bytes(self) -> bytes:
        return b"".join(self.pieces())

    def pieces(self) -> Iterator[bytes]:
        """The manifest's JSON a few thousand article rows at a time: written as made, it is never
        held whole beside the entries (tens of MB at 100,000 articles)."""
        chunks = (
            _rows(self.articles[start : start + _ROWS_PER_PIECE])
            for start in range(0, len(self.articles), _ROWS_PER_PIECE)
        )
        return _json_pieces(self, chunks, len(self.articles))

    def chunking(self) -> tuple[int, int, str]:
        return (self.passage_tokens, self.passage_overlap, self.splitter)

    def sizes(self) -> Sizes:
        """The figures the generation's array shapes are made of (index/schema.py)."""
        return Sizes(
            articles=len(self.articles),
            passages=self.passages,
            sentences=self.sentences,
            dimension=self.dimension,
            coarse_dimension=self.coarse_dimension,
            bm25_terms=self.bm25_terms,
            bm25_postings=self.bm25_postings,
        )


def write_manifest(folder: Path, manifest: Manifest, spilled: SpilledEntries | None = None) -> None:
    """Write `manifest`; with `spilled`, its article rows are those (in order), not `manifest.articles`."""
    pieces = manifest.pieces() if spilled is None else _json_pieces(manifest, spilled.chunks(), len(spilled))
    with (folder / MANIFEST).open("wb") as handle:
        for piece in pieces:
            handle.write(piece)
        fileio.sync(handle)


def _json_pieces(manifest: Manifest, chunks: Iterable[Sequence[Sequence[object]]], count: int) -> Iterator[bytes]:
    """The JSON of `manifest` with `count` article rows taken from `chunks` in order (its own `articles` unused)."""
    # Field by field, not dataclasses.asdict: its deep copy of thousands of entries cost
    # more than half a second of every update.
    head: dict[str, object] = {f.name: getattr(manifest, f.name) for f in fields(manifest) if f.name != "articles"}
    head["article_fields"] = list(_ENTRY_FIELDS)
    if count < 50:  # small enough to read: indented, whole
        whole = [row for chunk in chunks for row in chunk]
        yield orjson.dumps({**head, "articles": whole}, option=orjson.OPT_INDENT_2)
        return
    yield orjson.dumps(head)[:-1] + _OPEN_ROWS
    separator = b""
    piece: list[Sequence[object]] = []  # pieces of `_ROWS_PER_PIECE` rows, however the chunks come
    for chunk in chunks:
        for row in chunk:
            piece.append(row)
            if len(piece) == _ROWS_PER_PIECE:
                yield separator + orjson.dumps(piece)[1:-1]
                separator, piece = b",\n", []
    if piece:
        yield separator + orjson.dumps(piece)[1:-1]
    yield _CLOSE_ROWS


class SpilledEntries:
    """Manifest entries kept on disk while a build makes them (a batch's rows a line, in a file
    of the staging folder), read back in order when the manifest is written: an archive of
    millions of articles never holds its entries in memory to write them.

    `stories`, given before reading back, names each row's story by the row of its first article.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = path.open("wb")
        self._count = 0
        self._stories: npt.NDArray[np.int64] | None = None

    def __len__(self) -> int:
        return self._count

    def append(self, entries: Sequence[ArticleEntry]) -> None:
        if entries:
            self._file.write(orjson.dumps(_rows(entries)) + b"\n")
            self._count += len(entries)

    def close(self) -> None:
        self._file.close()

    def name_stories(self, roots: npt.NDArray[np.int64]) -> None:
        """Each row's story: the id of the row `roots[i]` (at or before it), as `ArticleEntry.story`."""
        if len(roots) != self._count or np.any(roots > np.arange(len(roots))):
            raise ValueError(f"{len(roots)} stories for {self._count} articles, each named by a row at or before it")
        self._stories = roots

    def chunks(self) -> Iterator[list[list[object]]]:
        """The rows in order, a batch at a time, stories named."""
        self.close()
        roots = self._stories
        # Only a story's first article is named by later rows: its id is the only one kept.
        named = set(roots[roots != np.arange(len(roots))].tolist()) if roots is not None else set()
        ids: dict[int, object] = {}
        row = 0
        with self.path.open("rb") as handle:
            for line in handle:
                chunk: list[list[object]] = orjson.loads(line)
                for values in chunk:
                    if roots is not None:
                        root = int(roots[row])
                        values[_STORY] = values[_ID] if root == row else ids[root]
                        if row in named:
                            ids[row] = values[_ID]
                    row += 1
                yield chunk

    def remove(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    try:
        with path.open("rb") as handle:
            head = handle.readline()
            if head.endswith(_OPEN_ROWS):  # a piece a line: parsed a piece at a time
                data = orjson.loads(head[: -len(_OPEN_ROWS)] + b"}")
                pieces: Iterator[list[list[object]]] = _line_pieces(handle)
            else:
                data = orjson.loads(head + handle.read())
                pieces = iter([data.pop("articles")] if isinstance(data, dict) and "articles" in data else [])
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            _check_version(data, folder)
            return _manifest(data, pieces)
    except FileNotFoundError as exc:
        raise IndexCorruptError(f"{path} is missing; rebuild the index with `archive build`.") from exc
    except (KeyError, TypeError, ValueError, orjson.JSONDecodeError) as exc:
        raise IndexCorruptError(f"{path} is damaged ({exc}); rebuild the index with `archive build`.") from exc


def _check_version(data: dict[str, Any], folder: Path) -> None:
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise IndexIncompatibleError(
            f"The index in {folder.parent} has schema version {version}; this archive-qa reads version "
            f"{SCHEMA_VERSION}. Rebuild it with `archive build <folders> --index {folder.parent}`."
        )


def _line_pieces(handle: BinaryIO) -> Iterator[list[list[object]]]:
    """The article rows of a manifest written a piece a line, a piece at a time, up to the closing line."""
    for line in handle:
        if line == _CLOSE_ROWS[1:]:
            return
        yield orjson.loads(b"[" + line.rstrip(b"\n").rstrip(b",") + b"]")
    raise ValueError("it ends before its article rows do")


def _manifest(data: dict[str, Any], pieces: Iterator[list[list[object]]]) -> Manifest:
    """The manifest of `data` (its head), its entries made from `pieces` of rows as each is parsed, so
    the rows and entries are never all held at once; repeated values (`_SHARED_FIELDS`, stories)
    become one object."""
    names = tuple(data.pop("article_fields"))
    entries: list[ArticleEntry] = []
    shared: dict[object, object] = {}
    for rows in pieces:
        if names != _ENTRY_FIELDS:  # written by another version of this program
            entries.extend(ArticleEntry(**dict(zip(names, row, strict=True))) for row in rows)
            continue
        for row in rows:  # positionally: twice as fast as by keyword at 5,000 entries
            if len(row) != len(names):
                raise ValueError(f"an article row has {len(row)} fields, not {len(names)}")
            for column in _SHARED_FIELDS:
                row[column] = shared.setdefault(row[column], row[column])
            if row[_STORY] == row[_ID]:
                row[_STORY] = row[_ID]
            elif row[_STORY]:  # a copy: its story's id, one object for all the story's copies
                row[_STORY] = shared.setdefault(row[_STORY], row[_STORY])
            entries.append(ArticleEntry(*row))  # type: ignore[arg-type]
    data["articles"] = tuple(entries)
    return Manifest(**data)


def check_files(folder: Path, manifest: Manifest) -> None:
    """Detect truncated or missing files before they can give wrong answers."""
    for name, size in manifest.files.items():
        path = folder / name
        try:
            actual = path.stat().st_size
        except FileNotFoundError as exc:
            raise IndexCorruptError(f"Index file {path} is missing; rebuild with `archive build`.") from exc
        if actual != size:
            raise IndexCorruptError(
                f"Index file {path} is {actual} bytes, the manifest says {size}: it was truncated or "
                "changed. Rebuild with `archive build`."
            )
