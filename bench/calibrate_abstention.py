"""Calibrate abstention on hard negatives (`bench.hard_negatives`): the curve, the fit, the threshold.

    .venv/bin/python -m bench.calibrate_abstention [--out bench/out] [--json FILE] [--fit]

Builds (or reuses) the XQuAD-R, XQuAD-R half-article and news archives in the output
folder and asks every question of `bench.hard_negatives` through the current answerer
(`Archive.ask`, every candidate ranked; `Archive.evidence` for the confidence features).
For the confidence `ask` reports now and for the old one (the best sentence's score), it
prints per set the rate of unanswerable questions answered and answerable P@1 (abstentions
counted wrong) at thresholds chosen by 2-fold cross-validation (fitted on one fold's
questions, measured on the other's) and at the threshold in the settings. `--fit` also
refits the logistic model of `archive/confidence.py` (on each fold for the cross-validated
figures, then on all questions for the constants printed to paste there).
Rerun it whenever the answerer's scoring changes.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import orjson

from archive import Archive, Settings
from archive import confidence as conf
from bench import datasets, hard_negatives
from bench.eval import DEFAULT_OUT, gold_span
from bench.hard_negatives import HardQuestion

# The answer axis may lose at most this much P@1 to abstention (issue 13).
MAX_P1_DROP = 0.02


@dataclass(frozen=True)
class Asked:
    """One question asked: whether the first citation answers it, and the candidate confidences."""

    set_name: str
    fold: int
    answerable: bool
    correct: bool
    score: float  # the best sentence's score: the confidence before calibration
    confidence: float  # what `ask` reports now
    features: tuple[float, ...]


def open_archive(out: Path, name: str, sources: Sequence[Path], settings: Settings) -> Archive:
    index_dir = out / f"index-{name}"
    if (index_dir / "CURRENT").exists():
        return Archive.open(index_dir, settings=settings)
    return Archive.build(list(sources), index_dir=index_dir, settings=settings)


def ask_all(out: Path, settings: Settings, limit: int | None = None) -> list[Asked]:
    """Every hard-negative question asked of its archive."""
    xquad_file, xquad_questions = datasets.xquad_corpus(out / "data")
    folds = hard_negatives.xquad_fold_corpora(out / "data")
    archives = {
        "xquad": open_archive(out, "xquad", [xquad_file], settings),
        "xquad-even": open_archive(out, "xquad-even", [folds["xquad-even"]], settings),
        "xquad-odd": open_archive(out, "xquad-odd", [folds["xquad-odd"]], settings),
        "news": open_archive(out, "news", hard_negatives.news_folders(), settings),
    }
    spans = {(q.question, q.article_id): gold_span(archives["xquad"], q) for q in xquad_questions}
    questions = hard_negatives.xquad_sets(xquad_questions[:limit] if limit else xquad_questions)
    questions = [
        replace(q, span=spans[(q.question, q.article_id)]) if q.set_name == "xquad" else q for q in questions
    ] + hard_negatives.news_sets()
    for archive in archives.values():
        archive.load_model()
    return [_ask(archives[q.archive], q) for q in questions]


def _ask(archive: Archive, question: HardQuestion) -> Asked:
    answer = archive.ask(question.question, k=10)
    found = archive.evidence(question.question)
    first = answer.citations[0] if answer.citations else None
    correct = first is not None and hard_negatives.holds_answer(
        question, first.article_id, first.start, first.end, first.sentence
    )
    best = max((s.score for s in found.sentences), default=0.0)
    return Asked(
        question.set_name,
        question.fold,
        question.answer is not None,
        correct,
        best,
        answer.confidence,
        found.confidence_features,
    )


# ----- the curve and the threshold -----


@dataclass(frozen=True)
class SetFigures:
    """One set at one threshold: unanswerable answered, or answerable P@1 (abstentions wrong)."""

    set_name: str
    answerable: bool
    questions: int
    rate: float  # P@1 for an answerable set, the share answered for an unanswerable one
    p1_without_abstention: float  # answerable sets only (0.0 for the others)


def figures(asked: Sequence[Asked], values: Sequence[float], threshold: float) -> list[SetFigures]:
    """Per set, in `hard_negatives.SETS` order, the figures at `threshold` on `values` (one per question)."""
    rows = []
    for name, answerable in hard_negatives.SETS.items():
        chosen = [(a, v) for a, v in zip(asked, values, strict=True) if a.set_name == name]
        if not chosen:
            continue
        if answerable:
            rate = sum(a.correct and v >= threshold for a, v in chosen) / len(chosen)
            plain = sum(a.correct for a, _ in chosen) / len(chosen)
        else:
            rate, plain = sum(v >= threshold for _, v in chosen) / len(chosen), 0.0
        rows.append(SetFigures(name, answerable, len(chosen), rate, plain))
    return rows


def p1_drop(asked: Sequence[Asked], values: Sequence[float], threshold: float) -> float:
    """P@1 lost to abstention over every answerable question together."""
    answerable = [(a, v) for a, v in zip(asked, values, strict=True) if a.answerable]
    return sum(a.correct and v < threshold for a, v in answerable) / len(answerable)


def choose_threshold(asked: Sequence[Asked], values: Sequence[float]) -> float:
    """The highest threshold that costs answerable questions at most `MAX_P1_DROP` of P@1.

    Pooled over the answerable sets: the hand-written news set is too small (66 questions)
    for a 0.02 step of its own.
    """
    candidates = sorted(set(values))
    best = candidates[0]
    for t in candidates:
        if p1_drop(asked, values, t) <= MAX_P1_DROP:
            best = t
        else:
            break
    return best


# ----- the logistic model -----


def _weights(asked: Sequence[Asked]) -> np.ndarray:
    """Each set weighs as much as any other, whatever its size."""
    counts: dict[str, int] = {}
    for a in asked:
        counts[a.set_name] = counts.get(a.set_name, 0) + 1
    return np.array([1.0 / counts[a.set_name] for a in asked])


def fit_logistic(asked: Sequence[Asked], steps: int = 50, ridge: float = 1e-3) -> tuple[float, tuple[float, ...]]:
    """Intercept and coefficients: a correct first sentence (1) against any other (0), by Newton's method."""
    x = np.array([a.features for a in asked], dtype=np.float64)
    y = np.array([a.correct for a in asked], dtype=np.float64)
    w = _weights(asked)
    design = np.hstack([np.ones((len(x), 1)), x])
    beta = np.zeros(design.shape[1])
    penalty = ridge * np.eye(design.shape[1])
    penalty[0, 0] = 0.0  # the intercept is not shrunk
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-design @ beta))
        gradient = design.T @ (w * (y - p)) - penalty @ beta
        hessian = (design * (w * p * (1 - p))[:, None]).T @ design + penalty
        beta = beta + np.linalg.solve(hessian, gradient)
    return float(beta[0]), tuple(float(b) for b in beta[1:])


