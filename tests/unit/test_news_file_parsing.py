"""Saved web pages, feeds and YAML front matter, read from real files (no model needed)."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from archive.readers import read_file, read_folders
from bench import datasets
from bench.html_eval import body_scores, page_counts, read_pages
from tests.support.news import HTML_SUBSET, RSS

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def problems(folder: Path) -> dict[str, str]:
    return {Path(p.path).name: p.reason for p in read_folders([folder]).failed}


# --- saved web pages ---------------------------------------------------------------------


def test_committed_pages_match_their_ground_truth() -> None:
    truth = json.loads((HTML_SUBSET / "ground-truth.json").read_text(encoding="utf-8"))
    outcome = read_folders([HTML_SUBSET / "pages"])
    assert outcome.failed == ()
    by_id = {a.article_id[:8]: a for a in outcome.articles}
    assert set(by_id) == {"14cc2a0c", "1ee91d1f", "0ec95c72"}
    europa, syria, korean = by_id["14cc2a0c"], by_id["1ee91d1f"], by_id["0ec95c72"]
    # .html.gz: read compressed; its id drops both suffixes.
    assert europa.article_id in truth and europa.path.endswith(".html.gz")
    assert europa.title.startswith("NASA Just Confirmed There Are Water Plumes")
    assert (europa.source, europa.date) == ("ScienceAlert", date(2019, 11, 18))
    assert europa.url.startswith("https://www.sciencealert.com/nasa-finds-water-plumes")
    assert (syria.source, syria.date) == ("POLYGRAPH.info", date(2019, 11, 18))
    assert syria.title.startswith("Russia and Syria")
    # A Korean page without site name or canonical URL: its text is read, its outlet left empty.
    assert korean.source == "" and korean.date == date(2018, 8, 25)
    assert "엘제이의 리벤지인가" in korean.text
    for article in (europa, syria, korean):
        full_id = next(k for k in truth if k.startswith(article.article_id[:8]))
        _, _, f1 = body_scores([page_counts(truth[full_id]["articleBody"], article.text)])
        assert f1 >= 0.8, (article.article_id, f1)
        assert "<" not in article.text and "function(" not in article.text


@pytest.mark.slow
def test_benchmark_pages_reach_the_target_f1() -> None:
    if not datasets.HTML_NEWS.exists():  # a clone without ../shared beside it (CI has it)
        pytest.skip(f"evaluation data not found at {datasets.HTML_NEWS}; set ARCHIVE_EVAL_DATA")
    truth = json.loads((datasets.HTML_NEWS / "ground-truth.json").read_text(encoding="utf-8"))
    results = read_pages(datasets.HTML_NEWS / "pages", truth)
    _, _, f1 = body_scores([r.counts for r in results])
    assert len(results) == 120 and f1 >= 0.95
    assert sum(1 for r in results if r.article and r.article.title) == 120


INDEX_PAGE = (
    "<html><head><title>Valley Courier - Latest</title><meta property='og:type' content='website'></head><body>"
    "<nav><a href='/'>Home</a> <a href='/politics'>Politics</a></nav><main><h1>Latest news</h1><ul>"
    + "".join(
        f"<li><a href='/story-{i}'>Headline {i}: the council votes on the new budget for the city</a></li>"
        for i in range(30)
    )
    + "</ul></main><footer>© Valley Courier</footer></body></html>"
)
LOGIN_PAGE = (
    "<html><head><title>Sign in - The Ledger</title></head><body><main><h1>Subscribe to keep reading</h1>"
    "<p>You have reached your limit of free articles this month.</p><form><label>Email <input></label>"
    "<button>Sign in</button></form></main></body></html>"
)


def test_pages_without_an_article_are_reported_not_indexed(tmp_path: Path) -> None:
    write(tmp_path / "picture.html", PNG)
    write(tmp_path / "empty.htm", b"")
    write(tmp_path / "blank.html", "  \n\n ")
    write(tmp_path / "index.html", INDEX_PAGE)
    write(tmp_path / "login.html", LOGIN_PAGE)
    write(tmp_path / "shell.html", "<html><head><title>App</title></head><body><div id=root></div></body></html>")
    write(tmp_path / "broken.html.gz", b"\x1f\x8b\x08\x00 not really gzip")
    outcome = read_folders([tmp_path])
    assert outcome.articles == ()
    found = problems(tmp_path)
    assert found["picture.html"] == "binary file (PNG image), not HTML"
    assert found["empty.htm"] == found["blank.html"] == "empty file"
    assert found["index.html"].startswith("an index page, not an article")
    assert found["login.html"].startswith("no article in the page")
    assert found["shell.html"] == "no article text found in the page"
    assert found["broken.html.gz"].startswith("not a readable gzip file")


def test_a_gzip_bomb_is_refused(tmp_path: Path) -> None:
    from archive import readers

    page = write(tmp_path / "big.html.gz", gzip.compress(b"<p>" + b"a" * (readers.PAGE_FILE_LIMIT + 10)))
    (problem,) = read_file(page, tmp_path).failed
    assert problem.reason.startswith("unpacks to over")


# --- feeds -------------------------------------------------------------------------------


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Valley Wire</title><id>urn:valley</id>
<updated>2025-03-12T10:00:00Z</updated>
<entry><title>Bridge reopens</title><id>urn:valley:1</id><link href="https://wire.test/bridge"/>
  <published>2025-03-10T09:00:00+02:00</published><author><name>Lee Park</name></author>
  <content type="html">&lt;p&gt;The stone bridge reopened after eleven months.&lt;/p&gt;</content></entry>
</feed>
"""


