"""Experiment: an answer-sentence selector (a cross-encoder) trained here, against today's sentence score.

    .venv/bin/python -m bench.experiments.answer_selector train --out OUT
    .venv/bin/python -m bench.experiments.answer_selector eval --checkpoint OUT/selector.pt \\
        --index OUT/index-xquad --cache OUT/candidates.json [--data OUT/data]

Done: written at 20f3f84 (branch `selector`, which also wired the selector into `ask` through an
int8 ONNX export, and added its logit to the answer's confidence); not merged. Figures in
bench/RESULTS.md ("An answer-sentence selector trained here").

`train`: all-MiniLM-L6-v2 (the bundled weights) with a linear head on its mean-pooled tokens,
reading "[CLS] question [SEP] candidate [SEP] previous sentence [SEP]", fine-tuned on the first
ten articles of SQuAD v2.0 train (bench/data/README.md: source and checksums; disjoint from
XQuAD-R, which comes from SQuAD's development set). One item is one question with a list of
candidates and a fixed "no answer" logit of 0, trained by softmax cross-entropy: an
answerable question over its paragraph's sentences (target: the one holding the answer), an
unanswerable one over its paragraph (target: no answer), and with probability
`--missing-share` an answerable one over another paragraph of its article (no answer).

`eval`: for each XQuAD-R dev question, the candidates `ask` scores (`Archive.evidence`, cached
once), then P@1 / MRR@10 of today's score, of the selector's logit alone over the best
`--top`, and of today's score + w x logit with w chosen by 2-fold cross-validation by article.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive import Archive, Settings
from archive.sentences import split_sentences
from bench import datasets
from bench.eval import DEFAULT_OUT, gold_span
from index.embedder import default_model_path
from index.onnx_encoder import TOKENIZER_FILE

SEED = 20261130
WEIGHTS = tuple(round(0.01 * i, 2) for i in range(0, 41))
DATA = Path(__file__).resolve().parents[1] / "data" / "squad-train-v2.0-first10.json.gz"
# Word-piece budgets of the three parts of a pair.
QUESTION_PIECES = 32
CANDIDATE_PIECES = 64
PREVIOUS_PIECES = 32


def load_tokenizer(model_dir: Path) -> Any:
    """The model folder's word-piece tokenizer with its padding and truncation off (`pair_ids` cuts each part)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / TOKENIZER_FILE))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def pair_ids(
    tokenizer: Any, question: str, candidates: Sequence[str], previous: Sequence[str]
) -> list[tuple[list[int], list[int]]]:
    """(input ids, token type ids) per candidate; `tokenizer` comes from `load_tokenizer`."""
    cls_id = tokenizer.token_to_id("[CLS]")
    sep_id = tokenizer.token_to_id("[SEP]")
    encoded = tokenizer.encode_batch([question, *candidates, *previous], add_special_tokens=False)
    question_ids = encoded[0].ids[:QUESTION_PIECES]
    count = len(candidates)
    pairs = []
    for i in range(count):
        candidate_ids = encoded[1 + i].ids[:CANDIDATE_PIECES]
        previous_ids = encoded[1 + count + i].ids[:PREVIOUS_PIECES]
        first = [cls_id, *question_ids, sep_id]
        second = [*candidate_ids, sep_id, *previous_ids, sep_id]
        pairs.append(([*first, *second], [0] * len(first) + [1] * len(second)))
    return pairs


@dataclass(frozen=True)
class Item:
    question: str
    candidates: tuple[str, ...]
    previous: tuple[str, ...]
    target: int  # index into candidates, or -1 for "no answer"
    article: str


def paragraph_sentences(context: str) -> list[tuple[int, int, str]]:
    return [(start, end, context[start:end]) for start, end in split_sentences(context)]