def logistic(intercept: float, coefficients: Sequence[float], asked: Sequence[Asked]) -> list[float]:
    x = np.array([a.features for a in asked], dtype=np.float64)
    return [float(v) for v in 1.0 / (1.0 + np.exp(-(intercept + x @ np.array(coefficients))))]


# ----- cross-validation and the report -----


@dataclass
class Calibration:
    """Per set: the old confidence at 0.48, each confidence at thresholds chosen by 2-fold CV, and the settings."""

    before: list[SetFigures]  # the best sentence's score at the old threshold
    before_cv: list[SetFigures]  # the best sentence's score, threshold chosen per fold
    after_cv: list[SetFigures]  # the fitted (or current) confidence, threshold chosen per fold
    fold_thresholds: list[float]
    threshold: float  # chosen on every question
    at_settings: list[SetFigures]  # `ask`'s confidence at `Settings.min_confidence`
    min_confidence: float
    model: dict[str, float]  # intercept and coefficients fitted on every question ({} without --fit)
    curve: list[dict[str, float]]


OLD_THRESHOLD = 0.48  # main's min_confidence before this calibration, on the best sentence's score


def cross_validate(asked: Sequence[Asked], score: bool, fit: bool) -> tuple[list[float], list[float]]:
    """Each question's value minus the threshold chosen on the other fold, and the two thresholds."""
    shifted = [0.0] * len(asked)
    thresholds = []
    for held in (0, 1):
        train = [a for a in asked if a.fold != held]
        test = [i for i, a in enumerate(asked) if a.fold == held]
        if score:
            train_values, test_values = [a.score for a in train], [asked[i].score for i in test]
        elif fit:
            intercept, coefficients = fit_logistic(train)
            train_values = logistic(intercept, coefficients, train)
            test_values = logistic(intercept, coefficients, [asked[i] for i in test])
        else:
            train_values, test_values = [a.confidence for a in train], [asked[i].confidence for i in test]
        threshold = choose_threshold(train, train_values)
        thresholds.append(threshold)
        for i, value in zip(test, test_values, strict=True):
            shifted[i] = value - threshold
    return shifted, thresholds


