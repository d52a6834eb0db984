"""What an index's live files hold, for comparing two builds file for file.

`live_files(index_dir)` maps each file of the live top (CURRENT's set and the shard
generations it names, or one generation) to a digest of its content, under a name free of
what differs between two builds of the same articles by design:

- folder names carry a time stamp and a random id: shard folders become `shard-NN/gen`;
- `manifest.json` and `shards.json` record `built_at`: compared without it;
- Whoosh names its segments at random (a compound segment file, written before, lays itself
  out by that name), and its table of contents pickles the schema's stop words as a set, in
  the process's string-hash order: two builds differ there even in one machine. The store's
  files are compared by what Whoosh reads from them (the schema's fields, every stored
  document, every term's postings), and the manifest without their sizes.

Every other file (articles, spans, vectors, BM25 arrays, MinHash) is compared byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from whoosh import index as whoosh_index

from index import layout
from index.shardset import SHARDS_FILE, read_shard_set
from index.store import INDEX_NAME


def live_files(index_dir: Path) -> dict[str, str]:
    top = layout.current_top(index_dir)
    if not layout.is_shard_set(top):
        return _generation(top, "gen")
    folders = [ref.folder for ref in read_shard_set(top).shards]
    # Each shard's generation is named by its stamp and random id: the set is compared without them.
    renamed = {folder: folder.split("/")[0] for folder in folders}
    files = {f"set/{SHARDS_FILE}": _json_digest(top / SHARDS_FILE, renamed)}
    for number, folder in enumerate(folders):
        files |= _generation(index_dir / folder, f"shard-{number:02d}/gen")
    return files


def _generation(folder: Path, name: str) -> dict[str, str]:
    segments = _segment_names(folder)
    files = {}
    whoosh: dict[Path, str] = {}  # the store's digest, read once for all its files
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        for old, new in segments.items():
            relative = relative.replace(old, new)
        key = f"{name}/{relative}"
        if path.name == "manifest.json":
            files[key] = _json_digest(path, segments)
        elif path.parent.name == "whoosh":
            if path.parent not in whoosh:
                whoosh[path.parent] = _whoosh_digest(path.parent)
            files[key] = whoosh[path.parent]
        else:
            files[key] = _digest(path.read_bytes())
    return files


def _segment_names(folder: Path) -> dict[str, str]:
    """The random part of each Whoosh segment's file name -> SEGMENT-n, n its place in the store's
    table of contents (an updated store has the carried segments, then the new one)."""
    if not (folder / "whoosh").is_dir():
        return {}
    ix = whoosh_index.open_dir(str(folder / "whoosh"), indexname=INDEX_NAME)
    try:
        ids = [segment.segment_id().removeprefix(f"{INDEX_NAME}_") for segment in ix._segments()]
    finally:
        ix.close()
    return {segment: f"SEGMENT-{n}" for n, segment in enumerate(ids)}


def _json_digest(path: Path, renamed: dict[str, str]) -> str:
    """The JSON file without `built_at`, each key of `renamed` in its text replaced by its value.

    A manifest's sizes of the Whoosh store's files are left out too: they are compared by content.
    """
    text = path.read_text("utf-8")
    for old, new in renamed.items():
        text = text.replace(old, new)
    data = json.loads(text)
    data.pop("built_at", None)
    for name in list(data.get("files", {})):
        if name.startswith("whoosh/"):
            data["files"][name] = "compared by content"
    return _digest(json.dumps(data, sort_keys=True).encode())


def _whoosh_digest(folder: Path) -> str:
    ix = whoosh_index.open_dir(str(folder), indexname=INDEX_NAME)
    try:
        with ix.searcher() as searcher:
            reader = searcher.reader()
            content = {
                "fields": [(name, type(field).__name__) for name, field in sorted(ix.schema.items())],
                "documents": [sorted(d.items()) for d in searcher.all_stored_fields()],
                "postings": [
                    (field, repr(term), list(reader.postings(field, term).items_as("frequency")))
                    for field, term in reader.all_terms()
                ],
            }
    finally:
        ix.close()
    return _digest(repr(content).encode())


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
