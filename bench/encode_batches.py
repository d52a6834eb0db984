"""Bulk embedding throughput by batch size and by how batches share the cores, both backends.

    .venv/bin/python -m bench.encode_batches [--texts 320] [--repeats 3]

The texts are passage-sized: each SciFact abstract's title, then ~550 characters of its text,
for as many abstracts as it takes (as builds fed them before schema 4, which embeds the title
apart; the comparison between configurations does not depend on it). Configurations run interleaved
(one round of each, `--repeats` rounds, after a warm-up round); medians, with the ratio to the
previous default (ONNX, 64 texts a batch, one session spreading each batch over the cores):
- onnx wide: one session with an intra-op thread per core, batches one after another;
- onnx side by side: the build's way from 128 texts on, one batch per core at a time, each
  on one thread of a second session (`OnnxEncoder._each_batch`);
- torch: sentence-transformers, one thread per core (its default batch is 32).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence

import orjson

from bench import datasets
from index.embedder import Embedder

PIECE_CHARS = 550


def passage_texts(count: int) -> list[str]:
    """`count` passage-sized texts: a SciFact title, a newline, then a piece of its abstract."""
    texts: list[str] = []
    for line in (datasets.SCIFACT / "corpus.jsonl").read_bytes().splitlines():
        record = orjson.loads(line)
        body = str(record["text"])
        for start in range(0, len(body), PIECE_CHARS):
            texts.append(f"{record['title']}\n{body[start : start + PIECE_CHARS]}")
        if len(texts) >= count:
            break
    return texts[:count]


def configurations() -> dict[str, Callable[[Sequence[str]], object]]:
    def onnx(batch: int, side_by_side: bool) -> Callable[[Sequence[str]], object]:
        embedder = Embedder(batch_size=batch)
        encoder = embedder._load()  # the OnnxEncoder, to choose its path
        encoder.bulk_texts = encoder.bulk_texts if side_by_side else sys.maxsize
        return embedder.encode

    def torch(batch: int) -> Callable[[Sequence[str]], object]:
        embedder = Embedder(backend="torch", batch_size=batch)
        embedder.load()
        return embedder.encode

    return {
        "onnx wide, 64 a batch (before)": onnx(64, False),
        "onnx wide, 8 a batch": onnx(8, False),
        "onnx side by side, 8 a batch": onnx(8, True),
        "onnx side by side, 4 a batch (now)": onnx(4, True),
        "onnx side by side, 2 a batch": onnx(2, True),
        "torch, 64 a batch": torch(64),
        "torch, 32 a batch": torch(32),
        "torch, 8 a batch": torch(8),
        "torch, 4 a batch": torch(4),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=320)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    texts = passage_texts(args.texts)
    runs = configurations()
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for round_number in range(args.repeats + 1):
        for name, encode in runs.items():
            started = time.perf_counter()
            encode(texts)
            if round_number:  # round 0 warms every configuration up
                seconds[name].append(time.perf_counter() - started)
    base = statistics.median(seconds["onnx wide, 64 a batch (before)"])
    print(f"\n{len(texts)} passage-sized SciFact texts, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}\n")
    print(f"| configuration | seconds (median of {args.repeats}) | / onnx wide 64 |")
    print("|---|---|---|")
    for name, values in seconds.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.2f} | {median / base:.2f} |")


if __name__ == "__main__":
    main()