def test_feed_items_become_articles_with_outlet_and_dates(tmp_path: Path) -> None:
    write(tmp_path / "gazette.rss", RSS)
    write(tmp_path / "wire.xml", ATOM)
    outcome = read_folders([tmp_path])
    ferry, fees, bridge = outcome.articles
    assert (ferry.article_id, fees.article_id, bridge.article_id) == ("gazette/1", "gazette/2", "wire/1")
    assert ferry.source == fees.source == "Harbour Gazette" and bridge.source == "Valley Wire"
    # The date as written in the item's own zone (23:30 -05:00 is already the 12th in UTC).
    assert (ferry.date, fees.date, bridge.date) == (date(2025, 3, 11), date(2025, 3, 12), date(2025, 3, 10))
    first_day, pier = (
        "The harbour ferry carried 412 passengers on its first day back.",
        "Repairs to the pier cost €2 million.",
    )
    assert ferry.text == f"{first_day}\n{pier}"
    assert (ferry.title, ferry.url) == ("Ferry service resumes", "https://gazette.test/ferry")
    assert ferry.authors == ("Ana Ruiz",)
    assert fees.title == "Council & port agree on fees"
    assert fees.text == "The council and the port authority agreed on new mooring fees."
    assert (bridge.url, bridge.authors) == ("https://wire.test/bridge", ("Lee Park",))
    (problem,) = outcome.failed
    assert (Path(problem.path).name, problem.reason) == ("gazette.rss", "item 3: item has no content or summary text")


def test_files_that_are_not_feeds_are_reported(tmp_path: Path) -> None:
    write(tmp_path / "sitemap.xml", '<?xml version="1.0"?><urlset><url><loc>https://x.test/</loc></url></urlset>')
    write(tmp_path / "broken.rss", "<rss><channel><title>x</title>")
    write(tmp_path / "empty.atom", "")
    write(tmp_path / "nothing.rss", '<rss version="2.0"><channel><title>Quiet</title></channel></rss>')
    found = problems(tmp_path)
    assert found["sitemap.xml"] == "XML file that is not an RSS or Atom feed"
    assert found["empty.atom"] == "empty file"
    assert found["nothing.rss"] == "feed has no items"
    assert found["broken.rss"] == "feed has no items"  # feedparser reads what it can of unclosed XML


# --- YAML front matter -------------------------------------------------------------------


def test_yaml_front_matter_in_its_awkward_forms(tmp_path: Path) -> None:
    write(
        tmp_path / "folded.md",
        "---\n# a comment\ntitle: >-\n  Talks resume:\n  a long, folded headline\nsource: 'The \"Daily\" Post'\n"
        "date: 2025-03-11T23:30:00-05:00\nauthors: [\"Ruiz, Ana\", 'Lee Park']\nsummary: |\n  Line one.\n  Line two.\n"
        "tags:\n  - ports\n  - ferries\n---\nBody text.\n",
    )
    write(tmp_path / "colon.md", "---\ntitle: Breaking: quake hits city\nsource: AP\ndate: 11 March 2025\n---\nBody.\n")
    write(
        tmp_path / "typed.md", "---\ntitle: 1984\ndate: 2025-03-11\nsource: ~\nurl: https://x.test/a?b=c#d\n---\nB.\n"
    )
    write(tmp_path / "unfenced.txt", "Title: Plain Title\nOutlet: AP\nPublished: March 11, 2025\n\nThe body.\n")
    outcome = read_folders([tmp_path])
    assert outcome.failed == () and outcome.warnings == ()
    colon, folded, typed, unfenced = outcome.articles
    assert folded.title == "Talks resume: a long, folded headline"
    assert (folded.source, folded.date) == ('The "Daily" Post', date(2025, 3, 11))
    assert folded.authors == ("Ruiz, Ana", "Lee Park")
    assert dict(folded.extra) == {"summary": "Line one.\nLine two.\n", "tags": '["ports","ferries"]'}
    assert folded.text == "Body text.\n"
    assert (colon.title, colon.source, colon.date) == ("Breaking: quake hits city", "AP", date(2025, 3, 11))
    assert (typed.title, typed.date, typed.source, typed.url) == (
        "1984",
        date(2025, 3, 11),
        "",
        "https://x.test/a?b=c#d",
    )
    assert (unfenced.title, unfenced.source, unfenced.date) == ("Plain Title", "AP", date(2025, 3, 11))


def test_front_matter_that_is_not_a_mapping_is_plain_text_with_a_warning(tmp_path: Path) -> None:
    content = "---\n- just\n- a list\n---\nThe text.\n"
    write(tmp_path / "a.md", content)
    outcome = read_folders([tmp_path])
    (article,) = outcome.articles
    assert article.text.endswith("The text.\n")
    (warning,) = outcome.warnings
    assert warning.line == 1 and "not YAML (not a mapping" in warning.reason
