"""News-aware answers on real indexes: conflicting figures, reprints counted once, outlets, dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from archive import Archive, Settings
from index.embedder import Embedder
from tests.support import SEED_QUESTION, SEEDS


def two_outlets(
    tmp_path: Path, embedder: Embedder, settings: Settings, gazette: tuple[str, str], post: tuple[str, str]
) -> Archive:
    """An archive of two reports given as (title, body): "gazette" (Harbour Gazette) and "post" (Alden Post)."""
    folder = tmp_path / "news"
    folder.mkdir()
    for name, source, (title, body) in (("gazette", "Harbour Gazette", gazette), ("post", "Alden Post", post)):
        text = f"---\ntitle: {title}\nsource: {source}\n---\n{body}"
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return Archive.build([folder], index_dir=tmp_path / "index", settings=settings, embedder=embedder)


def test_seed_question_shows_five_and_six_as_conflicting_claims(seeds_archive: Archive) -> None:
    answer = seeds_archive.ask(SEED_QUESTION)
    assert answer.conflict
    by_value = {claim.value: claim for claim in answer.claims if claim.value}
    assert {"5", "6"} <= set(by_value)
    five = [answer.citations[i].sentence for i in by_value["5"].citations]
    six = [answer.citations[i].sentence for i in by_value["6"].citations]
    assert any("five Lebanese detainees" in s for s in five)
    assert any("six Lebanese" in s for s in six)
    for claim in answer.claims:
        for i in claim.citations:
            assert answer.citations[i].claim == answer.claims.index(claim)
            assert answer.citations[i].article_id in claim.articles
    assert answer.dated == "The sources carry no publication date."


def test_a_question_with_one_answer_has_no_conflict(seeds_archive: Archive) -> None:
    answer = seeds_archive.ask("When did the ceasefire agreement take effect?")
    assert answer.answered and not answer.conflict
    assert date(2024, 11, 27) in answer.citations[0].mentioned_dates


def test_reprints_count_once_and_outlets_take_turns(tmp_path: Path, embedder: Embedder, settings: Settings) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    original = (SEEDS / "000_34248013aabff9bc.txt").read_text(encoding="utf-8")
    body = original.split("\n", 2)[2]
    (folder / "wire.txt").write_text(
        f"---\ntitle: Israel, Lebanon open border talks\nsource: Wire Service\ndate: 2025-03-11\n---\n{body}",
        encoding="utf-8",
    )
    reprint = body.replace("Earlier on Tuesday,", "On Tuesday,").replace("In a statement,", "In a written statement,")
    (folder / "reprint.txt").write_text(
        f"---\ntitle: Border talks begin\nsource: Daily Reprint\ndate: 2025-03-12\n---\n{reprint}", encoding="utf-8"
    )
    (folder / "other.md").write_text(
        "---\ntitle: Detainees freed\nsource: Wire Service\ndate: 2025-03-13\n---\n"
        "Israel released five Lebanese detainees on Tuesday, officials in Beirut confirmed.\n",
        encoding="utf-8",
    )
    archive = Archive.build([folder], index_dir=tmp_path / "index", settings=settings, embedder=embedder)
    answer = archive.ask(SEED_QUESTION, k=8)
    assert answer.answered
    sentences = [c.sentence for c in answer.citations]
    assert len(sentences) == len(set(sentences))  # the reprint's copy of a sentence is not cited again
    wire = next(c for c in answer.citations if c.article_id == "wire")
    assert "reprint" in wire.copies
    assert answer.citations[0].source != answer.citations[1].source  # a second outlet before a repeat
    assert answer.dated.startswith("Sources dated 2025-03-1")
    assert archive.ask(SEED_QUESTION, since=date(2025, 3, 13)).citations[0].article_id == "other"


def test_a_saved_pages_link_line_is_never_cited(tmp_path: Path, embedder: Embedder, settings: Settings) -> None:
    # A page saved from barrons.com keeps its own address as a line; it shares every word of
    # the question and states nothing.
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "home-depot.txt").write_text(
        "---\ntitle: Home Depot Stock Falls After Earnings Report\n---\n"
        "Home Depot stock fell 5% on Tuesday after the company cut its sales forecast.\n"
        "https://www.barrons.com/articles/home-depot-stock-earnings-report-51574168486\n"
        "The retailer reported $2.53 in per-share earnings for the third quarter.\n",
        encoding="utf-8",
    )
    archive = Archive.build([folder], index_dir=tmp_path / "index", settings=settings, embedder=embedder)
    answer = archive.ask("home depot stock earnings report barrons", k=5)
    assert answer.answered
    assert all("barrons.com" not in c.sentence for c in answer.citations)
    assert "fell 5%" in answer.citations[0].sentence or "$2.53" in answer.citations[0].sentence


def test_near_copies_that_disagree_are_not_called_reprints_of_each_other(
    tmp_path: Path, embedder: Embedder, settings: Settings
) -> None:
    archive = two_outlets(
        tmp_path,
        embedder,
        settings,
        gazette=(
            "Regatta Draws Record Crowd",
            "An estimated 38,000 people watched the Summer Regatta in Port Alden on Saturday.\n",
        ),
        post=(
            "Police Count Regatta Crowd",
            "Police said 45,000 people watched the Summer Regatta in Port Alden on Saturday.\n",
        ),
    )
    answer = archive.ask("How many people watched the Summer Regatta?")
    assert answer.conflict
    assert {claim.value for claim in answer.claims if claim.value} == {"38000", "45000"}  # JSON keeps the digits
    assert {c.article_id for c in answer.citations[:2]} == {"gazette", "post"}
    assert all(c.copies == () for c in answer.citations)


def test_a_figure_is_about_what_its_articles_title_names(
    tmp_path: Path, embedder: Embedder, settings: Settings
) -> None:
    # The first report names the harbour only in its title; its figure is still Port Alden's.
    archive = two_outlets(
        tmp_path,
        embedder,
        settings,
        gazette=(
            "Port Alden Harbour Reopens After Storm Repairs",
            "The harbour reopened on Monday after six weeks of work.\n"
            "Harbour master Linda Okafor said the repairs cost 5.8 million dollars, paid mostly by the state.\n",
        ),
        post=(
            "Repairs Over Budget",
            "The Port Alden harbour repairs cost 7.1 million dollars, far above the first estimate.\n",
        ),
    )
    answer = archive.ask("How much did the Port Alden harbour repairs cost?")
    assert answer.conflict
    assert {claim.value for claim in answer.claims if claim.value} == {"5800000", "7100000"}
