"""Retrieval and answer quality on SciFact and XQuAD-R, through the public API.

    .venv/bin/python -m bench.eval [--out bench/out] [--limit-queries N] [--json FILE] [--skip-mixed]

Builds (or reuses) an index per dataset in the output folder, runs every query per mode,
and prints a Markdown table: SciFact nDCG@10 and Recall@100 (article level), XQuAD-R
cited-sentence P@1 and MRR@10, the abstention curve (XQuAD-R questions asked of the
SciFact archive, which lacks their articles), abstention on hard negatives
(`bench.calibrate_abstention`: the topic is in the archive, the answer is not), query
timings, XQuAD-R again with its articles among 2,000 SciFact abstracts
(bench/xquad_mixed.py), and false "Sources disagree" on counting questions with planted
conflicts found (`bench.conflict_eval`).
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import orjson

from archive import Archive, Settings
from archive.models import SEARCH_MODES, SearchMode
from bench import conflict_eval, datasets

DEFAULT_OUT = Path(__file__).resolve().parent / "out"


@dataclass
class Report:
    scifact: dict[str, dict[str, float]] = field(default_factory=dict)
    xquad: dict[str, dict[str, float]] = field(default_factory=dict)
    abstention: list[dict[str, float]] = field(default_factory=list)
    threshold: dict[str, float] = field(default_factory=dict)
    hard_negatives: dict[str, object] = field(default_factory=dict)  # a `calibrate_abstention.Calibration`
    builds: dict[str, dict[str, float]] = field(default_factory=dict)
    xquad_mixed: dict[str, dict[str, float | str]] = field(default_factory=dict)


def ndcg_at_10(ranking: Sequence[str], relevant: frozenset[str]) -> float:
    gains = sum(1.0 / math.log2(rank + 2) for rank, item in enumerate(ranking[:10]) if item in relevant)
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(len(relevant), 10)))
    return gains / ideal if ideal else 0.0


def recall_at_100(ranking: Sequence[str], relevant: frozenset[str]) -> float:
    return len(relevant.intersection(ranking[:100])) / len(relevant) if relevant else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timing(seconds: list[float]) -> dict[str, float]:
    return {"p50_ms": 1000 * statistics.median(seconds), "p95_ms": 1000 * percentile(seconds, 0.95)}


def open_or_build(folder: Path, corpus: Path, settings: Settings, report: Report, name: str) -> Archive:
    index_dir = folder / f"index-{name}"
    if (index_dir / "CURRENT").exists():
        return Archive.open(index_dir, settings=settings)
    started = time.perf_counter()
    archive = Archive.build([corpus], index_dir=index_dir, settings=settings)
    built = archive.last_report
    assert built is not None
    report.builds[name] = {
        "seconds": time.perf_counter() - started,
        "articles": built.articles,
        "passages": built.passages,
        "failed": len(built.failed),
    }
    return archive


def article_ranking(archive: Archive, text: str, mode: SearchMode) -> list[str]:
    ranking: list[str] = []
    for hit in archive.search(text, k=200, mode=mode):
        if hit.article_id not in ranking:
            ranking.append(hit.article_id)
    return ranking


def eval_scifact(archive: Archive, limit: int | None, report: Report) -> None:
    queries = datasets.scifact_queries()[:limit] if limit else datasets.scifact_queries()
    archive.load_model()
    for mode in SEARCH_MODES:
        article_ranking(archive, queries[0].text, mode)  # warm-up
        ndcg, recall, seconds = [], [], []
        for query in queries:
            started = time.perf_counter()
            ranking = article_ranking(archive, query.text, mode)
            seconds.append(time.perf_counter() - started)
            ndcg.append(ndcg_at_10(ranking, query.relevant))
            recall.append(recall_at_100(ranking, query.relevant))
        report.scifact[mode] = {
            "ndcg@10": statistics.fmean(ndcg),
            "recall@100": statistics.fmean(recall),
            "queries": len(queries),
            **timing(seconds),
        }


def gold_span(archive: Archive, q: datasets.SentenceQuestion) -> tuple[int, int]:
    text = archive.article(q.article_id).text
    line_start = 0
    for _ in range(q.paragraph):
        line_start = text.index("\n", line_start) + 1
    start = line_start + q.answer_start
    assert text[start : start + len(q.answer)] == q.answer, (q.question, q.answer)
    return start, start + len(q.answer)


def eval_xquad(archive: Archive, questions: list[datasets.SentenceQuestion], report: Report) -> list[float]:
    """P@1 and MRR@10 of the ranked cited sentences, per retrieval mode; returns hybrid confidences."""
    gold = [gold_span(archive, q) for q in questions]
    confidences: list[float] = []
    for mode in SEARCH_MODES:
        reciprocal, seconds = [], []
        for q, (start, end) in zip(questions, gold, strict=True):
            began = time.perf_counter()
            answer = archive.ask(q.question, k=10, mode=mode)
            seconds.append(time.perf_counter() - began)
            rank = next(
                (
                    r
                    for r, c in enumerate(answer.citations, start=1)
                    if c.article_id == q.article_id and c.start <= start and end <= c.end
                ),
                None,
            )
            reciprocal.append(1.0 / rank if rank else 0.0)
            if mode == "hybrid":
                confidences.append(answer.confidence if rank == 1 else -answer.confidence - 10)
        report.xquad[mode] = {
            "P@1": sum(r == 1.0 for r in reciprocal) / len(reciprocal),
            "MRR@10": statistics.fmean(reciprocal),
            "questions": len(reciprocal),
            **timing(seconds),
        }
    return confidences


def eval_abstention(
    scifact: Archive, questions: list[datasets.SentenceQuestion], answerable: list[float], report: Report
) -> None:
    """Confidence of XQuAD-R questions against SciFact (no answer there) vs. their own archive."""
    unanswerable = [scifact.ask(q.question, k=10).confidence for q in questions]
    correct = [c for c in answerable if c > -5]
    for step in range(0, 81, 2):
        t = step / 100
        report.abstention.append(
            {
                "threshold": t,
                "wrong_answer_rate": sum(c >= t for c in unanswerable) / len(unanswerable),
                "P@1": sum(c >= t for c in correct) / len(answerable),
            }
        )
    ok = [row for row in report.abstention if row["wrong_answer_rate"] <= 0.10]
    if ok:
        best = max(ok, key=lambda row: row["P@1"])
        report.threshold = dict(best)


def print_report(report: Report) -> None:
    print("\n## SciFact (article level)\n\n| mode | nDCG@10 | Recall@100 | p50 ms | p95 ms |\n|---|---|---|---|---|")
    for mode, r in report.scifact.items():
        print(f"| {mode} | {r['ndcg@10']:.3f} | {r['recall@100']:.3f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} |")
    print("\n## XQuAD-R cited sentences (ask, k=10)\n\n| retrieval mode | P@1 | MRR@10 | p50 ms | p95 ms |")
    print("|---|---|---|---|---|")
    for mode, r in report.xquad.items():
        print(f"| {mode} | {r['P@1']:.3f} | {r['MRR@10']:.3f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} |")
    if report.abstention:
        print("\n## Abstention (XQuAD-R questions asked of the SciFact archive)\n")
        print("| threshold | wrong answers (unanswerable) | P@1 with abstention (answerable) |\n|---|---|---|")
        for row in report.abstention[::3]:
            print(f"| {row['threshold']:.2f} | {row['wrong_answer_rate']:.3f} | {row['P@1']:.3f} |")
        if report.threshold:
            t = report.threshold
            print(
                f"\nChosen threshold {t['threshold']:.2f}: wrong answers {t['wrong_answer_rate']:.3f}, "
                f"P@1 {t['P@1']:.3f}"
            )
    for name, build in report.builds.items():
        print(
            f"\nbuilt {name}: {build['articles']:.0f} articles, {build['passages']:.0f} passages, "
            f"{build['seconds']:.1f} s"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--limit-queries", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--skip-scifact", action="store_true")
    parser.add_argument("--skip-conflicts", action="store_true")
    parser.add_argument("--skip-hard-negatives", action="store_true")
    parser.add_argument("--skip-mixed", action="store_true", help="skip XQuAD-R among SciFact (bench/xquad_mixed.py)")
    args = parser.parse_args(argv)
    out: Path = args.out
    base = Settings.from_env(embedding_cache=str(out / "embeddings.sqlite"))
    # Ranking metrics need the whole ranked list: no abstention, no relative cut.
    ranking = replace(base, min_confidence=-1.0, answer_relative_cutoff=-1e9)
    report = Report()
    xquad_file, questions = datasets.xquad_corpus(out / "data")
    xquad = open_or_build(out, xquad_file, ranking, report, "xquad")
    answerable = eval_xquad(xquad, questions, report)
    from bench import xquad_mixed  # here: it reuses this module's helpers

    mixed = [] if args.skip_mixed else xquad_mixed.run(out, xquad_mixed.DEFAULT_SCIFACT, False, ["hybrid"], base)
    report.xquad_mixed = {r.mode: asdict(r) for r in mixed}
    if not args.skip_scifact:
        scifact_file = datasets.scifact_corpus(out / "data")
        scifact = open_or_build(out, scifact_file, ranking, report, "scifact-x1")
        eval_scifact(scifact, args.limit_queries, report)
        eval_abstention(scifact, questions, answerable, report)
    print_report(report)
    if not args.skip_hard_negatives:
        from bench import calibrate_abstention  # it imports this module's helpers

        asked = calibrate_abstention.ask_all(out, ranking, args.limit_queries)
        calibration = calibrate_abstention.calibrate(asked, base.min_confidence, fit=False)
        calibrate_abstention.print_calibration(calibration)
        report.hard_negatives = asdict(calibration)
    if not args.skip_conflicts:
        cache = out / "embeddings.sqlite"
        conflict_eval.print_report(
            conflict_eval.evaluate(out / "conflicts", cache if cache.exists() else conflict_eval.SHARED_CACHE, True)
        )
    if mixed:
        xquad_mixed.print_results(mixed, xquad_mixed.DEFAULT_SCIFACT, False)
    if args.json:
        args.json.write_bytes(orjson.dumps(asdict(report), option=orjson.OPT_INDENT_2))


if __name__ == "__main__":
    main()
