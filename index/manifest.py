"""The manifest: what an index generation holds and how it was built (orjson on disk)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

import orjson

from index import fileio
from index.errors import IndexCorruptError, IndexIncompatibleError
from index.schema import MANIFEST, SCHEMA_VERSION, Sizes


@dataclass(frozen=True)
class ArticleEntry:
    """Where one article's rows live in the generation's arrays and article store."""

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
        # Field by field, not dataclasses.asdict: its deep copy of thousands of entries cost
        # more than half a second of every update.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["articles"] = [[getattr(entry, name) for name in _ENTRY_FIELDS] for entry in self.articles]
        data["article_fields"] = list(ArticleEntry.__dataclass_fields__)
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 if len(self.articles) < 50 else 0)

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
    fileio.write_bytes(folder / MANIFEST, manifest.to_bytes())


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
        if tuple(names) == _ENTRY_FIELDS:  # positionally: twice as fast as by keyword at 5,000 entries
            width = len(names)
            data["articles"] = tuple(_entry(row, width) for row in data["articles"])
        else:  # written by another version of this program
            data["articles"] = tuple(ArticleEntry(**dict(zip(names, row, strict=True))) for row in data["articles"])
        return Manifest(**data)
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexCorruptError(f"{path} is damaged ({exc}); rebuild the index with `archive build`.") from exc


def _entry(row: list[object], width: int) -> ArticleEntry:
    if len(row) != width:
        raise ValueError(f"an article row has {len(row)} fields, not {width}")
    return ArticleEntry(*row)  # type: ignore[arg-type]


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
