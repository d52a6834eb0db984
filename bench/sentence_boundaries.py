"""Compare sentence splitters on the XQuAD-R gold sentence breaks and on news abbreviations.

    .venv/bin/python -m bench.sentence_boundaries

Boundary F1 counts the end offset of every sentence but the last of each paragraph
(trailing whitespace removed), against the gold `sentence_breaks`. The candidates are
our splitter inside lines with each of its two engines (blingfire, and pysbd where blingfire
cannot load: archive/sentences.py), syntok inside lines (the other candidate fallback), and
pysbd and syntok on whole paragraphs (syntok with `.[dev]`).
Each splitter runs once to warm up, then `REPEATS` times; the time is the median.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from archive.sentences import Splitter, blingfire_splitter, pysbd_splitter, split_sentences

XQUAD = Path(__file__).resolve().parents[2] / "shared" / "data" / "xquad-r" / "en.dev.json"
Split = Callable[[str], list[tuple[int, int]]]

NEWS_CASES = [
    ("The U.S. envoy met Gen. Smith at No. 5 Main St. on Tuesday. He left.", 2),
    ("As of 3:20 PM GMT, no statement had been issued. Talks resumed.", 2),
    ("Inflation rose 3.5 percent. Prices fell.", 2),
    ("“We agree,” he said. “It is done.”", 2),
    ('He said "Go now." She went.', 2),
    ("Dr. Jones arrived at 5 p.m. on Monday. He left.", 2),
]


def _pysbd() -> Split | None:
    try:
        import pysbd
    except ImportError:
        return None
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return lambda text: [(s.start, s.end) for s in segmenter.segment(text)]


def _syntok() -> Split | None:
    try:
        from syntok import segmenter
    except ImportError:
        return None

    def split(text: str) -> list[tuple[int, int]]:
        spans = []
        for paragraph in segmenter.analyze(text):
            for sentence in paragraph:
                tokens = list(sentence)
                spans.append((tokens[0].offset, tokens[-1].offset + len(tokens[-1].value)))
        return spans

    return split


def _syntok_starts() -> Callable[[], Splitter]:
    """syntok as a third engine inside lines, for the comparison only (a candidate fallback)."""

    def load() -> Splitter:
        from syntok import segmenter

        def starts(paragraph: str) -> list[int]:
            return [next(iter(s)).offset for p in segmenter.analyze(paragraph) for s in p]

        return Splitter("syntok-lines", "syntok", starts)

    return load


def boundaries(spans: list[tuple[int, int]], text: str) -> set[int]:
    return {len(text[:end].rstrip()) for _, end in spans[:-1]}


REPEATS = 5


def evaluate(split: Split, paragraphs: list[dict[str, object]]) -> dict[str, float]:
    tp = fp = fn = 0
    for paragraph in paragraphs:
        text = str(paragraph["context"])
        gold = boundaries([tuple(b) for b in paragraph["sentence_breaks"]], text)  # type: ignore[attr-defined]
        predicted = boundaries(split(text), text)
        tp += len(gold & predicted)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    news = sum(len(split(text)) == expected for text, expected in NEWS_CASES)
    return {
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall),
        "seconds": _median_seconds(split, [str(p["context"]) for p in paragraphs]),
        "news_cases": news,
    }


def _median_seconds(split: Split, texts: list[str]) -> float:
    """Median time to split every text, over REPEATS runs after the accuracy pass warmed up."""
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        for text in texts:
            split(text)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _inside_lines(load: Callable[[], Splitter]) -> Split | None:
    try:
        splitter = load()
    except (ImportError, OSError):
        return None
    return partial(split_sentences, splitter=splitter)


def main() -> None:
    data = json.loads(XQUAD.read_text(encoding="utf-8"))
    paragraphs = [p for article in data["data"] for p in article["paragraphs"]]
    candidates: dict[str, Split | None] = {
        "archive (blingfire inside lines)": _inside_lines(blingfire_splitter),
        "archive (pysbd inside lines: the fallback)": _inside_lines(pysbd_splitter),
        "syntok inside lines (not used)": _inside_lines(_syntok_starts()),
        "pysbd, whole paragraphs": _pysbd(),
        "syntok, whole paragraphs": _syntok(),
    }
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{len(paragraphs)} XQuAD-R paragraphs; {len(NEWS_CASES)} news abbreviation cases; load average {load}")
    print(f"time: median of {REPEATS} runs over every paragraph after one warm-up; ratio to the first row\n")
    print("| splitter | precision | recall | F1 | time (s) | time ratio | news cases |\n|---|---|---|---|---|---|---|")
    base = None
    for name, split in candidates.items():
        if split is None:
            print(f"| {name} | not installed | | | | | |")
            continue
        r = evaluate(split, paragraphs)
        base = base or r["seconds"]
        print(
            f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['seconds']:.3f} "
            f"| {r['seconds'] / base:.1f}x | {r['news_cases']:.0f}/{len(NEWS_CASES)} |"
        )


if __name__ == "__main__":
    main()
