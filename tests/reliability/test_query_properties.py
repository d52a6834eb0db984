"""Property tests: any question or search, and any bytes in any article file, never crash.

A query returns a result, a clear "no answer" (`answered=False` with a note), or raises
an ArchiveError subclass with a message; never another exception. Every citation and
hit that comes back slices verbatim out of its stored article. Readers turn any bytes
into articles or reported problems, never an exception and never silence. (Text-file
and sentence-splitter properties on plain text live in tests/unit.)
"""

from __future__ import annotations

import itertools
import json
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from archive import Answer, Archive, ArchiveError, Hit, InputLimitError, InvalidRequestError, Settings
from archive.readers import content_hash, read_folders
from archive.sentences import split_sentences
from index.embedder import Embedder

WHOOSH_SYNTAX = [*"()[]{}\"'*?~^:+-!&|\\/<>=", "AND", "OR", "NOT", "TO", "title:", "text:", "*:*", "[a TO z]", "\x00"]
SEED_WORDS = ["Israel", "Lebanon", "release", "five", "Lebanese", "detainees", "Naqoura", "Red Cross", "Aoun", "border"]
QUERIES = st.one_of(
    st.text(max_size=200),  # any code points but lone surrogates (refused: see the test below)
    st.lists(st.sampled_from(WHOOSH_SYNTAX + SEED_WORDS) | st.text(max_size=6), max_size=30).map(" ".join),
    st.lists(st.sampled_from(WHOOSH_SYNTAX + SEED_WORDS), max_size=12).map("".join),
)
MODES = st.sampled_from(["hybrid", "bm25", "dense"])
DATES = st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1))
FIELDS = ["id", "title", "text", "body", "content", "date", "source", "author", "authors", "articles", "url"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=5), inner),
    max_leaves=12,
)


def assert_verbatim(archive: Archive, answer: Answer | None = None, hits: Sequence[Hit] = ()) -> None:
    """Every citation and hit slices out of its stored article, whose text matches its hash."""
    spans = [(c.article_id, c.start, c.end, c.sentence) for c in (answer.citations if answer else ())]
    spans += [(h.article_id, h.start, h.end, h.text) for h in [*(answer.hits if answer else ()), *hits]]
    for article_id, start, end, text in spans:
        article = archive.article(article_id)
        assert article.text[start:end] == text
        assert content_hash(article.text) == article.content_hash


@hsettings(deadline=None, max_examples=80)
@given(
    question=QUERIES,
    mode=MODES,
    k=st.integers(-1, 12),
    since=DATES,
    until=DATES,
    source=st.none() | st.text(max_size=12),
)
def test_any_question_gets_citations_or_a_clear_no(
    seeds_archive: Archive, question: str, mode: str, k: int, since: date | None, until: date | None, source: str | None
) -> None:
    try:
        answer = seeds_archive.ask(question, k=k, mode=mode, since=since, until=until, source=source)  # type: ignore[arg-type]
    except ArchiveError as exc:  # only a bad argument is expected here, and it must say what is wrong
        assert isinstance(exc, InvalidRequestError) and str(exc), exc
        assert k < 1 or (since and until and since > until)
        return
    assert answer.answered == bool(answer.citations) and len(answer.citations) <= k
    assert answer.answered or answer.note
    assert_verbatim(seeds_archive, answer)


