"""The core end to end on a real on-disk index with the real model."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from archive import Answer, Archive, Settings
from archive.errors import (
    ArticleNotFoundError,
    IndexIncompatibleError,
    IndexMissingError,
    InputLimitError,
    InvalidRequestError,
)
from index.embedder import Embedder
from tests.support import SEED_QUESTION

FIVE = "Israel has agreed to release five Lebanese detainees"


def assert_citations_verbatim(archive: Archive, answer: Answer) -> None:
    for citation in answer.citations:
        assert archive.article(citation.article_id).text[citation.start : citation.end] == citation.sentence


def test_seed_question_cites_the_five_detainees_sentence(seeds_archive: Archive) -> None:
    answer = seeds_archive.ask(SEED_QUESTION)
    assert answer.answered
    assert FIVE in answer.citations[0].sentence
    first = answer.citations[0]
    assert first.article_id == "000_34248013aabff9bc"
    assert first.title.startswith("Israel and Lebanon Open Border Negotiations")
    assert first.source == "" and first.date is None  # the seeds carry no outlet or date: none is invented
    assert_citations_verbatim(seeds_archive, answer)


def test_citations_are_ordered_best_first(seeds_archive: Archive) -> None:
    answer = seeds_archive.ask("Where were the Red Cross vehicles headed?")
    assert answer.answered
    scores = [c.score for c in answer.citations]
    assert scores == sorted(scores, reverse=True)
    assert any("Red Cross" in c.sentence for c in answer.citations)
    assert_citations_verbatim(seeds_archive, answer)


def test_articles_without_an_outlet_keep_score_order(seeds_archive: Archive) -> None:
    """The seeds name no outlet: nothing tells whether two come from one, so no article waits its turn."""
    citations = seeds_archive.ask("What did Israel and Lebanon agree to negotiate?", k=10).citations
    assert len({c.article_id for c in citations}) == 2  # both seed articles are cited
    scores = [c.score for c in citations]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "question",
    [
        "What is the boiling point of liquid nitrogen?",
        "Who won the 1998 football World Cup final?",
        "How do I bake sourdough bread at home?",
    ],
)
def test_questions_the_seeds_never_mention_are_not_answered(seeds_archive: Archive, question: str) -> None:
    answer = seeds_archive.ask(question)
    assert not answer.answered
    assert answer.citations == ()
    assert answer.hits  # the closest passages are still shown
    assert "no answer" in answer.note


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_search_modes_find_the_naqoura_talks(seeds_archive: Archive, mode: str) -> None:
    hits = seeds_archive.search("Naqoura talks border negotiations", k=5, mode=mode)  # type: ignore[arg-type]
    assert hits
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    for hit in hits:
        assert seeds_archive.article(hit.article_id).text[hit.start : hit.end] == hit.text


def test_filters_apply_inside_the_legs(seeds_archive: Archive) -> None:
    assert seeds_archive.search("Naqoura", source="Reuters") == []
    # the seeds are undated, so any date range excludes them
    assert seeds_archive.search("Naqoura", since=date(2025, 1, 1)) == []
    answer = seeds_archive.ask(SEED_QUESTION, source="Reuters")
    assert not answer.answered and answer.hits == ()


@pytest.mark.parametrize("query", ['title:(( "AND', "OR OR NOT", "*", "release^5 ~2", "   ", "", "🙂 ?!"])
def test_odd_queries_never_raise(seeds_archive: Archive, query: str) -> None:
    answer = seeds_archive.ask(query)
    assert isinstance(answer, Answer)
    seeds_archive.search(query)


def test_limits_and_bad_arguments_give_clear_errors(seeds_archive: Archive) -> None:
    with pytest.raises(InputLimitError, match="limit"):
        seeds_archive.ask("why " * 1000)
    with pytest.raises(ArticleNotFoundError, match="nope"):
        seeds_archive.article("nope")


def test_info_describes_the_index(seeds_archive: Archive) -> None:
    info = seeds_archive.info()
    assert info.articles == 2
    assert info.passages >= info.articles
    assert info.sentences > info.passages


def test_open_missing_index_says_what_to_run(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(IndexMissingError, match="archive build"):
        Archive.open(tmp_path / "nothing", settings=settings)


def test_update_adds_changes_and_removes(
    tmp_path: Path, seeds_copy: Path, embedder: Embedder, settings: Settings
) -> None:
    index_dir = tmp_path / "index"
    archive = Archive.build([seeds_copy], index_dir=index_dir, settings=settings, embedder=embedder)
    (seeds_copy / "extra.md").write_text(
        "---\ntitle: Storm hits coast\nsource: Coast Herald\ndate: 2025-03-02\n---\n"
        "A storm with winds of 140 km/h hit the coast on Sunday. Ten fishing boats sank in the harbour.\n",
        encoding="utf-8",
    )
    first = seeds_copy / "000_34248013aabff9bc.txt"
    first.write_text(first.read_text(encoding="utf-8").replace("five Lebanese detainees", "seven Lebanese detainees"))
    (seeds_copy / "003_12cca55447f6527d.txt").unlink()
    report = archive.update([seeds_copy])
    assert report.added == ("extra",)
    assert report.changed == ("000_34248013aabff9bc",)
    assert report.removed == ("003_12cca55447f6527d",)
    assert archive.info().articles == 2
    answer = archive.ask("How many fishing boats sank in the storm?")
    assert answer.answered and "Ten fishing boats sank" in answer.citations[0].sentence
    assert answer.citations[0].source == "Coast Herald"
    assert answer.citations[0].date == date(2025, 3, 2)
    assert "seven Lebanese detainees" in archive.ask(SEED_QUESTION).citations[0].sentence
    assert archive.search("Ras En Nakura excellent LBCI", mode="bm25") == [] or all(
        h.article_id != "003_12cca55447f6527d" for h in archive.search("Ras En Nakura excellent LBCI")
    )
    # filters on the new, dated article work in both legs
    assert {h.article_id for h in archive.search("storm", source="coast herald", mode="dense")} == {"extra"}
    assert {h.article_id for h in archive.search("storm", since=date(2025, 3, 1))} == {"extra"}
    assert archive.search("storm", until=date(2025, 3, 1)) == []
    unchanged = archive.update([seeds_copy])
    assert unchanged.added == unchanged.changed == unchanged.removed == ()
    assert unchanged.unchanged == 2


def test_a_folder_of_broken_files_builds_and_reports_each(
    tmp_path: Path, seeds_copy: Path, embedder: Embedder, settings: Settings
) -> None:
    (seeds_copy / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (seeds_copy / "empty.txt").write_text("", encoding="utf-8")
    (seeds_copy / "broken.jsonl").write_text(
        '{"id": "ok-1", "title": "Fine", "text": "A good record about a harbour."}\n{"id": oops}\n',
        encoding="utf-8",
    )
    (seeds_copy / "notext.json").write_text('{"title": "No body here"}', encoding="utf-8")
    shutil.copy(seeds_copy / "000_34248013aabff9bc.txt", seeds_copy / "copy-of-first.txt")
    archive = Archive.build([seeds_copy], index_dir=tmp_path / "index", settings=settings, embedder=embedder)
    report = archive.last_report
    assert report is not None
    failed = {Path(p.path).name: p for p in report.failed}
    assert set(failed) == {"image.txt", "empty.txt", "broken.jsonl", "notext.json"}
    assert failed["broken.jsonl"].line == 2
    assert [d.article_id for d in report.duplicates] == ["copy-of-first"]
    assert report.articles == 3  # two seeds and the good JSONL record
    assert archive.ask("What is the good record about?").hits


def test_another_model_refuses_with_a_clear_error(tmp_path: Path, seeds_archive: Archive, settings: Settings) -> None:
    fake_model = tmp_path / "other-model"
    fake_model.mkdir()
    (fake_model / "model.safetensors").write_bytes(b"not the weights")
    other = Archive.open(seeds_archive.index_dir, settings=settings, embedder=Embedder(str(fake_model)))
    with pytest.raises(IndexIncompatibleError, match="archive build"):
        other.ask(SEED_QUESTION)
    assert other.ask(SEED_QUESTION, mode="bm25").hits  # BM25 needs no model


def test_a_missing_or_empty_folder_is_refused_and_the_index_kept(
    tmp_path: Path, seeds_copy: Path, embedder: Embedder, settings: Settings
) -> None:
    index_dir = tmp_path / "index"
    archive = Archive.build([seeds_copy], index_dir=index_dir, settings=settings, embedder=embedder)
    with pytest.raises(InvalidRequestError, match="No such folder"):
        Archive.build([tmp_path / "nope"], index_dir=index_dir, settings=settings, embedder=embedder)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "blank.txt").write_text("   \n", encoding="utf-8")
    with pytest.raises(InvalidRequestError, match="left as it was"):
        archive.update([empty])
    assert archive.info().articles == 2


def test_staleness_is_checked_against_absolute_paths(
    tmp_path: Path, seeds_copy: Path, embedder: Embedder, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(seeds_copy.parent)
    archive = Archive.build(["seeds"], index_dir=tmp_path / "index", settings=settings, embedder=embedder)
    monkeypatch.chdir(tmp_path)
    assert not archive.is_stale("000_34248013aabff9bc")
    (seeds_copy / "000_34248013aabff9bc.txt").write_text("changed\n", encoding="utf-8")
    assert archive.is_stale("000_34248013aabff9bc")


def test_citations_name_the_text_their_offsets_point_into(seeds_archive: Archive) -> None:
    answer = seeds_archive.ask(SEED_QUESTION)
    for citation in answer.citations:
        assert citation.content_hash == seeds_archive.article(citation.article_id).content_hash
    for hit in answer.hits:
        assert hit.content_hash == seeds_archive.article(hit.article_id).content_hash
