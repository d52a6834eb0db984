"""The manifest: what an index generation holds and how it was built (orjson on disk)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path

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
_SHARED_FIELDS = tuple(_ENTRY_FIELDS.index(name) for name in ("source", "date", "path"))
_ID, _STORY = _ENTRY_FIELDS.index("article_id"), _ENTRY_FIELDS.index("story")


def _rows(entries: tuple[ArticleEntry, ...]) -> list[list[object]]:
    return [[getattr(entry, name) for name in _ENTRY_FIELDS] for entry in entries]


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
        # Field by field, not dataclasses.asdict: its deep copy of thousands of entries cost
        # more than half a second of every update.
        head: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "articles"}
        head["article_fields"] = list(_ENTRY_FIELDS)
        if len(self.articles) < 50:  # small enough to read: indented, whole
            yield orjson.dumps({**head, "articles": _rows(self.articles)}, option=orjson.OPT_INDENT_2)
            return
        yield orjson.dumps(head)[:-1] + b',"articles":['
        for start in range(0, len(self.articles), _ROWS_PER_PIECE):
            rows = orjson.dumps(_rows(self.articles[start : start + _ROWS_PER_PIECE]))[1:-1]
            yield rows if start == 0 else b"," + rows
        yield b"]}"

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


def write_manifest(folder: Path, manifest: Manifest) -> None:
    with (folder / MANIFEST).open("wb") as handle:
        for piece in manifest.pieces():
            handle.write(piece)
        fileio.sync(handle)


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    data = fileio.read_json_record(path)
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise IndexIncompatibleError(
            f"The index in {folder.parent} has schema version {version}; this archive-qa reads version "
            f"{SCHEMA_VERSION}. Rebuild it with `archive build <folders> --index {folder.parent}`."
        )
    try:
        names = data.pop("article_fields")
        rows = data["articles"]
        if tuple(names) == _ENTRY_FIELDS:  # positionally: twice as fast as by keyword at 5,000 entries
            _entries_in_place(rows, len(names))
        else:  # written by another version of this program
            for i, row in enumerate(rows):
                rows[i] = ArticleEntry(**dict(zip(names, row, strict=True)))
        data["articles"] = tuple(rows)
        return Manifest(**data)
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexCorruptError(f"{path} is damaged ({exc}); rebuild the index with `archive build`.") from exc


def _entries_in_place(rows: list[list[object]], width: int) -> None:
    """Each row replaced by its entry as it is read, so the rows and entries are never all held at once;
    repeated values (`_SHARED_FIELDS`, a story that is the article itself) become one object."""
    shared: dict[object, object] = {}
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"an article row has {len(row)} fields, not {width}")
        for column in _SHARED_FIELDS:
            row[column] = shared.setdefault(row[column], row[column])
        if row[_STORY] == row[_ID]:
            row[_STORY] = row[_ID]
        rows[i] = ArticleEntry(*row)  # type: ignore[arg-type,call-overload]


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
