"""False "Sources disagree" on counting questions with one true answer, and planted conflicts found.

    .venv/bin/python -m bench.conflict_eval [--out bench/out/conflicts] [--cache FILE] [--skip-overall]

The archive: the 120 html-news pages (real news, read from their saved HTML by the archive's
own reader) and the 32 XQuAD-R dev articles, in one index. Questions with one true answer:
- news: `bench/data/news_counting.jsonl`, counting questions written by hand from the pages
  (page id, question, the answer as the page writes it, fold by page);
- XQuAD-R: its dev questions that ask for a number (`answer_types.asks_for_number`) and whose gold
  answer holds a figure (fold by article number).
Measured with the real answerer (`Archive.ask`, default settings): the share of answered
questions flagged "Sources disagree" (target <= 3%), the same share over all 826 XQuAD-R
dev questions, and planted conflicts: for each question whose answer cites the answering
sentence, a copy of that article from a second outlet ("Planted Wire") with the answer's
figure changed in that sentence (x1.5, or two more for a number word; one copy per article
holds the changes of all its questions) is added to a second index; the question asked
there must be flagged (recall, target >= 0.9).
Folds: rules are designed on fold A; both folds are reported.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from archive import Archive, Settings
from archive.answer_types import asks_for_number
from archive.models import Answer
from bench import datasets

QUESTIONS = Path(__file__).resolve().parent / "data" / "news_counting.jsonl"
DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "conflicts"
SHARED_CACHE = Path("/work/benchout-new/embeddings.sqlite")
PLANTED_SOURCE = "Planted Wire"
# Number words a planted change rewrites (kept here so the bench runs on older code too).
_WORDS = [
    *("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen"),
]
_VALUE_OF = {word: value for value, word in enumerate(_WORDS, start=1)} | {"twenty": 20, "thirty": 30, "forty": 40}
_WORD_OF = {value: word for word, value in _VALUE_OF.items()}
_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?|\b(?:" + "|".join(_VALUE_OF) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Question:
    question: str
    article_id: str
    answer: str  # as the article writes it
    fold: str  # "A" or "B"
    kind: str  # "news" or "xquad"


@dataclass
class Outcome:
    question: Question
    answered: bool
    flagged: bool
    found: str = ""  # the cited sentence holding the answer, "" when none does
    planted_flagged: bool | None = None  # None: not planted (answer not cited)
    planted_cited: bool = False


@dataclass
class Report:
    rows: list[dict[str, object]] = field(default_factory=list)
    overall: dict[str, float] = field(default_factory=dict)
    flagged: list[dict[str, object]] = field(default_factory=list)


def news_questions() -> list[Question]:
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Question(r["question"], r["page"], r["answer"], r["fold"], "news") for r in rows]


def xquad_counting(questions: Sequence[datasets.SentenceQuestion]) -> list[Question]:
    return [
        Question(q.question, q.article_id, q.answer, "A" if int(q.article_id[-2:]) % 2 == 0 else "B", "xquad")
        for q in questions
        if asks_for_number(q.question) and _FIGURE.search(q.answer)
    ]


def planted_figure(answer: str) -> str:
    """The answer with its first figure changed enough that no rounding reconciles it."""
    match = _FIGURE.search(answer)
    assert match is not None, answer
    written = match.group(0)
    if written[0].isdigit():
        value = float(written.replace(",", ""))
        decimals = len(written.split(".")[1]) if "." in written else 0
        changed = value * 1.5 if value >= 4 else value + 3
        text = f"{changed:,.{decimals}f}" if "," in written else f"{changed:.{decimals}f}"
    else:
        value = _VALUE_OF[written.casefold()]
        word = _WORD_OF.get(value + 2, str(round(value * 1.5)))  # "thirty" becomes "45"
        text = word.capitalize() if written[0].isupper() else word
    return answer[: match.start()] + text + answer[match.end() :]


def found_sentence(answer: Answer, q: Question) -> str:
    for citation in answer.citations:
        if citation.article_id == q.article_id and q.answer in citation.sentence:
            return citation.sentence
    return ""


def write_corpus(out: Path) -> tuple[list[Path], list[Question], list[datasets.SentenceQuestion]]:
    news = out / "news"
    if not any(news.glob("*.html")):
        news.mkdir(parents=True, exist_ok=True)
        pages = sorted((datasets.HTML_NEWS / "pages").glob("*.html"))
        assert pages, f"no pages under {datasets.HTML_NEWS}"
        for page in pages:
            shutil.copyfile(page, news / page.name)
    xquad_file, xquad_questions = datasets.xquad_corpus(out / "data")
    return [news, xquad_file], news_questions() + xquad_counting(xquad_questions), xquad_questions


def build(folders: Sequence[Path], index_dir: Path, settings: Settings) -> Archive:
    if (index_dir / "CURRENT").exists():
        return Archive.open(index_dir, settings=settings)
    return Archive.build(list(folders), index_dir=index_dir, settings=settings)


def plant(archive: Archive, outcomes: Sequence[Outcome], folder: Path) -> None:
    """One planted copy per answering article, with every cited answer's figure changed in it.

    One copy per article (not one per question) keeps the copies of an article from being
    each other's second outlet: a question's copy differs from its original in its own
    sentence (and in the other questions' sentences of that article).
    """
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    changes: dict[str, dict[str, str]] = {}
    for outcome in outcomes:
        if outcome.found:
            q = outcome.question
            sentence = changes.setdefault(q.article_id, {}).get(outcome.found, outcome.found)
            changes[q.article_id][outcome.found] = sentence.replace(q.answer, planted_figure(q.answer), 1)
    for number, (article_id, changed) in enumerate(sorted(changes.items())):
        article = archive.article(article_id)
        text = article.text
        for original, planted in changed.items():
            text = text.replace(original, planted, 1)
        (folder / f"planted-{number:03d}.txt").write_text(
            f"---\ntitle: {article.title or article_id} (wire copy)\nsource: {PLANTED_SOURCE}\n---\n{text}\n",
            encoding="utf-8",
        )


def evaluate(out: Path, cache: Path, overall: bool) -> Report:
    out.mkdir(parents=True, exist_ok=True)
    own_cache = out / "embeddings.sqlite"
    if not own_cache.exists() and cache.exists():
        shutil.copyfile(cache, own_cache)  # never write to the shared cache
    settings = Settings.from_env(embedding_cache=str(own_cache))
    folders, questions, xquad_all = write_corpus(out)
    base = build(folders, out / "index-base", settings)
    outcomes = []
    for q in questions:
        answer = base.ask(q.question)
        outcomes.append(Outcome(q, answer.answered, answer.conflict, found_sentence(answer, q)))
    planted_dir = out / "planted"
    plant(base, outcomes, planted_dir)
    shutil.rmtree(out / "index-planted", ignore_errors=True)
    planted = build([*folders, planted_dir], out / "index-planted", settings)
    for outcome in outcomes:
        if outcome.found:
            answer = planted.ask(outcome.question.question)
            outcome.planted_flagged = answer.conflict
            outcome.planted_cited = any(c.source == PLANTED_SOURCE for c in answer.citations)
    report = Report()
    for kind in ("news", "xquad"):
        for fold in ("A", "B", "all"):
            chosen = [o for o in outcomes if o.question.kind == kind and fold in ("all", o.question.fold)]
            report.rows.append({"set": kind, "fold": fold, **summary(chosen)})
    report.flagged = [
        {"question": o.question.question, "set": o.question.kind, "fold": o.question.fold}
        for o in outcomes
        if o.answered and o.flagged
    ]
    if overall:
        flags = [base.ask(q.question) for q in xquad_all]
        answered = [a for a in flags if a.answered]
        report.overall = {
            "questions": len(flags),
            "answered": len(answered),
            "flagged": sum(a.conflict for a in answered),
            "rate": sum(a.conflict for a in answered) / max(1, len(answered)),
        }
    return report


def summary(outcomes: Sequence[Outcome]) -> dict[str, float]:
    answered = [o for o in outcomes if o.answered]
    planted = [o for o in outcomes if o.planted_flagged is not None]
    return {
        "questions": len(outcomes),
        "answered": len(answered),
        "answer cited": sum(bool(o.found) for o in outcomes),
        "flagged": sum(o.flagged for o in answered),
        "false flag rate": sum(o.flagged for o in answered) / max(1, len(answered)),
        "planted": len(planted),
        "planted cited": sum(o.planted_cited for o in planted),
        "planted flagged": sum(bool(o.planted_flagged) for o in planted),
        "planted recall": statistics.fmean([bool(o.planted_flagged) for o in planted]) if planted else 0.0,
    }


def print_report(report: Report) -> None:
    print("\n## Conflicts on counting questions with one true answer (html-news + XQuAD-R archive)\n")
    print(
        "| set | fold | questions | answered | answer cited | flagged | false flag rate | planted | "
        "planted cited | planted flagged | planted recall |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in report.rows:
        print(
            f"| {r['set']} | {r['fold']} | {r['questions']} | {r['answered']} | {r['answer cited']} | "
            f"{r['flagged']} | {float(str(r['false flag rate'])):.3f} | {r['planted']} | {r['planted cited']} | "
            f"{r['planted flagged']} | {float(str(r['planted recall'])):.3f} |"
        )
    if report.overall:
        o = report.overall
        print(
            f"\nXQuAD-R dev, all {o['questions']:.0f} questions: {o['answered']:.0f} answered, "
            f"{o['flagged']:.0f} flagged ({o['rate']:.3f})"
        )
    for row in report.flagged:
        print(f"- flagged ({row['set']}, fold {row['fold']}): {row['question']}")


def fingerprint() -> str:
    return hashlib.sha256(QUESTIONS.read_bytes()).hexdigest()[:12]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--cache", type=Path, default=SHARED_CACHE, help="embedding cache to start from (copied)")
    parser.add_argument("--skip-overall", action="store_true", help="skip the 826 XQuAD-R questions")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    report = evaluate(args.out, args.cache, not args.skip_overall)
    print(f"questions file sha256 {fingerprint()}")
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report.__dict__, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
