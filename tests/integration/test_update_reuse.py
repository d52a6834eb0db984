"""What an update reuses: unchanged articles' rows come over from the previous generation bit for
bit, and the generation it writes matches a build from scratch of the same folder."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from archive import planning
from archive.api import Archive
from archive.settings import Settings
from index.embedder import Embedder
from index.snapshot import Snapshot
from tests.support import open_generation

ARTICLES = {
    "harbour": ("Harbour reopens", "The harbour reopened on Monday. Ferries to the islands resume on Friday."),
    "bridge": ("Bridge closed", "The old bridge was closed for repairs. Traffic goes through the tunnel until May."),
    "school": ("New school", "A new school opened in the north. It has places for 400 pupils."),
    "storm": ("Storm warning", "A storm warning was issued for the coast. Winds may reach 120 km/h."),
    "market": ("Market moves", "The weekly market moves to the square. Stalls open at seven."),
    "library": ("Library hours", "The library now opens on Sundays. Its reading room was rebuilt."),
}


def write(folder: Path, ids: list[str], texts: dict[str, str]) -> None:
    lines = [json.dumps({"id": i, "title": ARTICLES[i][0], "text": texts.get(i, ARTICLES[i][1])}) for i in ids]
    (folder / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def rows(snapshot: Snapshot, article_id: str) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    passages, sentences = snapshot.article_vectors(snapshot.entry(article_id))
    return np.array(passages), np.array(sentences)


def test_an_update_copies_unchanged_rows_and_matches_a_fresh_build(
    tmp_path: Path, embedder: Embedder, settings: Settings
) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    write(folder, ["harbour", "bridge", "school", "storm", "market"], {})
    index_dir = tmp_path / "updated"
    archive = Archive.build([folder], index_dir=index_dir, settings=settings, embedder=embedder)
    before = open_generation(index_dir)
    kept = {i: rows(before, i) for i in ("harbour", "bridge", "storm", "market")}
    # A new article first, one changed and moved last, one removed: harbour and bridge are still
    # neighbours, market now follows bridge but did not before.
    changed = "A new school opened in the north. It has places for 450 pupils and a library."
    order = ["library", "harbour", "bridge", "market", "school"]
    write(folder, order, {"school": changed})
    report = archive.update([folder])
    assert (report.added, report.changed, report.removed) == (("library",), ("school",), ("storm",))
    after = open_generation(index_dir)
    assert [e.article_id for e in after.entries] == order
    for article_id in ("harbour", "bridge", "market"):
        passages, sentences = rows(after, article_id)
        assert np.array_equal(passages, kept[article_id][0]) and np.array_equal(sentences, kept[article_id][1])
    assert rows(after, "library")[1].shape == (2, 384)  # two sentences, embedded by the update

    fresh = Archive.build([folder], index_dir=tmp_path / "fresh", settings=settings, embedder=embedder)
    scratch = open_generation(fresh.index_dir)
    assert [e.article_id for e in scratch.entries] == [e.article_id for e in after.entries]
    assert np.array_equal(after.passage_spans, scratch.passage_spans)
    assert np.array_equal(after.sentence_spans, scratch.sentence_spans)
    # Embedded in other batches (other padding), new rows may differ in the last bits only.
    assert np.allclose(after.passage_vectors, scratch.passage_vectors, atol=1e-5)
    assert np.allclose(after.sentence_vectors, scratch.sentence_vectors, atol=1e-5)
    for snapshot in (before, after, scratch):
        snapshot.close()
    archive.close()
    fresh.close()


def test_an_unchanged_articles_plan_reads_its_layout_when_asked_and_pickles_without_its_generation(
    tmp_path: Path, embedder: Embedder, settings: Settings
) -> None:
    """A Ray worker hands its shard's plan back pickled: a generation (open files) must not travel."""
    folder = tmp_path / "news"
    folder.mkdir()
    write(folder, ["harbour", "storm"], {})
    Archive.build([folder], index_dir=tmp_path / "index", settings=settings, embedder=embedder).close()
    generation = open_generation(tmp_path / "index")
    article = generation.article("storm")
    planned = planning.plan([article], generation, embedder, settings.passage_tokens, settings.passage_overlap)[0]
    entry = generation.entry("storm")
    assert planned.reuse == entry and planned.lender is generation
    # The counts come from the entry; the layout is the generation's rows for the article.
    assert (planned.passage_count, planned.sentence_count) == (entry.passage_count, entry.sentence_count) == (1, 2)
    spans, passages = generation.article_layout(entry)
    text = ARTICLES["storm"][1]
    assert [text[s:e] for s, e in planned.sentence_spans.tolist()] == [
        "A storm warning was issued for the coast.",
        "Winds may reach 120 km/h.",
    ]
    assert planned.passages == passages == [(0, 2)]

    # As archive/cluster/building.py's embed_shard does: plan, close the lender, return the plan.
    shipped = planning.plan([article], generation, embedder, settings.passage_tokens, settings.passage_overlap)[0]
    generation.close()
    copy = pickle.loads(pickle.dumps(shipped))
    assert copy.lender is None and copy.reuse == entry and copy.article == article
    assert np.array_equal(copy.sentence_spans, spans) and copy.passages == passages
    assert (copy.passage_count, copy.sentence_count) == (1, 2)
    with pytest.raises(ValueError, match="keeps the passages"):
        copy.passages = [(0, 1), (1, 2)]


def test_a_retitled_article_embeds_only_its_new_title(tmp_path: Path, embedder: Embedder, settings: Settings) -> None:
    """Passages are embedded without their title, so a new headline reuses the cached passage and
    sentence vectors and runs one text, the title, through the model."""
    folder = tmp_path / "news"
    folder.mkdir()
    write(folder, ["harbour", "bridge"], {})
    index_dir = tmp_path / "index"
    archive = Archive.build([folder], index_dir=index_dir, settings=settings, embedder=embedder)
    before = open_generation(index_dir)
    old_passages, old_sentences = rows(before, "harbour")
    lines = (folder / "news.jsonl").read_text(encoding="utf-8").splitlines()
    retitled = json.loads(lines[0]) | {"title": "Ferry timetable for the islands"}
    (folder / "news.jsonl").write_text("\n".join([json.dumps(retitled), lines[1]]) + "\n", encoding="utf-8")
    report = archive.update([folder])
    assert report.changed == ("harbour",)
    assert (report.embedded, report.cache_hits) == (1, len(old_passages))
    after = open_generation(index_dir)
    new_passages, new_sentences = rows(after, "harbour")
    assert np.array_equal(new_sentences, old_sentences)
    title = embedder.encode_one("Ferry timetable for the islands")
    assert float(new_passages[0] @ title) > float(old_passages[0] @ title) + 0.01
    for snapshot in (before, after):
        snapshot.close()
    archive.close()