def load_items(path: Path, max_candidates: int, missing_share: float, rng: random.Random) -> list[Item]:
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        data = json.load(handle)["data"]
    items: list[Item] = []
    for article in data:
        paragraphs = [(p, paragraph_sentences(p["context"])) for p in article["paragraphs"]]
        for number, (paragraph, sentences) in enumerate(paragraphs):
            texts = [text for _, _, text in sentences]
            previous = ["", *texts[:-1]]
            for qa in paragraph["qas"]:
                question = qa["question"].strip()
                if qa.get("is_impossible"):
                    chosen = list(range(min(len(texts), max_candidates)))
                    items.append(_item(question, texts, previous, chosen, -1, article["title"]))
                    continue
                start = qa["answers"][0]["answer_start"]
                gold = next((i for i, (s, e, _) in enumerate(sentences) if s <= start < e), None)
                if gold is None:
                    continue
                others = [i for i in range(len(texts)) if i != gold]
                rng.shuffle(others)
                chosen = sorted([gold, *others[: max_candidates - 1]])
                items.append(_item(question, texts, previous, chosen, chosen.index(gold), article["title"]))
                if len(paragraphs) > 1 and rng.random() < missing_share:
                    other = rng.choice([i for i in range(len(paragraphs)) if i != number])
                    other_texts = [text for _, _, text in paragraphs[other][1]]
                    other_previous = ["", *other_texts[:-1]]
                    picked = sorted(rng.sample(range(len(other_texts)), min(len(other_texts), max_candidates)))
                    items.append(_item(question, other_texts, other_previous, picked, -1, article["title"]))
    return items


def _item(question: str, texts: list[str], previous: list[str], chosen: list[int], target: int, article: str) -> Item:
    return Item(question, tuple(texts[i] for i in chosen), tuple(previous[i] for i in chosen), target, article)


