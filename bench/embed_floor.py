"""Experiment: how far can the embedding floor of a build go down on a small CPU?

    nice -n 10 .venv/bin/python -m bench.embed_floor [--sample 2000] [--repeats 3] [--quality int8,onnx-int8]

Variants, all all-MiniLM-L6-v2 with texts sorted by length and fed in chunks of 256 as the
build's `_Encoder` does:

- `fp32` — `index.embedder.Embedder()` as configured (torch fp32, batch 64, torch's thread default);
- `bs16`/`bs32`/`bs128` — the same with another batch size;
- `t1` — fp32, batch 64, `torch.set_num_threads(1)` (every other torch variant runs with 2);
- `int8` — torch dynamic int8 quantisation of the transformer's Linear layers
  (`torch.ao.quantization.quantize_dynamic`), through the same `Embedder.encode`;
  `int8-pc` the same with per-channel weight scales;
- `onnx` / `onnx-int8` — the transformer exported to ONNX (fp32, and the fp32 graph
  dynamically quantised by `onnxruntime.quantization`), run by onnxruntime with mean pooling.
  Only when onnxruntime is importable; the export also needs the `onnx` package (it can sit
  outside the venv on PYTHONPATH).

Throughput: a fixed sample of passage-like texts ("title\\n" + 3-4 sentences) and single
sentences from bench/out/speed/data-x1, in the build's passage/sentence proportion; one
warm-up pass per variant, then `--repeats` rounds in which every variant runs once
(interleaved, so machine load hits all alike). Quality: SciFact dense article nDCG@10 with
every passage of bench/out/index-scifact-x1 re-embedded by the variant, against the fp32
vectors stored in the index, plus the mean cosine between variant and fp32 vectors.
Writes bench/out/embed_floor.json.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from archive import Archive, Settings
from archive.building import EMBED_CHUNK, embedding_text
from archive.sentences import split_sentences
from bench import datasets
from bench.eval import ndcg_at_10
from index.embedder import Embedder

Matrix = npt.NDArray[np.float32]
Encode = Callable[[Sequence[str]], Matrix]

OUT = Path(__file__).resolve().parent / "out"
CORPUS = OUT / "speed" / "data-x1" / "scifact-x1.jsonl"
INDEX = OUT / "index-scifact-x1"
PASSAGE_SHARE = 21855 / (21855 + 44547)  # passages / (passages + sentences) in the SciFact x1 build
ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


@dataclass
class Variant:
    name: str
    description: str
    encode: Encode
    threads: int
    load_seconds: float
    extra: dict[str, float] = field(default_factory=dict)
    times: list[float] = field(default_factory=list)


def sample_texts(size: int, seed: int = 7) -> list[str]:
    """Passage-like texts and sentences drawn from the SciFact JSONL, fixed by `seed`."""
    rng = random.Random(seed)
    records = [json.loads(line) for line in CORPUS.open(encoding="utf-8")]
    passages: list[str] = []
    sentences: list[str] = []
    for record in records:
        text = record["text"]
        spans = split_sentences(text)
        if not spans:
            continue
        sentences.extend(text[s:e] for s, e in spans)
        count = min(len(spans), rng.choice((3, 4)))
        first = rng.randrange(len(spans) - count + 1)
        body = text[spans[first][0] : spans[first + count - 1][1]]
        passages.append(embedding_text(record["title"], body))
    n_passages = round(size * PASSAGE_SHARE)
    picked = rng.sample(passages, n_passages) + rng.sample(sentences, size - n_passages)
    rng.shuffle(picked)
    return picked


def build_order(encode: Encode, texts: Sequence[str], dimension: int = 384) -> Matrix:
    """Encode as `archive.building._Encoder` does: sort by length once, then chunks of EMBED_CHUNK."""
    result: Matrix = np.empty((len(texts), dimension), dtype=np.float32)
    order = np.argsort([len(t) for t in texts], kind="stable")
    for start in range(0, len(texts), EMBED_CHUNK):
        rows = order[start : start + EMBED_CHUNK]
        result[rows] = encode([texts[i] for i in rows])
    return result


def set_threads(n: int) -> None:
    import torch

    torch.set_num_threads(n)


def torch_variant(
    name: str, description: str, batch_size: int, threads: int, int8: bool, per_channel: bool = False
) -> Variant:
    set_threads(2)
    started = time.perf_counter()
    embedder = Embedder(batch_size=batch_size)
    embedder.load()
    loaded = time.perf_counter()
    extra: dict[str, float] = {}
    if int8:
        import torch

        model = embedder._model
        quantize: Any = torch.ao.quantization.quantize_dynamic
        # in place: `auto_model` is a read-only property over `model` in sentence-transformers 6
        spec: Any = {torch.nn.Linear}
        if per_channel:
            spec = {torch.nn.Linear: torch.ao.quantization.per_channel_dynamic_qconfig}
        quantize(model[0].auto_model, spec, dtype=torch.qint8, inplace=True)
        extra["quantize_s"] = time.perf_counter() - loaded
    return Variant(name, description, embedder.encode, threads, time.perf_counter() - started, extra)


def export_onnx(folder: Path) -> tuple[Path, float]:
    """The transformer of the bundled model as an ONNX graph (dynamic batch and length)."""
    import torch

    embedder = Embedder()
    embedder.load()
    started = time.perf_counter()
    model = embedder._model
    bert = model[0].auto_model.eval()

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    example = model.tokenizer(["an example", "a somewhat longer example sentence"], padding=True, return_tensors="pt")
    path = folder / "minilm.onnx"
    axes = {name: {0: "batch", 1: "tokens"} for name in (*ONNX_INPUTS, "last_hidden_state")}
    torch.onnx.export(
        Hidden().eval(),
        tuple(example[name] for name in ONNX_INPUTS),
        str(path),
        input_names=list(ONNX_INPUTS),
        output_names=["last_hidden_state"],
        dynamic_axes=axes,
        opset_version=17,
        dynamo=False,
    )
    return path, time.perf_counter() - started


def onnx_variant(name: str, description: str, path: Path, batch_size: int, threads: int) -> Variant:
    ort = importlib.import_module("onnxruntime")
    started = time.perf_counter()
    embedder = Embedder()
    embedder.load()  # only for its tokenizer and max_seq_length, as a real ONNX Embedder would
    tokenizer = embedder._model.tokenizer
    max_length = int(embedder._model.max_seq_length)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def encode(texts: Sequence[str]) -> Matrix:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        result: Matrix = np.empty((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            tokens = tokenizer(
                [texts[i] for i in rows], padding=True, truncation=True, max_length=max_length, return_tensors="np"
            )
            feed = {k: np.asarray(tokens[k], dtype=np.int64) for k in ONNX_INPUTS}
            hidden = session.run(None, feed)[0]
            mask = feed["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            result[np.asarray(rows)] = pooled
        return result

    return Variant(name, description, encode, threads, time.perf_counter() - started)


def quantize_onnx(path: Path) -> tuple[Path, float]:
    quantization = importlib.import_module("onnxruntime.quantization")
    started = time.perf_counter()
    target = path.with_name("minilm-int8.onnx")
    # per-channel weights: per-tensor QInt8 costs MiniLM about 0.05 of cosine, per-channel about 0.007
    quantization.quantize_dynamic(str(path), str(target), per_channel=True, weight_type=quantization.QuantType.QInt8)
    return target, time.perf_counter() - started


def time_pass(variant: Variant, texts: Sequence[str]) -> float:
    set_threads(variant.threads)
    started = time.perf_counter()
    build_order(variant.encode, texts)
    return time.perf_counter() - started


@dataclass
class QualityData:
    passages: list[str]
    passage_article: npt.NDArray[np.int64]
    article_ids: list[str]
    stored: Matrix
    queries: list[datasets.RetrievalQuery]


def quality_data(n_queries: int, n_articles: int, seed: int = 11) -> QualityData:
    """SciFact passages and queries; with limits, a seeded subset of queries and a corpus of
    their relevant articles plus random others (all passages of the index when n_articles is 0)."""
    archive = Archive.open(INDEX, settings=Settings.from_env(embedding_cache="off"))
    snap = archive._current()
    rng = random.Random(seed)
    queries = datasets.scifact_queries()
    if n_queries and n_queries < len(queries):
        queries = rng.sample(queries, n_queries)
    entries = list(snap.entries)
    if n_articles:
        wanted = {a for q in queries for a in q.relevant if a in snap.by_id}
        others = [e.article_id for e in entries if e.article_id not in wanted]
        wanted.update(rng.sample(others, max(0, n_articles - len(wanted))))
        entries = [e for e in entries if e.article_id in wanted]
    passages: list[str] = []
    owners: list[int] = []
    rows: list[int] = []
    for number, entry in enumerate(entries):
        text = snap.article(entry.article_id).text
        for row in range(entry.passage_row, entry.passage_row + entry.passage_count):
            _, _, start, end = (int(x) for x in snap.passage_spans[row])
            passages.append(embedding_text(entry.title, text[start:end]))
            owners.append(number)
            rows.append(row)
    stored = np.array(snap.passage_vectors[np.asarray(rows)], dtype=np.float32)
    article_ids = [e.article_id for e in entries]
    return QualityData(passages, np.asarray(owners), article_ids, stored, queries)


def dense_ndcg(data: QualityData, passage_vectors: Matrix, query_vectors: Matrix, depth: int = 200) -> float:
    scores = query_vectors @ passage_vectors.T
    depth = min(depth, scores.shape[1] - 1)
    values = []
    for i, query in enumerate(data.queries):
        top = np.argpartition(-scores[i], depth)[:depth]
        top = top[np.argsort(-scores[i][top], kind="stable")]
        ranking: list[str] = []
        seen: set[int] = set()
        for row in top:
            owner = int(data.passage_article[row])
            if owner not in seen:
                seen.add(owner)
                ranking.append(data.article_ids[owner])
        values.append(ndcg_at_10(ranking, query.relevant))
    return float(np.mean(values))


def mean_cosine(a: Matrix, b: Matrix) -> tuple[float, float]:
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return float(cos.mean()), float(cos.min())


def summarise(variants: Sequence[Variant], size: int, rows: dict[str, dict[str, Any]]) -> None:
    """texts/s medians, and ratios to the first variant (fp32): of medians, and per round."""
    base = variants[0]
    for variant in variants:
        rates = [size / t for t in variant.times]
        rows[variant.name].update(
            texts_per_s=rates,
            texts_per_s_median=statistics.median(rates),
            ratio_to_fp32=statistics.median(rates) / statistics.median(size / t for t in base.times),
            paired_ratio_median=statistics.median(b / t for b, t in zip(base.times, variant.times, strict=True)),
        )


def load_times(workdir: Path, repeats: int) -> dict[str, float]:
    """Median seconds to get a ready encoder, each kind loaded `repeats` times in turn (files cached)."""
    kinds: dict[str, Callable[[], object]] = {
        "fp32": lambda: torch_variant("fp32", "", 64, 2, False),
        "int8": lambda: torch_variant("int8", "", 64, 2, True),
    }
    for name, file in (("onnx", "minilm.onnx"), ("onnx-int8", "minilm-int8.onnx")):
        if (workdir / file).exists():
            kinds[name] = functools.partial(onnx_variant, "", "", workdir / file, 64, 2)
    seconds: dict[str, list[float]] = {name: [] for name in kinds}
    for _ in range(repeats):
        for name, load in kinds.items():
            started = time.perf_counter()
            load()
            seconds[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in seconds.items() if values}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quality", default="int8,onnx-int8,onnx", help="variants to re-embed SciFact with")
    parser.add_argument("--quality-queries", type=int, default=0, help="0: every SciFact train query")
    parser.add_argument("--quality-articles", type=int, default=0, help="0: the whole index")
    parser.add_argument("--load-repeats", type=int, default=3)
    parser.add_argument("--skip", default="", help="variants to leave out of the throughput rounds")
    parser.add_argument("--out", type=Path, default=OUT / "embed_floor.json")
    args = parser.parse_args(argv)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    report: dict[str, Any] = {"sample": args.sample, "repeats": args.repeats, "cpus": os.cpu_count()}

    def save() -> None:
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    importlib.import_module("sentence_transformers")  # imports out of the load timings
    texts = sample_texts(args.sample)
    report["sample_chars_mean"] = statistics.mean(len(t) for t in texts)
    skip = {s for s in args.skip.split(",") if s}
    variants = [
        torch_variant("fp32", "Embedder() as configured: torch fp32, batch 64, 2 threads", 64, 2, False),
        torch_variant("bs16", "fp32, batch 16", 16, 2, False),
        torch_variant("bs32", "fp32, batch 32", 32, 2, False),
        torch_variant("bs128", "fp32, batch 128", 128, 2, False),
        torch_variant("t1", "fp32, batch 64, torch.set_num_threads(1)", 64, 1, False),
        torch_variant("int8", "torch quantize_dynamic(Linear, qint8), batch 64, 2 threads", 64, 2, True),
        torch_variant("int8-pc", "int8 with per_channel_dynamic_qconfig, batch 64, 2 threads", 64, 2, True, True),
        torch_variant("int8-pc-t1", "int8-pc with torch.set_num_threads(1)", 64, 1, True, True),
    ]
    workdir = Path(tempfile.mkdtemp(prefix="embed_floor-"))
    try:
        importlib.import_module("onnxruntime")
        onnx_path, export_s = export_onnx(workdir)
        onnx = onnx_variant("onnx", "onnxruntime fp32 graph, batch 64, 2 intra-op threads", onnx_path, 64, 2)
        onnx.extra["export_s"] = export_s
        int8_path, quantize_s = quantize_onnx(onnx_path)
        onnx8 = onnx_variant("onnx-int8", "onnxruntime int8 per-channel graph, batch 64, 2 threads", int8_path, 64, 2)
        onnx8.extra.update(export_s=export_s, quantize_s=quantize_s)
        variants += [onnx, onnx8]
    except Exception as exc:  # no onnxruntime, or no onnx package to export with
        report["onnx_skipped"] = repr(exc)
    variants = [v for v in variants if v.name not in skip]
    by_name = {v.name: v for v in variants}
    rows: dict[str, dict[str, Any]] = {
        v.name: {"description": v.description, "load_s_first": v.load_seconds, **v.extra} for v in variants
    }
    report["variants"] = rows
    for name, seconds in load_times(workdir, args.load_repeats).items():
        rows.setdefault(name, {})["load_s"] = seconds

    wanted = [name for name in args.quality.split(",") if name in by_name]
    if wanted:
        data = quality_data(args.quality_queries, args.quality_articles)
        set_threads(2)
        query_texts = [q.text for q in data.queries]
        fp32_queries = Embedder().encode(query_texts)
        report["quality"] = {
            "queries": len(data.queries),
            "articles": len(data.article_ids),
            "passages": len(data.passages),
            "fp32_dense_ndcg10": dense_ndcg(data, data.stored, fp32_queries),
        }
        save()
        for name in wanted:
            variant = by_name[name]
            set_threads(variant.threads)
            started = time.perf_counter()
            passage_vectors = build_order(variant.encode, data.passages)
            seconds = time.perf_counter() - started
            query_vectors = variant.encode(query_texts)
            cos_mean, cos_min = mean_cosine(passage_vectors, data.stored)
            q_mean, _ = mean_cosine(query_vectors, fp32_queries)
            rows[name].update(
                dense_ndcg10=dense_ndcg(data, passage_vectors, query_vectors),
                dense_ndcg10_fp32_passages=dense_ndcg(data, data.stored, query_vectors),
                passage_cos_mean=cos_mean,
                passage_cos_min=cos_min,
                query_cos_mean=q_mean,
                passages_embed_s=seconds,
            )
            print(f"quality {name}: {rows[name]}", flush=True)
            save()

    reference: Matrix | None = None
    for variant in variants:  # warm-up, and every variant's vectors of the sample for agreement
        set_threads(variant.threads)
        vectors = build_order(variant.encode, texts)
        if reference is None:
            reference = vectors
        rows[variant.name]["sample_cos_mean"], rows[variant.name]["sample_cos_min"] = mean_cosine(vectors, reference)
    save()
    for round_number in range(args.repeats):
        sequence = variants if round_number % 2 == 0 else variants[::-1]
        for variant in sequence:
            variant.times.append(time_pass(variant, texts))
            print(f"round {round_number + 1} {variant.name}: {len(texts) / variant.times[-1]:.1f} texts/s", flush=True)
        summarise(variants, len(texts), rows)
        save()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
