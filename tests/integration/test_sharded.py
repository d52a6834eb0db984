"""A sharded archive answers exactly as the unsharded archive of the same articles (docs/sharding.md).

One corpus is built once per run: unsharded, and split into 1, 2 and 4 shards. The corpus is
the bundled seeds and saved news pages, plus (where ../shared holds the evaluation data) 200
SciFact abstracts and the XQuAD-R dev articles. Every search and answer must give the same
article ids, spans and order, with scores within 1e-6.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from archive.api import Archive
from archive.errors import IndexIncompatibleError
from archive.models import Answer, Hit
from archive.settings import Settings
from archive.verify import verify_index
from bench import datasets
from index import layout
from index.embedder import Embedder
from index.manifest import read_manifest
from index.shardset import SET_PREFIX, read_shard_set, shard_of
from tests.support import ROOT, SEED_QUESTION, SEEDS

NEWS_PAGES = ROOT / "tests" / "data" / "html-news" / "pages"
SHARD_COUNTS = (1, 2, 4)
TOLERANCE = 1e-6
QUESTIONS = [
    SEED_QUESTION,
    "What did the negotiations in Naqoura address?",
    "Which positions will Israel withdraw from?",
    "vitamin D deficiency and bone density",
    "How are cancer cells affected in mice?",
    "When was the university founded?",
]


@dataclasses.dataclass
class Built:
    folders: list[Path]
    settings: Settings
    plain: Archive
    sharded: dict[int, Archive]
    questions: list[str]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Built]:
    root = tmp_path_factory.mktemp("sharded")
    folders = [SEEDS, NEWS_PAGES]
    questions = list(QUESTIONS)
    if datasets.SCIFACT.exists() and datasets.XQUAD.exists():  # a clone without ../shared has only the seeds
        data = root / "data"
        datasets.scifact_corpus(data, limit=200)
        _, xquad_questions = datasets.xquad_corpus(data)
        folders.append(data)
        questions += [q.text for q in datasets.scifact_queries()[:8]] + [q.question for q in xquad_questions[::40]]
    # One embedding cache for every build: the shards' vectors are then the unsharded build's, bit for bit.
    settings = Settings.from_env(environ={}, index_dir=root / "default", embedding_cache=str(root / "cache.sqlite"))
    plain = Archive.build(folders, index_dir=root / "plain", settings=settings, embedder=embedder)
    sharded = {
        n: Archive.build(folders, index_dir=root / f"shards-{n}", settings=settings, embedder=embedder, shards=n)
        for n in SHARD_COUNTS
    }
    yield Built(folders, settings, plain, sharded, questions)
    for archive in [plain, *sharded.values()]:
        archive.close()


def assert_same_hits(expected: list[Hit] | tuple[Hit, ...], actual: list[Hit] | tuple[Hit, ...], what: str) -> None:
    assert [(h.article_id, h.start, h.end) for h in actual] == [(h.article_id, h.start, h.end) for h in expected], what
    for e, a in zip(expected, actual, strict=True):
        assert abs(e.score - a.score) <= TOLERANCE, what


def assert_same_answer(expected: Answer, actual: Answer, what: str) -> None:
    assert actual.answered == expected.answered, what
    key = [(c.article_id, c.start, c.end, c.position, c.claim, c.values, c.copies) for c in expected.citations]
    assert [(c.article_id, c.start, c.end, c.position, c.claim, c.values, c.copies) for c in actual.citations] == key
    for e, a in zip(expected.citations, actual.citations, strict=True):
        assert abs(e.score - a.score) <= TOLERANCE, what
    assert actual.claims == expected.claims and actual.conflict == expected.conflict, what
    assert abs(actual.confidence - expected.confidence) <= TOLERANCE, what
    assert_same_hits(expected.hits, actual.hits, what)


@pytest.mark.parametrize("shards", SHARD_COUNTS)
def test_search_equals_the_unsharded_index(built: Built, shards: int) -> None:
    archive = built.sharded[shards]
    assert archive.info().articles == built.plain.info().articles
    assert archive.info().passages == built.plain.info().passages
    for question in built.questions:
        for mode in ("hybrid", "bm25", "dense"):
            for k in (5, 40):
                what = f"{shards} shards, {mode}, k={k}: {question!r}"
                assert_same_hits(
                    built.plain.search(question, k=k, mode=mode), archive.search(question, k=k, mode=mode), what
                )


@pytest.mark.parametrize("shards", SHARD_COUNTS)
def test_ask_equals_the_unsharded_index(built: Built, shards: int) -> None:
    archive = built.sharded[shards]
    answered = 0
    for question in built.questions:
        for mode in ("hybrid", "bm25"):
            expected = built.plain.ask(question, mode=mode)
            assert_same_answer(expected, archive.ask(question, mode=mode), f"{shards} shards, {mode}: {question!r}")
            answered += expected.answered
    assert answered >= 2  # the comparison covered citations, not only empty answers


def test_filters_and_the_coarse_pass_rank_as_the_unsharded_index(built: Built) -> None:
    """Past `exact_scan_rows` every shard sends its coarse and BM25 best; the merge cuts them as one index would."""
    for settings in (
        dataclasses.replace(built.settings, exact_scan_rows=0),
        dataclasses.replace(built.settings, fusion="rrf"),
    ):
        with (
            Archive.open(built.plain.index_dir, settings, built.plain.embedder) as plain,
            Archive.open(built.sharded[4].index_dir, settings, built.plain.embedder) as sharded,
        ):
            for question in built.questions:
                for filters in ({}, {"source": "SciFact"}, {"since": date(2025, 1, 1)}):
                    for mode in ("hybrid", "dense"):
                        what = f"{settings.exact_scan_rows} {settings.fusion} {mode} {filters}: {question!r}"
                        expected = plain.search(question, k=20, mode=mode, **filters)  # type: ignore[arg-type]
                        actual = sharded.search(question, k=20, mode=mode, **filters)  # type: ignore[arg-type]
                        assert_same_hits(expected, actual, what)


def test_a_sharded_folder_names_one_generation_per_shard(built: Built) -> None:
    index_dir = built.sharded[4].index_dir
    top = layout.current_top(index_dir)
    assert top.name.startswith(SET_PREFIX)
    shard_set = read_shard_set(top)
    assert [ref.folder.split("/")[0] for ref in shard_set.shards] == ["shard-00", "shard-01", "shard-02", "shard-03"]
    for number, ref in enumerate(shard_set.shards):
        generations = list((index_dir / ref.folder).parent.glob("gen-*"))
        assert [g.name for g in generations] == [ref.folder.split("/")[1]]
        assert all(shard_of(e.article_id, 4) == number for e in read_manifest(index_dir / ref.folder).articles)
    assert len(shard_set.order) == built.plain.info().articles
    assert verify_index(index_dir, built.settings, built.plain.embedder, questions=4, reembed=2).ok


def test_the_whoosh_engine_is_refused_on_several_shards(built: Built) -> None:
    settings = dataclasses.replace(built.settings, bm25_engine="whoosh")
    with (
        Archive.open(built.sharded[2].index_dir, settings, built.plain.embedder) as archive,
        pytest.raises(IndexIncompatibleError, match="shards"),
    ):
        archive.search("Israel", mode="bm25")


def test_update_rewrites_only_the_shards_whose_articles_changed(
    tmp_path: Path, embedder: Embedder, settings: Settings
) -> None:
    news = tmp_path / "news"
    shutil.copytree(SEEDS, news / "seeds")
    shutil.copytree(NEWS_PAGES, news / "pages")
    index_dir = tmp_path / "index"
    archive = Archive.build([news], index_dir=index_dir, settings=settings, embedder=embedder, shards=4)
    plain = Archive.build([news], index_dir=tmp_path / "plain", settings=settings, embedder=embedder)
    before = read_shard_set(layout.current_top(index_dir))
    mtimes = {ref.folder: os.stat(index_dir / ref.folder).st_mtime_ns for ref in before.shards}
    changed = sorted((news / "seeds").iterdir())[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA line added in an update.\n", encoding="utf-8")
    report = archive.update([news])
    after = read_shard_set(layout.current_top(index_dir))
    assert len(report.changed) == 1 and not report.added and not report.removed
    touched = shard_of(report.changed[0], 4)
    for number, (old, new) in enumerate(zip(before.shards, after.shards, strict=True)):
        if number == touched:
            assert new.folder != old.folder, "the changed article's shard is a new generation"
        else:
            assert new.folder == old.folder, f"shard {number} holds no changed article and was rewritten"
            assert os.stat(index_dir / new.folder).st_mtime_ns == mtimes[old.folder]
    assert "A line added in an update." in archive.article(report.changed[0]).text
    # The unsharded index updated alike answers alike. (An update keeps Whoosh's deleted documents
    # in the answer's IDF until segments merge, so the comparison is with an update, not a build.)
    plain.update([news])
    for mode in ("hybrid", "bm25", "dense"):
        what = f"after an update, {mode}"
        assert_same_hits(plain.search(SEED_QUESTION, mode=mode), archive.search(SEED_QUESTION, mode=mode), what)
    assert_same_answer(plain.ask(SEED_QUESTION), archive.ask(SEED_QUESTION), "after an update")
    assert verify_index(index_dir, settings, embedder, questions=2, reembed=0).ok
    plain.close()
    archive.close()