@hsettings(deadline=None, max_examples=80)
@given(query=QUERIES, mode=MODES, k=st.integers(1, 30))
def test_any_search_returns_verbatim_ranked_passages(seeds_archive: Archive, query: str, mode: str, k: int) -> None:
    hits = seeds_archive.search(query, k=k, mode=mode)  # type: ignore[arg-type]
    assert len(hits) <= k and [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert_verbatim(seeds_archive, hits=hits)


@hsettings(deadline=None, max_examples=30)
@given(unit=st.text(min_size=1, max_size=20))
def test_an_over_long_query_names_the_limit(seeds_archive: Archive, unit: str) -> None:
    limit = seeds_archive.settings.max_query_chars
    question = unit * (limit // len(unit) + 1)
    for call in (seeds_archive.ask, seeds_archive.search):
        with pytest.raises(InputLimitError, match=f"{len(question):,} characters long; the limit is {limit:,}"):
            call(question)


@pytest.mark.parametrize("mode", ["hybrid", "bm25"])
def test_a_lone_surrogate_is_refused_clearly(seeds_archive: Archive, mode: str) -> None:
    # What a terminal argument holding an undecodable byte becomes in sys.argv.
    with pytest.raises(ArchiveError):
        seeds_archive.ask("release \udcff detainees", mode=mode)  # type: ignore[arg-type]


def test_limits_are_explicit(tmp_path: Path, embedder: Embedder) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "long.txt").write_text("A long story. " * 30, encoding="utf-8")
    (folder / "short.txt").write_text("A short story about a harbour.", encoding="utf-8")
    settings = Settings.from_env(environ={}, max_article_chars=200, max_query_chars=50)
    with Archive.build([folder], tmp_path / "index", settings, embedder) as archive:
        assert archive.last_report is not None
        (problem,) = archive.last_report.failed
        assert problem.path.endswith("long.txt") and "420 characters, over the limit of 200" in problem.reason
        with pytest.raises(InputLimitError, match="the limit is 50"):
            archive.ask("harbour " * 10)


@st.composite
def file_bytes(draw: st.DrawFn) -> bytes:
    """Raw bytes, or text / JSON / JSON Lines in some encoding, BOM and line ending."""
    kind = draw(st.sampled_from(["binary", "text", "json", "jsonl"]))
    if kind == "binary":
        return draw(st.binary(max_size=400))
    if kind == "text":
        text = draw(st.text(max_size=300))
    elif kind == "json":
        text = json.dumps(draw(JSON_VALUES), ensure_ascii=draw(st.booleans()))
    else:
        text = "\n".join(json.dumps(v, ensure_ascii=False) for v in draw(st.lists(JSON_VALUES, max_size=5)))
    text = text.replace("\n", draw(st.sampled_from(["\n", "\r\n", "\r"])))
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"])), "replace")


@hsettings(deadline=None, max_examples=500)
@given(data=file_bytes(), suffix=st.sampled_from([".txt", ".md", ".json", ".jsonl"]))
def test_any_bytes_in_any_article_file_are_read_or_reported(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / f"file{suffix}").write_bytes(data)
        outcome = read_folders([folder], max_article_chars=10_000)
    assert outcome.articles or outcome.failed or outcome.duplicates  # never silently dropped
    for article in outcome.articles:
        assert article.text.strip() and "\r" not in article.text and len(article.text) <= 10_000
        assert article.content_hash == content_hash(article.text)
    assert all(problem.reason for problem in outcome.failed + outcome.warnings)


NEWSY = st.lists(
    st.sampled_from(["U.S.", "Gen.", "No. 5", "3.5%", "said.", '"Yes," he said.', "Mr. Aoun", "(AP) -", "—", "?!", "…"])
    | st.sampled_from(SEED_WORDS)
    | st.sampled_from(["\n", "\n\n", " ", "  ", "\t"]),
    max_size=400,
).map(" ".join)


@hsettings(deadline=None, max_examples=150)
@given(text=NEWSY)
def test_news_like_text_splits_into_clean_spans(text: str) -> None:
    spans = split_sentences(text)
    assert all(0 <= s < e <= len(text) for s, e in spans)
    assert all(b[0] >= a[1] for a, b in itertools.pairwise(spans))
    for start, end in spans:
        sentence = text[start:end]
        assert sentence == sentence.strip() and "\n" not in sentence
    covered = set().union(*(range(s, e) for s, e in spans)) if spans else set()
    assert all(i in covered for i, c in enumerate(text) if not c.isspace())
