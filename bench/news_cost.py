"""What the news-aware steps (claims, values, dates, reprints, outlet turns) add to `ask`, as a ratio.

    .venv/bin/python -m bench.news_cost [--out bench/out] [--questions 200]

Asks the same XQuAD-R questions of the XQuAD-R index (built by `bench.eval`) with the news
steps on and with them replaced by pass-throughs, interleaved, after a warm-up; prints
medians and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive import Archive, Settings, claims, readings, selection
from bench import datasets
from bench.eval import DEFAULT_OUT


@contextmanager
def plain_answers() -> Iterator[None]:
    """Swap the news steps for pass-throughs (citations kept in score order, one claim each)."""
    saved = (selection.collapse_reprints, selection.diversify, readings.read_all, claims.mentioned_dates)
    selection.collapse_reprints = lambda choices: (list(choices), {})
    selection.diversify = lambda choices, per_outlet: list(choices)
    readings.read_all = lambda sentences, ask, titles=None: {i: readings.Reading(()) for i in sentences}
    claims.mentioned_dates = lambda sentence: ()
    try:
        yield
    finally:
        selection.collapse_reprints, selection.diversify, readings.read_all, claims.mentioned_dates = saved


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    _, questions = datasets.xquad_corpus(args.out / "data")
    texts = [q.question for q in questions[: args.questions]]
    archive = Archive.open(args.out / "index-xquad", settings=Settings.from_env())
    archive.load_model()
    for text in texts[:20]:
        archive.ask(text)
    news, plain = [], []
    for text in texts:
        started = time.perf_counter()
        archive.ask(text)
        news.append(time.perf_counter() - started)
        with plain_answers():
            started = time.perf_counter()
            archive.ask(text)
            plain.append(time.perf_counter() - started)
    n, p = statistics.median(news), statistics.median(plain)
    print(
        f"{len(texts)} questions: ask p50 with news steps {1000 * n:.1f} ms, without {1000 * p:.1f} ms, "
        f"ratio {n / p:.3f} (+{1000 * (n - p):.1f} ms)"
    )


if __name__ == "__main__":
    main()
