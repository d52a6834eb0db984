"""The article store's records (index/schema.py): what is written is read back; a damaged record is refused."""

from __future__ import annotations

from datetime import date

import orjson
import pytest

from index import schema
from index.records import Article, content_hash

TEXT = "Israel agreed to release five Lebanese detainees. The exchange is set for Friday."
ARTICLE = Article(
    article_id="wire/7",
    title="Detainees to be released",
    text=TEXT,
    source="Wire",
    date=date(2024, 5, 3),
    url="https://example.org/7",
    authors=("A. Writer", "B. Editor"),
    subtitle="An exchange",
    path="/news/wire.jsonl",
    content_hash=content_hash(TEXT),
    extra=(("guid", "7"), ("section", "world")),
)


def test_a_record_reads_back_as_the_article_written() -> None:
    assert schema.decode_article(schema.encode_article(ARTICLE)) == ARTICLE
    bare = Article(article_id="a", title="", text="Text.")
    assert schema.decode_article(schema.encode_article(bare)) == bare


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("authors", None),  # null, false, 0 or {} once passed as "no authors"
        ("authors", {}),
        ("authors", ["A. Writer", 7]),
        ("extra", None),
        ("extra", [["guid"]]),
        ("extra", [["guid", 7]]),
        ("title", None),
        ("text", 12),
        ("date", "May 3"),
    ],
)
def test_a_record_with_a_field_of_the_wrong_kind_is_refused(field: str, value: object) -> None:
    record = orjson.loads(schema.encode_article(ARTICLE))
    record[field] = value
    with pytest.raises((TypeError, ValueError)):
        schema.decode_article(orjson.dumps(record))


def test_a_record_without_a_field_is_refused() -> None:
    record = orjson.loads(schema.encode_article(ARTICLE))
    del record["path"]
    with pytest.raises(KeyError):
        schema.decode_article(orjson.dumps(record))