class Selector:  # built lazily so importing this module needs no torch
    @staticmethod
    def build(model_dir: Path) -> Any:
        import torch
        from transformers import AutoModel

        class Model(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.encoder = AutoModel.from_pretrained(str(model_dir))
                self.head = torch.nn.Linear(self.encoder.config.hidden_size, 1)

            def forward(self, ids: Any, mask: Any, types: Any) -> Any:
                hidden = self.encoder(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state
                weights = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
                return self.head(pooled).squeeze(-1)

        return Model()


def batch_tensors(pairs: list[tuple[list[int], list[int]]]) -> tuple[Any, Any, Any]:
    import torch

    width = max(len(ids) for ids, _ in pairs)
    ids = torch.zeros((len(pairs), width), dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for row, (piece_ids, type_ids) in enumerate(pairs):
        ids[row, : len(piece_ids)] = torch.tensor(piece_ids)
        types[row, : len(type_ids)] = torch.tensor(type_ids)
        mask[row, : len(piece_ids)] = 1
    return ids, mask, types


def train(args: argparse.Namespace) -> None:
    import torch

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    model_dir = default_model_path()
    tokenizer = load_tokenizer(model_dir)
    items = load_items(Path(args.data), args.max_candidates, args.missing_share, rng)
    held = {t for t in args.hold_out.split(",") if t}
    train_items = [i for i in items if i.article not in held]
    dev_items = [i for i in items if i.article in held]
    if args.limit:
        rng.shuffle(train_items)
        train_items = train_items[: args.limit]
    print(f"{len(train_items)} training items, {len(dev_items)} held out", flush=True)
    model = Selector.build(model_dir)
    if args.init:
        model.load_state_dict(torch.load(args.init))
    steps = args.epochs * ((len(train_items) + args.batch - 1) // args.batch)
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / max(1, steps // 10)) * max(0.0, 1 - step / steps)
    )
    step = 0
    began = time.monotonic()
    for epoch in range(args.epochs):
        rng.shuffle(train_items)
        model.train()
        for first in range(0, len(train_items), args.batch):
            batch = train_items[first : first + args.batch]
            loss = _batch_loss(model, tokenizer, batch)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 20 == 0:
                rate = step / (time.monotonic() - began)
                print(f"epoch {epoch} step {step}/{steps} loss {loss.item():.4f} ({rate:.2f} steps/s)", flush=True)
        if dev_items:
            print(f"epoch {epoch}: held out {evaluate(model, tokenizer, dev_items)}", flush=True)
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        torch.save(model.state_dict(), out / "selector.pt")
    print(f"trained in {time.monotonic() - began:.0f} s", flush=True)


def _batch_loss(model: Any, tokenizer: Any, batch: list[Item]) -> Any:
    import torch

    pairs: list[tuple[list[int], list[int]]] = []
    for item in batch:
        pairs.extend(pair_ids(tokenizer, item.question, item.candidates, item.previous))
    logits = model(*batch_tensors(pairs))
    losses = []
    offset = 0
    for item in batch:
        scores = torch.cat([torch.zeros(1), logits[offset : offset + len(item.candidates)]])
        offset += len(item.candidates)
        losses.append(torch.nn.functional.cross_entropy(scores.unsqueeze(0), torch.tensor([item.target + 1])))
    return torch.stack(losses).mean()


def evaluate(model: Any, tokenizer: Any, items: list[Item]) -> dict[str, float]:
    """Held-out: P@1 of answerable items, and how often each kind's best logit is above 0."""
    import torch

    model.eval()
    right = answerable = answered_missing = missing = 0
    with torch.no_grad():
        for item in items:
            logits = model(*batch_tensors(pair_ids(tokenizer, item.question, item.candidates, item.previous)))
            best = int(torch.argmax(logits))
            if item.target >= 0:
                answerable += 1
                right += best == item.target
            else:
                missing += 1
                answered_missing += float(logits[best]) > 0
    model.train()
    return {
        "p_at_1": round(right / max(1, answerable), 3),
        "unanswerable_above_0": round(answered_missing / max(1, missing), 3),
    }


def collect(index: Path, cache: Path, data: Path) -> list[dict[str, Any]]:
    if cache.exists():
        loaded: list[dict[str, Any]] = json.loads(cache.read_text(encoding="utf-8"))
        return loaded
    archive = Archive.open(index, settings=Settings(min_confidence=-1.0, answer_relative_cutoff=-1e9))
    archive.load_model()
    snapshot = archive._current()  # bench reaches in: previous sentences by row
    _, questions = datasets.xquad_corpus(data)
    rows: list[dict[str, Any]] = []
    for n, q in enumerate(questions):
        start, end = gold_span(archive, q)
        found = archive.evidence(q.question)
        candidates = []
        for s in found.sentences:
            entry = snapshot.entry(s.article_id)
            text = archive.article(s.article_id).text
            previous = ""
            if s.position > 0:
                a, b = snapshot.sentence_span(entry.sentence_row + s.position - 1)
                previous = text[a:b]
            gold = s.article_id == q.article_id and s.start <= start and end <= s.end
            candidates.append({"text": s.text, "previous": previous, "score": s.score, "gold": gold})
        rows.append({"question": q.question, "article": q.article_id, "candidates": candidates})
        if n % 100 == 0:
            print(f"  evidence {n}/{len(questions)}", flush=True)
    cache.write_text(json.dumps(rows), encoding="utf-8")
    return rows


def torch_scorer(checkpoint: Path) -> Any:
    import torch

    model = Selector.build(default_model_path())
    model.load_state_dict(torch.load(checkpoint))
    model.eval()
    tokenizer = load_tokenizer(default_model_path())

    def score(question: str, texts: Sequence[str], previous: Sequence[str]) -> list[float]:
        with torch.no_grad():
            return [float(v) for v in model(*batch_tensors(pair_ids(tokenizer, question, texts, previous)))]

    return score


def ranks(rows: Sequence[dict[str, Any]], weight: float | None) -> list[float]:
    """Reciprocal rank of the first gold candidate (0 past 10); weight None = the logit alone among the top."""
    out = []
    for row in rows:
        cands = row["candidates"]
        keyed = []
        for i, c in enumerate(cands):
            logit = c.get("logit")
            if logit is None:  # outside the selector's top: keeps today's order below every reranked one
                key = (1, -c["score"], i)
            elif weight is None:
                key = (0, -logit, i)
            else:
                key = (0, -(c["score"] + weight * logit), i)
            keyed.append((key, c["gold"]))
        keyed.sort()
        rank = next((r for r, (_, gold) in enumerate(keyed[:10], start=1) if gold), None)
        out.append(1.0 / rank if rank else 0.0)
    return out


def summary(values: Sequence[float]) -> str:
    return f"P@1 {sum(v == 1.0 for v in values) / len(values):.3f} MRR@10 {statistics.fmean(values):.3f}"


def evaluate_on_xquad(args: argparse.Namespace) -> None:
    rows = [r for r in collect(args.index, args.cache, args.data) if r["candidates"]]
    score = torch_scorer(args.checkpoint)
    for n, row in enumerate(rows):
        order = sorted(range(len(row["candidates"])), key=lambda i: -row["candidates"][i]["score"])[: args.top]
        picked = [row["candidates"][i] for i in order]
        logits = score(row["question"], [c["text"] for c in picked], [c["previous"] for c in picked])
        for c, logit in zip(picked, logits, strict=True):
            c["logit"] = logit
        if n % 200 == 0:
            print(f"  selector {n}/{len(rows)}", flush=True)
    plain = [{**r, "candidates": [{**c, "logit": None} for c in r["candidates"]]} for r in rows]
    print(f"today's score:           {summary(ranks(plain, 0.0))}")
    print(f"selector logit alone:    {summary(ranks(rows, None))}")
    for w in (0.02, 0.05, 0.1, 0.2):
        print(f"score + {w} x logit:     {summary(ranks(rows, w))}")
    articles = sorted({r["article"] for r in rows})
    folds = [{a for i, a in enumerate(articles) if i % 2 == f} for f in (0, 1)]
    held: list[float] = []
    for f in (0, 1):
        fit = [r for r in rows if r["article"] not in folds[f]]
        test = [r for r in rows if r["article"] in folds[f]]
        best = max(WEIGHTS, key=lambda w: (statistics.fmean(ranks(fit, w)), -w))
        print(f"fold {f}: weight {best} fitted on {len(fit)}, held out {summary(ranks(test, best))}")
        held.extend(ranks(test, best))
    print(f"2-fold held out:         {summary(held)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    train_parser = commands.add_parser("train")
    train_parser.add_argument("--data", default=str(DATA))
    train_parser.add_argument("--out", required=True)
    train_parser.add_argument("--epochs", type=int, default=1)
    train_parser.add_argument("--batch", type=int, default=8, help="questions per step")
    train_parser.add_argument("--lr", type=float, default=4e-5)
    train_parser.add_argument("--max-candidates", type=int, default=5)
    train_parser.add_argument("--missing-share", type=float, default=0.3)
    train_parser.add_argument("--hold-out", default="Solar_energy", help="article titles to hold out, comma-separated")
    train_parser.add_argument("--limit", type=int, default=4200, help="train on this many items at most (0: all)")
    train_parser.add_argument("--init", type=Path, help="start from this state dict instead of the bundled weights")
    eval_parser = commands.add_parser("eval")
    eval_parser.add_argument("--index", type=Path, required=True)
    eval_parser.add_argument("--cache", type=Path, required=True)
    eval_parser.add_argument("--data", type=Path, default=DEFAULT_OUT / "data")
    eval_parser.add_argument("--checkpoint", type=Path, required=True)
    eval_parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    if args.command == "train":
        train(args)
    else:
        evaluate_on_xquad(args)


if __name__ == "__main__":
    main()
