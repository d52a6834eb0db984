"""Precision and recall of claim relations (same / conflicting / unrelated) on labelled sentence pairs.

    .venv/bin/python -m bench.claims_eval

Pairs: hand-labelled pairs from the seed articles (bench/data/claim_pairs.jsonl), and
pairs made from XQuAD-R sentences that hold a number: the sentence against a reworded
copy (same claim), against a copy with the number changed (conflicting), and against a
sentence of another article (unrelated).
"""

from __future__ import annotations

import json
import random
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np

from archive.claims import relation
from archive.language import distinct_terms
from bench import datasets
from index.embedder import Embedder

PAIRS = Path(__file__).resolve().parent / "data" / "claim_pairs.jsonl"
LABELS = ("same", "conflicting", "unrelated")
_NUMBER = re.compile(r"\b\d{1,3}(?:,\d{3})*\b|\b\d+\b")


def planted_pairs(count: int, seed: int = 7) -> list[dict[str, str]]:
    data = json.loads(datasets.XQUAD.read_text(encoding="utf-8"))
    by_article = [[s for p in a["paragraphs"] for s in p["sentences"]] for a in data["data"]]
    rng = random.Random(seed)
    with_numbers = [(i, s) for i, sents in enumerate(by_article) for s in sents if _NUMBER.search(s) and len(s) > 60]
    rng.shuffle(with_numbers)
    pairs = []
    for article, sentence in with_numbers[:count]:
        match = _NUMBER.search(sentence)
        assert match is not None
        number = int(match.group(0).replace(",", ""))
        changed = sentence[: match.start()] + f"{number + rng.randint(2, 9):,}" + sentence[match.end() :]
        reworded = "According to reports, " + sentence[0].lower() + sentence[1:]
        other = rng.choice([s for i, sents in enumerate(by_article) if i != article for s in sents])
        pairs += [
            {"a": sentence, "b": reworded, "label": "same"},
            {"a": sentence, "b": changed, "label": "conflicting"},
            {"a": sentence, "b": other, "label": "unrelated"},
        ]
    return pairs


def score(pairs: list[dict[str, str]], embedder: Embedder) -> tuple[dict[str, dict[str, float]], float]:
    texts = sorted({p["a"] for p in pairs} | {p["b"] for p in pairs})
    vectors = dict(zip(texts, embedder.encode(texts), strict=True))
    started = time.perf_counter()
    predicted = [
        relation(p["a"], p["b"], float(np.dot(vectors[p["a"]], vectors[p["b"]])), distinct_terms) for p in pairs
    ]
    per_pair_ms = 1000 * (time.perf_counter() - started) / len(pairs)
    gold = [p["label"] for p in pairs]
    table = {}
    for label in LABELS:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        table[label] = {
            "precision": tp / (tp + fp) if tp + fp else 0.0,
            "recall": tp / (tp + fn) if tp + fn else 0.0,
            "support": float(Counter(gold)[label]),
        }
    return table, per_pair_ms


def main() -> None:
    embedder = Embedder()
    sets = {
        "seeds (hand-labelled)": [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()],
        "XQuAD-R (planted)": planted_pairs(60),
    }
    print("| pairs | relation | precision | recall | support |\n|---|---|---|---|---|")
    for name, pairs in sets.items():
        table, per_pair_ms = score(pairs, embedder)
        for label, row in table.items():
            print(f"| {name} | {label} | {row['precision']:.2f} | {row['recall']:.2f} | {row['support']:.0f} |")
        print(f"| {name} | (cost per pair, embeddings given) | {per_pair_ms:.2f} ms | | |")


if __name__ == "__main__":
    main()
