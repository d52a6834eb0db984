"""Compare sentence splitters on the XQuAD-R gold sentence breaks and on news abbreviations.

    .venv/bin/python -m bench.sentence_boundaries

Boundary F1 counts the end offset of every sentence but the last of each paragraph
(trailing whitespace removed), against the gold `sentence_breaks`. The candidates are
our splitter (blingfire inside lines) and, when installed (`.[dev]`), pysbd and syntok.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from archive.sentences import split_sentences

XQUAD = Path(__file__).resolve().parents[2] / "shared" / "data" / "xquad-r" / "en.dev.json"
Splitter = Callable[[str], list[tuple[int, int]]]

NEWS_CASES = [
    ("The U.S. envoy met Gen. Smith at No. 5 Main St. on Tuesday. He left.", 2),
    ("As of 3:20 PM GMT, no statement had been issued. Talks resumed.", 2),
    ("Inflation rose 3.5 percent. Prices fell.", 2),
    ("“We agree,” he said. “It is done.”", 2),
    ('He said "Go now." She went.', 2),
    ("Dr. Jones arrived at 5 p.m. on Monday. He left.", 2),
]


def _pysbd() -> Splitter | None:
    try:
        import pysbd
    except ImportError:
        return None
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return lambda text: [(s.start, s.end) for s in segmenter.segment(text)]


def _syntok() -> Splitter | None:
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


def boundaries(spans: list[tuple[int, int]], text: str) -> set[int]:
    return {len(text[:end].rstrip()) for _, end in spans[:-1]}


def evaluate(split: Splitter, paragraphs: list[dict[str, object]]) -> dict[str, float]:
    tp = fp = fn = 0
    started = time.perf_counter()
    for paragraph in paragraphs:
        text = str(paragraph["context"])
        gold = boundaries([tuple(b) for b in paragraph["sentence_breaks"]], text)  # type: ignore[attr-defined,misc]
        predicted = boundaries(split(text), text)
        tp += len(gold & predicted)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
    seconds = time.perf_counter() - started
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    news = sum(len(split(text)) == expected for text, expected in NEWS_CASES)
    return {
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall),
        "seconds": seconds,
        "news_cases": news,
    }


def main() -> None:
    data = json.loads(XQUAD.read_text(encoding="utf-8"))
    paragraphs = [p for article in data["data"] for p in article["paragraphs"]]
    candidates: dict[str, Splitter | None] = {
        "archive (blingfire)": split_sentences,
        "pysbd": _pysbd(),
        "syntok": _syntok(),
    }
    print(f"{len(paragraphs)} XQuAD-R paragraphs; {len(NEWS_CASES)} news abbreviation cases\n")
    print("| splitter | precision | recall | F1 | time (s) | news cases |\n|---|---|---|---|---|---|")
    for name, split in candidates.items():
        if split is None:
            print(f"| {name} | not installed | | | | |")
            continue
        r = evaluate(split, paragraphs)
        print(
            f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['seconds']:.2f} "
            f"| {r['news_cases']:.0f}/{len(NEWS_CASES)} |"
        )


if __name__ == "__main__":
    main()
