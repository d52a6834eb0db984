"""Large archives for the speed benchmark: SciFact replicated N times as distinct articles.

`bench.datasets.scifact_corpus(folder, replicas=N)` marks each replica's id and title but
keeps its text byte for byte, and the readers skip an article whose *text* was already
read (`archive.readers`: duplicates are reported, not indexed). So its N-fold file indexes
as the 1x archive. Here replica r > 0 also ends its text with r newlines: the readers keep
them, the sentence splitter and the passage spans ignore them, so every sentence and every
passage is the same string as in the original (their embeddings come from the cache), yet
the content hash differs and the article is indexed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench import datasets

MARKER = re.compile(r" \(archive copy \d+\)$")


def replica_title(title: str, replica: int) -> str:
    return title + (f" (archive copy {replica})" if replica else "")


def replica_text(text: str, replica: int) -> str:
    return text + "\n" * replica


def unmarked(title: str) -> str:
    """The original title of a replica (what is embedded for its title, see bench.speed)."""
    return MARKER.sub("", title).rstrip()  # the readers strip titles; a raw one may end in spaces


def embed_unmarked_titles() -> None:
    """From now on in this process, embed replica titles as their original's.

    A passage vector joins its title's (pooling.under_title), so a replica's marked title would
    give every replica passage a vector of its own: with this, every replica gets its
    original's vectors (through the embedding cache), while Whoosh still indexes the marked titles.
    """
    from index import schema

    original = schema.title_embedding_text

    def embedding_text(title: str) -> str:
        return original(unmarked(title))

    schema.title_embedding_text = embedding_text


def scifact_replicas(folder: Path, replicas: int, limit: int | None = None) -> Path:
    """SciFact abstracts `replicas` times as JSONL, each replica a distinct article; returns the file."""
    rows = [json.loads(line) for line in (datasets.SCIFACT / "corpus.jsonl").open(encoding="utf-8")]
    rows = rows[:limit] if limit else rows
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"scifact-x{replicas}.jsonl"
    with target.open("w", encoding="utf-8") as handle:
        for replica in range(replicas):
            for row in rows:
                record = {
                    "id": row["_id"] + (f"~r{replica}" if replica else ""),
                    "title": replica_title(row["title"], replica),
                    "text": replica_text(row["text"], replica),
                    "source": "SciFact",
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return target
