"""Build time with late chunking against the two-encode design and against embedding the text once with torch.

    .venv/bin/python -m bench.late_build_time [--out bench/out] [--articles 60] [--repeats 2]

Cache off, the first N SciFact abstracts. Three measurements, interleaved, medians:
- build: `Archive.build` as it is now (one forward pass per passage; sentence vectors pooled from it);
- two encodes: the model time the previous design spent on the same build's texts (every passage,
  then every sentence alone), plus this build's time outside the model;
- torch once: sentence-transformers (torch backend) embedding the same articles' text once, cut
  into ~300-character pieces at word boundaries (the issue's yardstick: target build <= 0.8x it), at the
  default batch size, torch's fastest in bench.encode_batches.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from archive import Archive, Settings
from bench import datasets
from bench.build_timing import recording_embedder
from bench.eval import DEFAULT_OUT
from index.embedder import Embedder

PIECE_CHARS = 300


def pieces(text: str, size: int = PIECE_CHARS) -> list[str]:
    """`text` cut at word boundaries into pieces of about `size` characters."""
    out, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > size:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return [*out, current] if current else out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    corpus = datasets.scifact_corpus(args.out / f"data-first{args.articles}", limit=args.articles)
    settings = Settings.from_env(embedding_cache="off")
    embedder = recording_embedder(settings)
    embedder.load()
    torch = Embedder(backend="torch")
    torch.load()
    import orjson

    texts = [str(orjson.loads(line)["text"]) for line in corpus.read_bytes().splitlines() if line.strip()]
    cut = [p for text in texts for p in pieces(text)]
    torch.encode(cut[:16])  # warm-up
    builds, old, once = [], [], []
    for rep in range(args.repeats):
        index_dir = args.out / "late-build" / f"rep{rep}"
        shutil.rmtree(index_dir, ignore_errors=True)
        embedder.texts, embedder.encode_seconds, embedder.recording = {}, 0.0, True
        started = time.perf_counter()
        archive = Archive.build([corpus.parent], index_dir=index_dir, settings=settings, embedder=embedder)
        build_seconds = time.perf_counter() - started
        embedder.recording = False
        report = archive.last_report
        archive.close()
        shutil.rmtree(index_dir, ignore_errors=True)
        assert report is not None
        passage_texts = [t for stage in embedder.texts.values() for t in stage]
        sentences = _sentences(corpus, report.sentences)
        began = time.perf_counter()
        embedder.encode(passage_texts)
        embedder.encode(sentences)
        two_encodes = time.perf_counter() - began + (build_seconds - embedder.encode_seconds)
        began = time.perf_counter()
        torch.encode(cut)
        once_seconds = time.perf_counter() - began
        builds.append(build_seconds)
        old.append(two_encodes)
        once.append(once_seconds)
        print(
            f"rep {rep}: build {build_seconds:.1f} s (model {embedder.encode_seconds:.1f} s, "
            f"{len(passage_texts)} passages), two encodes {two_encodes:.1f} s ({len(sentences)} sentences), "
            f"torch once {once_seconds:.1f} s ({len(cut)} pieces)",
            flush=True,
        )
    b, o, t = (statistics.median(v) for v in (builds, old, once))
    print(f"\n| what | seconds (median of {args.repeats}) | / torch once |\n|---|---|---|")
    print(f"| build, late chunking (one pass per passage) | {b:.1f} | {b / t:.2f} |")
    print(f"| build, two encodes (passages, then sentences alone) | {o:.1f} | {o / t:.2f} |")
    print(f"| torch, the text once in ~{PIECE_CHARS}-char pieces | {t:.1f} | 1.00 |")


def _sentences(corpus: Path, expected: int) -> list[str]:
    """The build's sentences, split as the build splits them (archive/sentences.py)."""
    import orjson

    from archive.sentences import split_sentences

    out: list[str] = []
    for line in corpus.read_bytes().splitlines():
        if line.strip():
            text = str(orjson.loads(line)["text"])
            out.extend(text[s:e] for s, e in split_sentences(text))
    assert len(out) == expected, (len(out), expected)
    return out


if __name__ == "__main__":
    main()
