"""The pure helpers of the speed benchmark: percentiles, summaries and the RESULTS.md section."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from bench import report as rp


@pytest.mark.parametrize("q", [0.0, 0.05, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0])
@pytest.mark.parametrize("values", [[3.0], [2.0, 1.0], [5.0, 1.0, 4.0, 2.0, 3.0], [float(i % 7) for i in range(200)]])
def test_percentile_matches_numpy_linear(values: list[float], q: float) -> None:
    assert rp.percentile(values, q) == pytest.approx(float(np.percentile(values, 100 * q)))


def test_percentile_rejects_nothing_and_bad_quantiles() -> None:
    with pytest.raises(ValueError):
        rp.percentile([], 0.5)
    with pytest.raises(ValueError):
        rp.percentile([1.0], 1.5)


def test_latency_reports_milliseconds() -> None:
    summary = rp.latency([0.010, 0.020, 0.030, 0.040, 1.0])
    assert summary["n"] == 5
    assert summary["p50_ms"] == pytest.approx(30.0)
    assert summary["p95_ms"] == pytest.approx(40 + 0.8 * 960)
    assert summary["max_ms"] == pytest.approx(1000.0)
    assert summary["mean_ms"] == pytest.approx(220.0)


def test_ratio_and_median() -> None:
    assert rp.ratio(3.0, 2.0) == 1.5
    assert math.isinf(rp.ratio(1.0, 0.0))
    assert rp.median(iter([3.0, 1.0, 2.0])) == 2.0


def test_rotated_gives_every_variant_each_position() -> None:
    names = ["a", "b", "c"]
    firsts = [rp.rotated(names, i)[0] for i in range(6)]
    assert firsts == ["a", "b", "c", "a", "b", "c"]
    assert sorted(rp.rotated(names, 7)) == names
    assert rp.rotated([], 3) == []


def test_overlap_is_share_of_the_first_list() -> None:
    assert rp.overlap([1, 2, 3, 4], [4, 3, 9, 8], 4) == 0.5
    assert rp.overlap([1, 2, 3], [1, 2, 3], 2) == 1.0
    assert rp.overlap([1, 2, 3], [3, 2, 1], 1) == 0.0
    assert rp.overlap([], [], 10) == 1.0
    assert rp.overlap([], [1], 10) == 0.0


def test_human_bytes_and_fmt() -> None:
    assert rp.human_bytes(512) == "512 B"
    assert rp.human_bytes(1536) == "1.5 KiB"
    assert rp.human_bytes(3 * 2**30) == "3.0 GiB"
    assert rp.fmt(1234.567) == "1,234.6"
    assert rp.fmt(None) == "–"
    assert rp.fmt(float("nan")) == "–"
    assert rp.fmt(float("inf")) == "∞"


def test_markdown_table_escapes_pipes_and_checks_width() -> None:
    table = rp.markdown_table(["a", "b"], [["1", "x|y"]])
    assert table.splitlines() == ["| a | b |", "|---|---|", "| 1 | x\\|y |"]
    with pytest.raises(ValueError):
        rp.markdown_table(["a", "b"], [["only one"]])


def test_replace_section_appends_when_missing() -> None:
    assert rp.replace_section("", "body") == "## Speed and memory\n\nbody\n"
    doc = "# Results\n\n## Quality\n\nnDCG 0.7\n"
    out = rp.replace_section(doc, "new figures")
    assert out == "# Results\n\n## Quality\n\nnDCG 0.7\n\n## Speed and memory\n\nnew figures\n"


def test_replace_section_keeps_other_sections_verbatim() -> None:
    doc = "# Results\n\n## Quality\n\nq\n\n## Speed and memory\n\nold\n\n### sub\n\nold sub\n\n## Later\n\nkeep me\n"
    out = rp.replace_section(doc, "new")
    assert out == "# Results\n\n## Quality\n\nq\n\n## Speed and memory\n\nnew\n\n## Later\n\nkeep me\n"
    assert rp.replace_section(out, "new") == out  # idempotent


def test_replace_section_ignores_headings_inside_code_fences() -> None:
    doc = "## Speed and memory\n\n```\n## not a heading\n```\n\n## Next\n\nx\n"
    assert rp.replace_section(doc, "b") == "## Speed and memory\n\nb\n\n## Next\n\nx\n"


def test_replace_section_at_end_of_document() -> None:
    doc = "# R\n\n## Speed and memory\n\nold\n"
    assert rp.replace_section(doc, "new") == "# R\n\n## Speed and memory\n\nnew\n"


# ----- bench.speed and bench.scale: the parts that need no model or index ---------------------


def test_stage_clock_times_reported_stages_and_names_the_remainder_other() -> None:
    from bench.build_timing import StageClock

    times = iter([0.0, 1.0, 1.5, 4.0, 9.0])
    clock = StageClock(now=lambda: next(times))
    for stage, done in (("reading", 0), ("reading", 1), ("embedding", 0), ("embedding", 5), ("indexing", 0)):
        clock(stage, done, 5)
    assert clock.current == "indexing"
    phases = clock.breakdown(total=10.0)
    assert phases == {"reading": 1.0, "after reading": 0.5, "embedding": 2.5, "after embedding": 5.0, "other": 1.0}
    clock.reset()
    assert clock.seconds == {} and clock.current == ""


def test_merge_keeps_earlier_scales() -> None:
    from bench.speed import merge

    old = {"scales": {"1": {"a": 1}, "4": {"a": 4}}, "meta": {"x": 1}}
    new = {"scales": {"16": {"a": 16}, "4": {"a": 5}}, "meta": {"x": 2}}
    assert merge(old, new) == {"scales": {"1": {"a": 1}, "4": {"a": 5}, "16": {"a": 16}}, "meta": {"x": 2}}


def test_replicas_keep_every_sentence_and_passage_string() -> None:
    from archive.sentences import split_sentences
    from bench.scale import replica_text, replica_title, unmarked

    text = "First claim here. Second sentence follows.\nA new line."
    for replica in (0, 1, 15):
        copy = replica_text(text, replica)
        assert (copy == text) == (replica == 0)
        assert [copy[s:e] for s, e in split_sentences(copy)] == [text[s:e] for s, e in split_sentences(text)]
        assert unmarked(replica_title("A title (with parens)", replica)) == "A title (with parens)"


def test_edit_record_changes_one_line(tmp_path: Path) -> None:
    from bench.speed_tasks import edit_record

    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "text": "One."}\n{"id": "b", "text": "Two."}\n', encoding="utf-8")
    assert edit_record(corpus, 1, "n1") == "b"
    lines = corpus.read_text(encoding="utf-8").splitlines()
    assert lines[0] == '{"id": "a", "text": "One."}'
    assert json.loads(lines[1])["text"] == "Two. This abstract was revised for benchmark run n1."


def _latency(p50: float) -> dict[str, float]:
    return {"n": 3.0, "p50_ms": p50, "p95_ms": 2 * p50, "mean_ms": p50, "max_ms": 3 * p50}


def test_render_and_targets_from_a_results_document() -> None:
    from bench.speed_render import render

    stages = {"read": 0.1, "plan": 0.2, "embed": 9.0, "whoosh": 0.5, "arrays": 0.2}
    rep = {
        "articles": 10,
        "passages": 40,
        "sentences": 90,
        "seconds": 10.0,
        "embed_seconds": 9.0,
        "stages": stages,
        "model_seconds_in_build": 8.9,
        "ratio": 1.1,
        "floor": {"passages": 40, "sentences": 90, "passage_seconds": 4.0, "sentence_seconds": 5.0, "seconds": 9.0},
    }
    names = [
        "search_hybrid",
        "search_bm25",
        "search_dense",
        "ask",
        "search_hybrid_whoosh_rrf",
        "ask_whoosh_rrf",
        "leg_bm25_whoosh",
        "leg_bm25_sidecar",
        "leg_encode",
        "leg_dense_scan",
    ]
    scale = {
        "build": {
            "articles": 10,
            "passages": 40,
            "seconds": 2.0,
            "embedded": 0,
            "cache_hits": 130,
            "sizes": {"total": 2**20},
            "maxrss_kib": 2048,
            "stages": stages,
        },
        "queries": {
            "latency": {n: _latency(40.0) for n in names},
            "maxrss_kib": 1024,
            "torch_threads": 2,
            "sidecar": {"overlap@100": 0.9, "ndcg@10_whoosh": 0.6, "ndcg@10_sidecar": 0.7, "bytes": 2**20},
        },
        "cold": {"median_seconds": 6.0, "breakdown_median": {"import": 1.0, "model_load": 4.0}},
    }
    update_rep = {"wall_seconds": 1.0, "seconds": 0.8, "embedded": 5, "warmup": False, "stages": stages}
    results = {
        "meta": {"machine": "2 CPU cores", "loadavg_summary": "1-min 1.00–2.00"},
        "build_floor": {"articles": 10, "reps": [rep, dict(rep, ratio=1.2)]},
        "scales": {"1": scale, "4": scale},
        "updates": {
            "1": {
                "articles": 10,
                "reps": [dict(update_rep, warmup=True), update_rep],
                "maxrss_kib": 4096,
                "cli": {"median_seconds": 7.0},
            }
        },
    }
    text = render(results, "python -m bench.speed --quick")
    assert "`python -m bench.speed --quick`" in text
    assert "| build ≤ 1.15× embedding alone | 1.150× | met |" in text
    assert "| ask at 4x: p50 < 50 ms, p95 < 150 ms | 40.0 / 80.0 ms | met |" in text
    assert "| update of one article in 10 < 3 s (in process) | 1.00 s | met |" in text
    assert "| 1x | 10 | 1.00 | 1.00–1.00 | 1 | 5 | 7.00 | 4 |" in text
    assert "| … as a fresh `archive update` process | 7.00 s | missed |" in text
    assert "| 0.900 | 0.600 / 0.700 |" in text  # the engines compared
    assert "4x: 30 titles ≈ 0.1 min" in text  # (4 - 1) * 10 articles' titles at 10 texts/s


def test_replace_section_keeps_hand_written_notes() -> None:
    doc = f"# R\n\n## Speed and memory\n\nold table\n\n{rp.NOTES_MARKER}\n\nWhy it is slow.\n\n## Other\n\nx\n"
    out = rp.replace_section(doc, "new table")
    assert out == f"# R\n\n## Speed and memory\n\nnew table\n\n{rp.NOTES_MARKER}\n\nWhy it is slow.\n\n## Other\n\nx\n"
    assert rp.replace_section(out, "new table") == out