def calibrate(asked: Sequence[Asked], min_confidence: float, fit: bool) -> Calibration:
    scores = [a.score for a in asked]
    before_cv, _ = cross_validate(asked, score=True, fit=False)
    after_cv, thresholds = cross_validate(asked, score=False, fit=fit)
    model: dict[str, float] = {}
    values = [a.confidence for a in asked]
    if fit:
        intercept, coefficients = fit_logistic(asked)
        model = {"intercept": intercept, **dict(zip(conf.FEATURES, coefficients, strict=True))}
        values = logistic(intercept, coefficients, asked)
    curve = [
        {"threshold": t / 100, **{f.set_name: f.rate for f in figures(asked, values, t / 100)}}
        for t in range(0, 101, 5)
    ]
    return Calibration(
        before=figures(asked, scores, OLD_THRESHOLD),
        before_cv=figures(asked, before_cv, 0.0),
        after_cv=figures(asked, after_cv, 0.0),
        fold_thresholds=thresholds,
        threshold=choose_threshold(asked, values),
        at_settings=figures(asked, [a.confidence for a in asked], min_confidence),
        min_confidence=min_confidence,
        model=model,
        curve=curve,
    )


def print_calibration(c: Calibration) -> None:
    print("\n## Abstention on hard negatives (bench.hard_negatives)\n")
    print("Unanswerable sets: share answered; answerable sets: P@1 with abstentions counted wrong (P@1 without).\n")
    print(
        f"| set | questions | old score >= {OLD_THRESHOLD} | old score, 2-fold threshold | "
        "confidence, 2-fold threshold | confidence >= min_confidence |"
    )
    print("|---|---|---|---|---|---|")
    for old, old_cv, new_cv, now in zip(c.before, c.before_cv, c.after_cv, c.at_settings, strict=True):
        plain = f" ({old.p1_without_abstention:.3f})" if old.answerable else ""
        print(
            f"| {old.set_name} | {old.questions} | {old.rate:.3f}{plain} | {old_cv.rate:.3f} | "
            f"{new_cv.rate:.3f} | {now.rate:.3f} |"
        )
    print(
        f"\n2-fold thresholds {c.fold_thresholds[0]:.3f} / {c.fold_thresholds[1]:.3f}; on every question "
        f"{c.threshold:.3f}; min_confidence now {c.min_confidence:.3f}."
    )
    if c.model:
        print("Fitted on every question (paste into archive/confidence.py):")
        print(f"INTERCEPT = {c.model['intercept']:.3f}")
        print(f"COEFFICIENTS = ({', '.join(f'{c.model[name]:.3f}' for name in conf.FEATURES)})")
    names = list(hard_negatives.SETS)
    print(f"\n| threshold | {' | '.join(names)} |\n|---|{'---|' * len(names)}")
    for row in c.curve[::2]:
        print(f"| {row['threshold']:.2f} | {' | '.join(f'{row.get(n, 0.0):.3f}' for n in names)} |")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--fit", action="store_true", help="refit the logistic model of archive/confidence.py")
    parser.add_argument("--limit", type=int, default=None, help="only the first N XQuAD-R questions")
    args = parser.parse_args(argv)
    base = Settings.from_env(embedding_cache=str(args.out / "embeddings.sqlite"))
    # Every candidate ranked: abstention is decided here, from the reported confidence.
    ranking = replace(base, min_confidence=-1.0, answer_relative_cutoff=-1e9)
    asked = ask_all(args.out, ranking, args.limit)
    calibration = calibrate(asked, base.min_confidence, args.fit)
    print_calibration(calibration)
    if args.json:
        args.json.write_bytes(orjson.dumps(asdict(calibration), option=orjson.OPT_INDENT_2))


if __name__ == "__main__":
    main()
