"""XQuAD-R cited sentences with distractors: its articles mixed into SciFact abstracts and news pages.

    .venv/bin/python -m bench.xquad_mixed [--out bench/out] [--scifact N] [--modes hybrid]

Alone, the 32 XQuAD-R articles compete only with each other; in a real archive the right
article's sentences also compete with other articles that share the question's words. This
builds one index (through `Archive.build`, like any user folder) from the XQuAD-R JSONL, the
first N SciFact abstracts (default 2,000) and, with `--news`, the 120 saved news pages of
`html-news/` (not in the shared embedding cache, so slow on two cores), then
asks the same 826 questions as `bench.eval`: cited-sentence P@1, MRR@10 and `ask` timings.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from archive import Archive, Settings
from archive.models import SearchMode
from bench import datasets
from bench.eval import DEFAULT_OUT, gold_span, timing

DEFAULT_SCIFACT = 2000


@dataclass(frozen=True)
class MixedResult:
    """Cited-sentence figures for one retrieval mode over the mixed archive."""

    mode: str
    p_at_1: float
    mrr_at_10: float
    questions: int
    p50_ms: float
    p95_ms: float


def mixed_roots(folder: Path, scifact: int, news: bool) -> list[Path]:
    """The files and folders the mixed archive is built from: XQuAD-R, SciFact's first `scifact`, html-news."""
    xquad_file, _ = datasets.xquad_corpus(folder)
    roots = [xquad_file, *([datasets.HTML_NEWS / "pages"] if news else [])]
    if scifact:
        # Its own folder: `scifact_corpus` names the file by replicas, not by limit.
        roots.append(datasets.scifact_corpus(folder / f"scifact-{scifact}", limit=scifact))
    return roots


def open_mixed(out: Path, scifact: int, news: bool, settings: Settings) -> Archive:
    """The mixed archive in `out/index-xquad-mixed-<scifact>[-news]`, built on first use."""
    index_dir = out / f"index-xquad-mixed-{scifact}{'-news' if news else ''}"
    if (index_dir / "CURRENT").exists():
        return Archive.open(index_dir, settings=settings)
    started = time.perf_counter()
    archive = Archive.build(mixed_roots(out / "data", scifact, news), index_dir=index_dir, settings=settings)
    report = archive.last_report
    assert report is not None
    print(
        f"built {index_dir.name}: {report.articles} articles, {report.passages} passages, "
        f"{report.failed and len(report.failed)} unread, {time.perf_counter() - started:.1f} s"
    )
    return archive


def gold_rank(archive: Archive, q: datasets.SentenceQuestion, span: tuple[int, int], mode: SearchMode) -> int | None:
    """Rank (1-based) of the first citation covering the gold answer, None when none does."""
    start, end = span
    answer = archive.ask(q.question, k=10, mode=mode)
    return next(
        (
            r
            for r, c in enumerate(answer.citations, start=1)
            if c.article_id == q.article_id and c.start <= start and end <= c.end
        ),
        None,
    )


def evaluate(archive: Archive, questions: Sequence[datasets.SentenceQuestion], mode: SearchMode) -> MixedResult:
    gold = [gold_span(archive, q) for q in questions]
    archive.load_model()
    for q, span in zip(questions[:5], gold, strict=False):  # warm-up
        gold_rank(archive, q, span, mode)
    reciprocal, seconds = [], []
    for q, span in zip(questions, gold, strict=True):
        began = time.perf_counter()
        rank = gold_rank(archive, q, span, mode)
        seconds.append(time.perf_counter() - began)
        reciprocal.append(1.0 / rank if rank else 0.0)
    times = timing(seconds)
    return MixedResult(
        mode,
        sum(r == 1.0 for r in reciprocal) / len(reciprocal),
        statistics.fmean(reciprocal),
        len(reciprocal),
        times["p50_ms"],
        times["p95_ms"],
    )


def run(out: Path, scifact: int, news: bool, modes: Sequence[SearchMode], settings: Settings) -> list[MixedResult]:
    # Ranking metrics need the whole ranked list: no abstention, no relative cut.
    ranking = replace(settings, min_confidence=-1.0, answer_relative_cutoff=-1e9)
    _, questions = datasets.xquad_corpus(out / "data")
    archive = open_mixed(out, scifact, news, ranking)
    return [evaluate(archive, questions, mode) for mode in modes]


def print_results(results: Sequence[MixedResult], scifact: int, news: bool) -> None:
    others = f"{scifact} SciFact abstracts" + (" and 120 news pages" if news else "")
    print(f"\n## XQuAD-R cited sentences among {others} (ask, k=10)\n")
    print("| retrieval mode | P@1 | MRR@10 | p50 ms | p95 ms |\n|---|---|---|---|---|")
    for r in results:
        print(f"| {r.mode} | {r.p_at_1:.3f} | {r.mrr_at_10:.3f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} |")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--scifact", type=int, default=DEFAULT_SCIFACT)
    parser.add_argument("--news", action="store_true", help="add the 120 html-news pages (embedded afresh: slow)")
    parser.add_argument("--modes", default="hybrid", help="comma-separated: hybrid,bm25,dense")
    args = parser.parse_args(argv)
    modes: list[SearchMode] = [m for m in ("hybrid", "bm25", "dense") if m in args.modes.split(",")]
    settings = Settings.from_env(embedding_cache=str(args.out / "embeddings.sqlite"))
    print_results(run(args.out, args.scifact, args.news, modes, settings), args.scifact, args.news)


if __name__ == "__main__":
    main()
