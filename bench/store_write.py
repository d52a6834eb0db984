"""Writing the Whoosh store: its text fields with word positions (before) against without (now).

    .venv/bin/python -m bench.store_write [--articles 400] [--repeats 5]

The first N SciFact abstracts cut into passage-sized pieces (~550 characters, each under its
title, as a build adds them), added to a new store and committed through `index.store.StoreWriter`.
The two schemas differ only in `phrase` on the title and text fields. Interleaved, a warm-up
round, medians of the add and commit seconds, and the store's size on disk.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import orjson
from whoosh import index as whoosh_index
from whoosh.fields import TEXT

from bench import datasets
from index import store

PIECE_CHARS = 550


def passages(articles: int) -> list[store.PassageDoc]:
    docs: list[store.PassageDoc] = []
    for line in (datasets.SCIFACT / "corpus.jsonl").read_bytes().splitlines()[:articles]:
        record = orjson.loads(line)
        body = str(record["text"])
        for number, start in enumerate(range(0, len(body), PIECE_CHARS)):
            piece = body[start : start + PIECE_CHARS]
            docs.append(store.PassageDoc(str(record["_id"]), number, str(record["title"]), piece, "SciFact", None))
    return docs


def _create(path: Path, positions: bool) -> None:
    schema = store.make_schema()
    for name in ("title", "text"):
        field = schema[name]
        assert isinstance(field, TEXT)
        boost = field.format.field_boost
        schema.remove(name)
        schema.add(name, TEXT(analyzer=store._analyzer(), field_boost=boost, phrase=positions))
    path.mkdir(parents=True)
    whoosh_index.create_in(str(path), schema, indexname=store.INDEX_NAME)


def write_once(folder: Path, docs: Sequence[store.PassageDoc], positions: bool) -> tuple[float, float, int]:
    """Seconds to add and to commit, and the store's bytes."""
    shutil.rmtree(folder, ignore_errors=True)
    _create(folder, positions)
    writer = store.StoreWriter(folder)
    started = time.perf_counter()
    writer.add(docs)
    added = time.perf_counter()
    writer.commit()
    committed = time.perf_counter()
    size = sum(f.stat().st_size for f in folder.iterdir())
    return added - started, committed - added, size


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    docs = passages(args.articles)
    results: dict[bool, list[tuple[float, float, int]]] = {True: [], False: []}
    with tempfile.TemporaryDirectory() as scratch:
        for rep in range(args.repeats + 1):
            for positions in (True, False):
                measured = write_once(Path(scratch) / "store", docs, positions)
                if rep:  # round 0 warms up
                    results[positions].append(measured)
    print(f"{len(docs)} passages of {args.articles} SciFact abstracts, medians of {args.repeats}")
    print("| store | add s | commit s | total s | MB on disk | total / with positions |")
    print("|---|---|---|---|---|---|")
    base = statistics.median(a + c for a, c, _ in results[True])
    for positions, label in ((True, "with positions (before)"), (False, "no positions (now)")):
        rows = results[positions]
        add = statistics.median(r[0] for r in rows)
        commit = statistics.median(r[1] for r in rows)
        total = statistics.median(r[0] + r[1] for r in rows)
        size = statistics.median(r[2] for r in rows) / 1e6
        print(f"| {label} | {add:.3f} | {commit:.3f} | {total:.3f} | {size:.2f} | {total / base:.2f} |")


if __name__ == "__main__":
    main()
