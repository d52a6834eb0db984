"""Real news files in a real index: saved pages and a feed are built, asked and cited with outlet and date."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from archive import Archive, Settings
from index.embedder import Embedder
from tests.support.news import HTML_SUBSET, RSS


def test_pages_and_feed_items_are_cited_with_outlet_and_date(
    tmp_path: Path, embedder: Embedder, settings: Settings
) -> None:
    folder = tmp_path / "news"
    shutil.copytree(HTML_SUBSET / "pages", folder / "pages")
    (folder / "gazette.rss").write_text(RSS, encoding="utf-8")
    archive = Archive.build([folder], index_dir=tmp_path / "index", settings=settings, embedder=embedder)
    report = archive.last_report
    assert report is not None and report.articles == 5  # 3 pages, 2 of the feed's 3 items
    assert [p.reason for p in report.failed] == ["item 3: item has no content or summary text"]
    answer = archive.ask("How many passengers did the harbour ferry carry on its first day back?")
    top = answer.citations[0]
    assert top.sentence == "The harbour ferry carried 412 passengers on its first day back."
    assert (top.article_id, top.source, top.date, top.title) == (
        "gazette/1",
        "Harbour Gazette",
        date(2025, 3, 11),
        "Ferry service resumes",
    )
    assert archive.article(top.article_id).text[top.start : top.end] == top.sentence
    europa = archive.ask("What did NASA confirm above the surface of Europa?").citations[0]
    assert (europa.source, europa.date) == ("ScienceAlert", date(2019, 11, 18))
    assert "water" in europa.sentence.lower()
    assert {"Harbour Gazette", "ScienceAlert", "POLYGRAPH.info"} <= set(archive.info().sources)
    archive.close()
