"""Turn the public evaluation sets into article files that the normal readers ingest.

Nothing bypasses ingestion: SciFact abstracts and XQuAD-R articles are written as JSONL
article records, then indexed with `Archive.build` like any user folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from archive.paths import PROJECT_ROOT

DATA_DIR = Path(os.environ.get("ARCHIVE_EVAL_DATA", PROJECT_ROOT.parent / "shared" / "data"))
SCIFACT = DATA_DIR / "scifact"
XQUAD = DATA_DIR / "xquad-r" / "en.dev.json"
HTML_NEWS = DATA_DIR / "html-news"  # pages/<id>.html and ground-truth.json


@dataclass(frozen=True)
class RetrievalQuery:
    query_id: str
    text: str
    relevant: frozenset[str]  # article ids


@dataclass(frozen=True)
class SentenceQuestion:
    question: str
    article_id: str
    paragraph: int  # index of the paragraph (line) in the article
    answer_start: int  # character offset within that paragraph
    answer: str


def _write_jsonl(path: Path, records: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def scifact_corpus(folder: Path, replicas: int = 1, limit: int | None = None) -> Path:
    """SciFact abstracts as JSONL; replica r > 0 gets ids `<id>~r<r>` and a marked title.

    Replicas change the title (so they are distinct articles, not duplicates) and keep the
    abstract, so their sentence embeddings come from the embedding cache.
    """
    with (SCIFACT / "corpus.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    rows = rows[:limit] if limit else rows
    records = []
    for replica in range(replicas):
        for row in rows:
            suffix = f"~r{replica}" if replica else ""
            title = row["title"] + (f" (archive copy {replica})" if replica else "")
            records.append({"id": row["_id"] + suffix, "title": title, "text": row["text"], "source": "SciFact"})
    return _write_jsonl(folder / f"scifact-x{replicas}.jsonl", records)


def scifact_queries() -> list[RetrievalQuery]:
    relevant: dict[str, set[str]] = {}
    lines = (SCIFACT / "qrels.train.tsv").read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        query_id, corpus_id, score = line.split("\t")
        if int(score) > 0:
            relevant.setdefault(query_id, set()).add(corpus_id)
    queries = []
    with (SCIFACT / "queries.train.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["_id"] in relevant:
                queries.append(RetrievalQuery(row["_id"], row["text"], frozenset(relevant[row["_id"]])))
    return queries


def xquad_corpus(folder: Path) -> tuple[Path, list[SentenceQuestion]]:
    """XQuAD-R articles (paragraphs one a line) as JSONL, and their questions with gold spans."""
    data = json.loads(XQUAD.read_text(encoding="utf-8"))
    records, questions = [], []
    for number, article in enumerate(data["data"]):
        article_id = f"xquad-{number:02d}"
        paragraphs = [p["context"].replace("\n", " ") for p in article["paragraphs"]]
        records.append({"id": article_id, "title": article["title"].replace("_", " "), "text": "\n".join(paragraphs)})
        for index, paragraph in enumerate(article["paragraphs"]):
            for qa in paragraph["qas"]:
                gold = qa["answers"][0]
                questions.append(
                    SentenceQuestion(qa["question"], article_id, index, gold["answer_start"], gold["text"])
                )
    return _write_jsonl(folder / "xquad.jsonl", records), questions
