"""The BM25 sidecar in real indexes: it agrees with Whoosh, and an update leaves it as a rebuild would."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from archive.api import Archive
from archive.settings import Settings
from index import analysis
from index.embedder import Embedder
from index.snapshot import Snapshot
from tests.support import SEED_QUESTION, open_generation

QUERIES = [
    SEED_QUESTION,
    "Ras Naqoura border crossing Red Cross",
    "ceasefire agreement November",
    "withdraw from five positions",
    "Hezbollah",
]


def test_the_sidecar_and_whoosh_find_the_same_passages(seeds_snapshot: Snapshot) -> None:
    snapshot = seeds_snapshot
    for query in QUERIES:
        sidecar = [row for row, _ in snapshot.bm25.search(analysis.unique_terms(query), 5)]
        whoosh = [snapshot.passage_row(h.article_id, h.passage) for h in snapshot.store.search(query, 5)]
        assert sidecar, query
        # Whoosh sums per-field BM25 and uses another idf, so orders may differ a little, not the sets.
        assert len(set(sidecar[:3]) & set(whoosh[:5])) >= 2, query


def test_both_engines_answer_the_seed_question(seeds_archive: Archive) -> None:
    for engine in ("sidecar", "whoosh"):
        archive = Archive(seeds_archive.index_dir, replace(seeds_archive.settings, bm25_engine=engine))
        hits = archive.search(SEED_QUESTION, mode="bm25", k=3)
        assert any("five Lebanese detainees" in hit.text for hit in hits), engine
        archive.close()


def test_an_update_leaves_the_sidecar_as_a_fresh_build_would(
    tmp_path: Path, seeds_copy: Path, embedder: Embedder, settings: Settings
) -> None:
    updated = Archive.build([seeds_copy], index_dir=tmp_path / "updated", settings=settings, embedder=embedder)
    (seeds_copy / "extra.md").write_text(
        "---\ntitle: Storm hits coast\n---\nA storm hit the coast on Sunday near the border. Ten boats sank.\n",
        encoding="utf-8",
    )
    first = seeds_copy / "000_34248013aabff9bc.txt"
    first.write_text(first.read_text(encoding="utf-8").replace("five Lebanese detainees", "seven Lebanese captives"))
    updated.update([seeds_copy])
    fresh = Archive.build([seeds_copy], index_dir=tmp_path / "fresh", settings=settings, embedder=embedder)
    mine, theirs = open_generation(updated.index_dir), open_generation(fresh.index_dir)
    assert mine.manifest.passages == theirs.manifest.passages
    for query in [*QUERIES, "storm boats sank", "seven captives", "five detainees"]:
        terms = analysis.unique_terms(query)
        got = [
            (mine.passage(row).article.article_id, mine.passage(row).number, s)
            for row, s in mine.bm25.search(terms, 20)
        ]
        want = [
            (theirs.passage(row).article.article_id, theirs.passage(row).number, s)
            for row, s in theirs.bm25.search(terms, 20)
        ]
        assert [(a, n) for a, n, _ in got] == [(a, n) for a, n, _ in want], query
        assert [s for _, _, s in got] == pytest.approx([s for _, _, s in want]), query
    assert mine.bm25.document_frequency("detaine") == theirs.bm25.document_frequency("detaine")
    mine.close()
    theirs.close()
    updated.close()
    fresh.close()


def test_score_fusion_ranks_by_cosine_plus_weighted_bm25(seeds_archive: Archive, seeds_snapshot: Snapshot) -> None:
    """A hybrid hit's score is its cosine plus bm25_weight times its BM25 over the query's best BM25."""
    snapshot = seeds_snapshot
    query = "Red Cross vehicles Naqoura detainees"
    hits = seeds_archive.search(query, k=5, mode="hybrid")
    vector = seeds_archive.embedder.encode_one(query)
    bm25 = snapshot.bm25.scores(analysis.unique_terms(query))
    assert bm25 is not None and hits
    weight = seeds_archive.settings.bm25_weight
    for hit in hits:
        entry = snapshot.entry(hit.article_id)
        (row,) = [
            r
            for r in range(entry.passage_row, entry.passage_row + entry.passage_count)
            if snapshot.passage(r).start == hit.start
        ]
        expected = float(snapshot.passage_vectors[row] @ vector) + weight * bm25[row] / bm25.max()
        assert hit.score == pytest.approx(expected, abs=1e-5)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    rrf = Archive(seeds_archive.index_dir, replace(seeds_archive.settings, fusion="rrf"), seeds_archive.embedder)
    ranked = rrf.search(query, k=5)
    assert ranked and all(h.score <= 2 / (seeds_archive.settings.rrf_k + 1) for h in ranked)  # rank scores
    rrf.close()


def test_the_coarse_dense_pass_answers_like_the_exact_scan(seeds_archive: Archive, seeds_snapshot: Snapshot) -> None:
    """exact_scan_rows=0 sends even the seeds through the coarse pass (index/coarse.py)."""
    snapshot = seeds_snapshot
    assert snapshot.passage_coarse is not None and snapshot.manifest.coarse_dimension == 64
    coarse_first = Archive(
        seeds_archive.index_dir, replace(seeds_archive.settings, exact_scan_rows=0), seeds_archive.embedder
    )
    for mode in ("hybrid", "dense"):
        exact = seeds_archive.search(SEED_QUESTION, k=5, mode=mode)
        first = coarse_first.search(SEED_QUESTION, k=5, mode=mode)
        assert [(h.article_id, h.start) for h in first] == [(h.article_id, h.start) for h in exact], mode
        assert [h.score for h in first] == pytest.approx([h.score for h in exact], abs=1e-5)
    assert coarse_first.ask(SEED_QUESTION).citations == seeds_archive.ask(SEED_QUESTION).citations
    filtered = coarse_first.search(SEED_QUESTION, source="nobody", mode="dense")
    assert filtered == []
    coarse_first.close()
