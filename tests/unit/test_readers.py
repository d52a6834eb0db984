"""Readers: real files in tmp_path, every failure reported, nothing raised."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.metadata import parse_date, title_from_text
from archive.models import Duplicate
from archive.readers import SUPPORTED_SUFFIXES, FolderStream, ReadOutcome, content_hash, read_file, read_folders

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def only(outcome: ReadOutcome) -> None:
    """Assert the read was clean: no failures, warnings or duplicates."""
    assert (outcome.failed, outcome.warnings, outcome.duplicates) == ((), (), ())


def reasons(outcome: ReadOutcome) -> list[str]:
    return [p.reason for p in outcome.failed]


# --- seeds -------------------------------------------------------------------------------


def test_seed_with_headline_and_subtitle() -> None:
    path = SEEDS / "000_34248013aabff9bc.txt"
    outcome = read_file(path, SEEDS)
    only(outcome)
    (article,) = outcome.articles
    assert article.article_id == "000_34248013aabff9bc"
    assert article.title == (
        "Israel and Lebanon Open Border Negotiations as Israel Agrees to Withdraw from Five Positions"
    )
    assert article.subtitle.startswith("alks in Naqoura")
    assert article.text.startswith("Watan-Israeli Prime Minister")
    assert path.read_text(encoding="utf-8").endswith(article.text)
    assert article.content_hash == content_hash(article.text)
    assert (article.date, article.source, article.path) == (None, "", str(path))


def test_seed_without_headline_takes_title_from_first_sentence() -> None:
    path = SEEDS / "003_12cca55447f6527d.txt"
    (article,) = read_file(path, SEEDS).articles
    assert article.text == path.read_text(encoding="utf-8")
    assert article.subtitle == ""
    assert article.title.endswith("…") and len(article.title) <= 120
    assert article.text.startswith(article.title[:-1])
    assert article.title.startswith("Lebanon has hailed the outcomes of recent negotiations")


def test_seed_folder_is_read_in_path_order() -> None:
    outcome = read_folders([SEEDS])
    only(outcome)
    assert [a.article_id for a in outcome.articles] == ["000_34248013aabff9bc", "003_12cca55447f6527d"]


# --- titles and front matter -------------------------------------------------------------


def test_title_from_text_cuts_at_a_word_boundary() -> None:
    sentence = "word " * 60 + "end."
    title = title_from_text(sentence)
    assert len(title) <= 120 and title.endswith("word…")
    assert title_from_text("Short one. Second one.") == "Short one."
    assert title_from_text("---\n\n* * *\nReal start here. More.") == "Real start here."


def test_fenced_front_matter(tmp_path: Path) -> None:
    write(
        tmp_path / "a.md",
        "---\ntitle: Fenced Title\nDate: 2025-03-11\nSOURCE: Reuters\nauthors:\n  - Ann\n  - Bob\n"
        "tags: 'x'\n---\n\nBody line one.\n",
    )
    outcome = read_folders([tmp_path])
    only(outcome)
    (a,) = outcome.articles
    assert (a.title, a.date, a.source, a.authors) == ("Fenced Title", date(2025, 3, 11), "Reuters", ("Ann", "Bob"))
    assert a.text == "Body line one.\n"
    assert a.extra == (("tags", "x"),)


def test_unfenced_front_matter_needs_a_known_key(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Title: Plain Title\nPublished: March 11, 2025\nOutlet: AP\n\nThe body.\n")
    write(tmp_path / "b.txt", "Breaking: quake hits city\n\nThe body of b.\n")
    outcome = read_folders([tmp_path])
    only(outcome)
    a, b = outcome.articles
    assert (a.title, a.date, a.source, a.text) == ("Plain Title", date(2025, 3, 11), "AP", "The body.\n")
    # No known key: not front matter, so the line is a headline and stays out of the text.
    assert (b.title, b.text) == ("Breaking: quake hits city", "The body of b.\n")


def test_unterminated_fence_is_read_as_plain_text(tmp_path: Path) -> None:
    content = "---\ntitle: Never closed\nThe text goes on.\n"
    write(tmp_path / "a.txt", content)
    outcome = read_folders([tmp_path])
    (a,) = outcome.articles
    assert a.text == content
    (warning,) = outcome.warnings
    assert warning.line == 1 and "never closed" in warning.reason


def test_sidecar_overrides_front_matter(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "---\ntitle: From Front Matter\nsource: FM\n---\nBody a.\n")
    write(tmp_path / "a.meta.json", json.dumps({"title": "From Sidecar", "url": "https://x.test/a", "x": 1}))
    write(tmp_path / "b.txt", "Headline B\nBody b.\n")
    write(tmp_path / "b.txt.meta.json", json.dumps({"publisher": "Sidecar News", "date": "2025/03/11"}))
    outcome = read_folders([tmp_path])
    only(outcome)
    a, b = outcome.articles
    assert (a.title, a.source, a.url, a.extra) == ("From Sidecar", "FM", "https://x.test/a", (("x", "1"),))
    assert (b.title, b.source, b.date, b.text) == ("Headline B", "Sidecar News", date(2025, 3, 11), "Body b.\n")


def test_malformed_sidecar_is_a_warning_with_its_line(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Headline\nBody.\n")
    sidecar = write(tmp_path / "a.meta.json", '{\n  "title": "x",\n  oops\n}')
    outcome = read_folders([tmp_path])
    assert [a.title for a in outcome.articles] == ["Headline"]
    (warning,) = outcome.warnings
    assert (warning.path, warning.line) == (str(sidecar), 3)
    assert "invalid JSON" in warning.reason


def test_orphan_sidecar_is_reported_and_hidden_files_are_skipped(tmp_path: Path) -> None:
    write(tmp_path / "lonely.meta.json", "{}")
    write(tmp_path / ".hidden.txt", "Secret\nText.\n")
    write(tmp_path / ".git" / "x.txt", "Secret\nText.\n")
    write(tmp_path / "ok.txt", "Visible text.\n")
    outcome = read_folders([tmp_path])
    assert [a.article_id for a in outcome.articles] == ["ok"]
    assert [Path(p.path).name for p in outcome.failed] == ["lonely.meta.json"]


def test_markdown_heading_is_the_title(tmp_path: Path) -> None:
    write(tmp_path / "m.md", "# A Heading.\n\n## The subheading\n\nFirst paragraph.\n")
    (a,) = read_folders([tmp_path]).articles
    assert (a.title, a.subtitle, a.text) == ("A Heading.", "The subheading", "First paragraph.\n")


def test_a_markdown_article_is_stored_as_its_prose(tmp_path: Path) -> None:
    write(
        tmp_path / "zoo.md",
        "---\ntitle: City Zoo Welcomes Twin Snow Leopard Cubs\n---\n"
        "# City Zoo Welcomes Twin Snow Leopard Cubs\n\n"
        "The cubs, named **Tashi** and *Nima*, were born on [March 3](https://zoo.example/news).\n"
        "They weigh 500 grams each.\n\n![A cub](cub.jpg)\n",
    )
    write(tmp_path / "pictures.md", "# Gallery\n\n![One](1.jpg)\n\n![Two](2.jpg)\n")
    outcome = read_folders([tmp_path])
    (zoo,) = outcome.articles
    assert zoo.title == "City Zoo Welcomes Twin Snow Leopard Cubs"
    assert zoo.text == "The cubs, named Tashi and Nima, were born on March 3.\nThey weigh 500 grams each.\n"
    assert [(Path(p.path).name, p.reason) for p in outcome.failed] == [
        ("pictures.md", "no prose in the markdown: only headings, images or markup")
    ]


def test_a_markdown_heading_with_markup_is_a_plain_title(tmp_path: Path) -> None:
    write(tmp_path / "m.md", "# The **big** day\n\nIt came.\n")
    (a,) = read_folders([tmp_path]).articles
    assert (a.title, a.text) == ("The big day", "It came.\n")


# --- JSON and JSON Lines -----------------------------------------------------------------


def test_json_object_list_and_wrapper(tmp_path: Path) -> None:
    record = {"title": "One", "body": "Text one.", "pubDate": "Tue, 11 Mar 2025 10:00:00 GMT", "tags": ["a"]}
    write(tmp_path / "obj.json", json.dumps({**record, "author": ["Ann", "Bob"], "link": "u"}))
    write(tmp_path / "list.json", json.dumps([{"text": "Text two."}, {"id": 7, "content": "Text three."}]))
    write(tmp_path / "wrap.json", json.dumps({"articles": [{"text": "Text four.", "outlet": "O"}]}))
    outcome = read_folders([tmp_path])
    only(outcome)
    by_id = {a.article_id: a for a in outcome.articles}
    assert list(by_id) == ["list/1", "7", "obj", "wrap/1"]
    obj = by_id["obj"]
    assert (obj.text, obj.date, obj.authors, obj.url) == ("Text one.", date(2025, 3, 11), ("Ann", "Bob"), "u")
    assert obj.extra == (("tags", '["a"]'),)
    assert by_id["list/1"].title == "Text two."
    assert by_id["wrap/1"].source == "O"


def test_jsonl_malformed_line_is_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    lines = ['{"text": "First."}', '{"text": "Second"', "", '{"title": "No text"}', "[1]", '{"text": "Fifth."}']
    path = write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    outcome = read_folders([tmp_path])
    assert [a.article_id for a in outcome.articles] == ["feed/1", "feed/6"]
    assert [(p.path, p.line) for p in outcome.failed] == [(str(path), 2), (str(path), 4), (str(path), 5)]
    first, missing, not_object = outcome.failed
    assert first.reason.startswith("invalid JSON:") and "column" in first.reason
    assert "no text field" in missing.reason
    assert "not an article object" in not_object.reason


def test_json_problems(tmp_path: Path) -> None:
    write(tmp_path / "missing.json", json.dumps({"title": "No text here"}))
    write(tmp_path / "number.json", "42")
    write(tmp_path / "ints.json", "[1, 2]")
    write(tmp_path / "bad.json", '{\n"text": "x",\n}')
    write(tmp_path / "deep.json", "[" * 100_000)
    write(tmp_path / "empty_text.json", json.dumps([{"text": "ok."}, {"text": "   "}]))
    outcome = read_folders([tmp_path])
    assert [a.article_id for a in outcome.articles] == ["empty_text/1"]
    got = [(Path(p.path).stem, p.line, p.reason) for p in outcome.failed]
    assert [g[:2] for g in got] == [
        ("bad", 2),  # orjson points at the trailing comma
        ("deep", 1),
        ("empty_text", None),
        ("ints", None),
        ("ints", None),
        ("missing", None),
        ("number", None),
    ]
    assert got[0][2] == "invalid JSON: trailing comma is not allowed (column 12)"
    assert got[1][2].startswith("invalid JSON: depth limit exceeded")
    assert got[2][2] == "record 2: empty text"
    assert got[3][2] == "record 1: not an article object (found a number)"
    assert got[5][2] == "no text field (text, body or content)"
    expected = 'expected an article object, a list of them, or an object with an "articles" list'
    assert got[6][2] == f"{expected}; found a number"


def test_deeply_nested_jsonl_line(tmp_path: Path) -> None:
    write(tmp_path / "deep.jsonl", "[" * 100_000 + "\n" + '{"text": "Fine."}\n')
    outcome = read_folders([tmp_path])
    assert [a.text for a in outcome.articles] == ["Fine."]
    assert [p.line for p in outcome.failed] == [1]


def test_jsonl_encodings(tmp_path: Path) -> None:
    write(tmp_path / "a.jsonl", '{"text": "Ünï one."}\r\n{"text": "Two."}\n'.encode("utf-16"))
    write(tmp_path / "b.jsonl", '\ufeff{"text": "Three."}\n'.encode())
    write(tmp_path / "c.jsonl", b'{"text": "Four."}\n{"text": "Caf\xe9 five."}\n{"text": "\x93Six\x94."}\n')
    outcome = read_folders([tmp_path])
    assert outcome.failed == ()
    assert [a.text for a in outcome.articles] == ["Ünï one.", "Two.", "Three.", "Four.", "Café five.", "“Six”."]
    (warning,) = outcome.warnings
    assert (Path(warning.path).name, warning.line) == ("c.jsonl", 2)
    assert warning.reason == (
        "not valid UTF-8 (first bad byte at offset 31); decoded as Windows-1252; 2 lines affected"
    )


def test_large_jsonl_is_streamed(tmp_path: Path) -> None:
    with (tmp_path / "big.jsonl").open("w", encoding="utf-8") as f:
        for n in range(1, 100_001):
            f.write("{broken\n" if n % 1000 == 0 else f'{{"title": "T{n}", "text": "Article number {n}."}}\n')
    outcome = read_folders([tmp_path])
    assert len(outcome.articles) == 99_900
    assert [p.line for p in outcome.failed] == list(range(1000, 100_001, 1000))
    assert outcome.articles[-1].article_id == "big/99999"


def test_a_stream_hands_jsonl_records_over_one_by_one(tmp_path: Path) -> None:
    """A build holds a batch of a big JSON Lines file, not the whole file: the stream yields as it reads."""
    write(tmp_path / "a.txt", "Headline A\n\nThe first article.")
    write(tmp_path / "b.jsonl", '{"title": "B1", "text": "One."}\n{broken\n{"title": "B3", "text": "Three."}\n')
    write(tmp_path / "c.txt", "Headline C\n\nThe first article.")  # the same text as a.txt
    stream = FolderStream([tmp_path])
    articles = iter(stream)
    assert next(articles).article_id == "a"
    assert next(articles).article_id == "b/1"
    assert stream.count == 2  # nothing past the first record of b.jsonl was handed over
    assert [a.article_id for a in articles] == ["b/3"]
    outcome = stream.outcome()
    assert outcome.articles == ()
    assert [(Path(p.path).name, p.line) for p in outcome.failed] == [("b.jsonl", 2)]
    assert [(d.article_id, d.same_as) for d in outcome.duplicates] == [("c", "a")]


# --- bytes to text -----------------------------------------------------------------------


def test_binary_files_are_rejected(tmp_path: Path) -> None:
    write(tmp_path / "image.txt", PNG)
    write(tmp_path / "nul.txt", b"Some text\x00with a NUL byte\n")
    write(tmp_path / "zip.jsonl", b"PK\x03\x04rest")
    outcome = read_folders([tmp_path])
    assert outcome.articles == ()
    assert reasons(outcome) == [
        "binary file (PNG image), not text",
        "binary file (contains NUL bytes), not text",
        "binary file (ZIP archive), not text",
    ]


def test_invalid_utf8_falls_back_to_windows_1252(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", b"Caf\xe9 news\nThe \x93caf\xe9\x94 opened.\x81\n")
    outcome = read_folders([tmp_path])
    (a,) = outcome.articles
    assert (a.title, a.text) == ("Café news", "The “café” opened.\x81\n")
    (warning,) = outcome.warnings
    assert warning.reason == "not valid UTF-8 (first bad byte at offset 3); decoded as Windows-1252"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_byte_order_marks(tmp_path: Path, encoding: str) -> None:
    data = "Headline\nThe body, with ünïcode.\n".encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    write(tmp_path / "a.txt", data)
    outcome = read_folders([tmp_path])
    only(outcome)
    assert [(a.title, a.text) for a in outcome.articles] == [("Headline", "The body, with ünïcode.\n")]


def test_crlf_and_lone_cr_become_newlines(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", b"Head\r\nSub line\r\nBody one.\rBody two.\r\n")
    (a,) = read_folders([tmp_path]).articles
    assert (a.title, a.subtitle, a.text) == ("Head", "Sub line", "Body one.\nBody two.\n")


def test_empty_and_whitespace_only_files(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", b"")
    write(tmp_path / "b.txt", " \n\t\r\n ")
    write(tmp_path / "c.jsonl", "\n\n")
    write(tmp_path / "d.md", "---\ntitle: Only metadata\n---\n\n")
    outcome = read_folders([tmp_path])
    assert outcome.articles == ()
    assert reasons(outcome) == [
        "empty file",
        "no text (only whitespace)",
        "no records (empty file, or only blank lines)",
        "no text after the front matter",
    ]


def test_unsupported_suffix(tmp_path: Path) -> None:
    write(tmp_path / "notes.docx", "whatever")
    write(tmp_path / "README", "whatever")
    outcome = read_folders([tmp_path])
    supported = ".atom, .htm, .html, .html.gz, .json, .jsonl, .markdown, .md, .rss, .txt, .xml"
    assert reasons(outcome) == [
        f"unsupported file type (no suffix) (supported: {supported})",
        f"unsupported file type .docx (supported: {supported})",
    ]
    text_and_json = {".txt", ".md", ".markdown", ".json", ".jsonl"}
    assert text_and_json | {".html", ".htm", ".rss", ".atom", ".xml"} == SUPPORTED_SUFFIXES


# --- identity ----------------------------------------------------------------------------


def test_duplicate_content_keeps_the_first(tmp_path: Path) -> None:
    b = write(tmp_path / "b.txt", "Same text.\n")
    write(tmp_path / "a.txt", "Same text.\n")
    outcome = read_folders([tmp_path])
    assert [a.article_id for a in outcome.articles] == ["a"]
    assert outcome.duplicates == (Duplicate("b", str(b), "a"),)
    assert outcome.failed == ()


def test_duplicate_id_is_a_problem(tmp_path: Path) -> None:
    first = write(tmp_path / "a.md", "Text of the markdown file.\n")
    second = write(tmp_path / "a.txt", "Different text of the plain file.\n")
    feed = write(tmp_path / "f.jsonl", '{"id": "x", "text": "One."}\n{"id": "x", "text": "Two."}\n')
    outcome = read_folders([tmp_path])
    assert [a.article_id for a in outcome.articles] == ["a", "x"]
    assert [(p.path, p.line, p.reason) for p in outcome.failed] == [
        (str(second), None, f"duplicate article id 'a' (first in {first})"),
        (str(feed), 2, f"duplicate article id 'x' (first in {feed}:1)"),
    ]


def test_ids_keep_folders_spaces_and_non_ascii(tmp_path: Path) -> None:
    write(tmp_path / "world news" / "2025" / "Café été.txt", "Un café.\n")
    write(tmp_path / "Report.TXT", "Upper-case suffix.\n")
    outcome = read_folders([str(tmp_path)])
    only(outcome)
    assert [a.article_id for a in outcome.articles] == ["Report", "world news/2025/Café été"]


def test_a_single_file_root(tmp_path: Path) -> None:
    path = write(tmp_path / "deep" / "one.txt", "Just one.\n")
    outcome = read_folders([path, tmp_path / "missing"])
    assert [(a.article_id, a.path) for a in outcome.articles] == [("one", str(path))]
    assert reasons(outcome) == ["no such file or folder"]


# --- file system -------------------------------------------------------------------------


def test_symlink_loops_are_reported_not_followed(tmp_path: Path) -> None:
    write(tmp_path / "sub" / "a.txt", "Text a.\n")
    (tmp_path / "sub" / "up").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "self.txt").symlink_to(tmp_path / "self.txt")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    outcome = read_folders([tmp_path])
    assert [a.article_id for a in outcome.articles] == ["sub/a"]
    got = {Path(p.path).name: p.reason for p in outcome.failed}
    assert got["up"].startswith("symlink loop")
    assert got["gone.txt"] == "broken symlink; skipped"
    assert "self.txt" in got


def test_symlinked_folder_is_followed_once(tmp_path: Path) -> None:
    write(tmp_path / "real" / "a.txt", "Text a.\n")
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    outcome = read_folders([tmp_path])
    assert [a.article_id for a in outcome.articles] == ["alias/a"]
    assert [Path(p.path).name for p in outcome.failed] == ["real"]


def test_odd_entries_are_reported(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")  # opening it would block: must be skipped unread
    with open(os.fsencode(tmp_path) + b"/bad\xff.txt", "w") as f:
        f.write("Name is not UTF-8.")
    write(tmp_path / "ok.txt", "Fine.\n")
    outcome = read_folders([tmp_path])
    assert [a.article_id for a in outcome.articles] == ["ok"]
    assert reasons(outcome) == ["file name is not valid UTF-8; skipped", "not a regular file; skipped"]
    assert outcome.failed[0].path.encode("utf-8")  # reportable as text


def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path / "locked.txt", "Secret.\n")
    write(tmp_path / "open.txt", "Open.\n")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running with privileges that read any file")
        outcome = read_folders([tmp_path])
        assert [a.article_id for a in outcome.articles] == ["open"]
        assert reasons(outcome) == ["cannot read: permission denied"]
    finally:
        path.chmod(0o644)


def test_read_errors_become_problems(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    assert reasons(read_file(tmp_path / "folder.txt", tmp_path)) == ["cannot read: Is a directory"]
    assert reasons(read_file(tmp_path / "gone.json", tmp_path)) == ["cannot read: No such file or directory"]
    assert reasons(read_file(tmp_path / "gone.jsonl", tmp_path)) == ["cannot read: No such file or directory"]


def test_oversize_article_and_file(tmp_path: Path) -> None:
    write(tmp_path / "long.txt", "x" * 100)
    write(tmp_path / "long.jsonl", json.dumps({"text": "y" * 100}) + "\n")
    write(tmp_path / "huge.txt", b"z" * (2 << 20))
    line = json.dumps({"text": "w" * (2 << 20)})
    write(tmp_path / "wide.jsonl", f'{line}\n{{"text": "Short."}}\n')
    outcome = read_folders([tmp_path], max_article_chars=50)
    assert [a.text for a in outcome.articles] == ["Short."]
    assert [(Path(p.path).name, p.line, p.reason) for p in outcome.failed] == [
        ("huge.txt", None, "file is 2,097,152 bytes, over the limit of 1,048,776 bytes"),
        ("long.jsonl", 1, "article text is 100 characters, over the limit of 50"),
        ("long.txt", None, "article text is 100 characters, over the limit of 50"),
        ("wide.jsonl", 1, "line is over the limit of 1,048,876 bytes; skipped"),
    ]


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2025-03-11",
        "2025-03-11T10:00:00Z",
        "2025-03-11T23:30:00-05:00",
        "2025-03-11 10:00",
        "2025/03/11",
        "11 March 2025",
        "11th Mar. 2025",
        "March 11, 2025",
        "Mar 11 2025",
        "Mar 11, 2025 at 10:00 AM",
        "Tue, 11 Mar 2025 10:00:00 GMT",
        "Tuesday, 11 March 2025",
        " 2025-03-11 ",
    ],
)
def test_parse_date_accepts(text: str) -> None:
    assert parse_date(text) == date(2025, 3, 11)


@pytest.mark.parametrize("text", ["", "yesterday", "2025", "03/11/2025", "2025-02-30", "31 Foo 2025", "Ma 11 2025"])
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text) is None


def test_parse_date_month_abbreviations() -> None:
    assert parse_date("Sept 9, 2024") == date(2024, 9, 9)
    assert parse_date("1 dec 1999") == date(1999, 12, 1)


def test_unreadable_date_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Date: last Tuesday\nTitle: T\n\nBody.\n")
    outcome = read_folders([tmp_path])
    (a,) = outcome.articles
    assert (a.title, a.date) == ("T", None)
    assert [w.reason for w in outcome.warnings] == ["date 'last Tuesday' not understood; left empty"]


# --- property ----------------------------------------------------------------------------


PIECES = ["---", "\n", "\r", "\r\n", " ", "\t", ".", ":", "#", "title: T", "Date: x", "Headline", "\ufeff", "…"]
TEXTS = st.one_of(st.text(max_size=300), st.lists(st.sampled_from(PIECES), max_size=40).map("".join))


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_any_text_file_reads_without_raising(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        write(Path(folder) / "a.txt", text)
        outcome = read_folders([folder])
    assert len(outcome.articles) + len(outcome.failed) == 1
    assert not any(p.reason.startswith("unexpected error") for p in outcome.failed)
    for article in outcome.articles:
        assert article.text
        assert article.content_hash == content_hash(article.text)
