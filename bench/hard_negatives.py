"""Hard-negative question sets for abstention: the topic is in the archive, the answer is not.

Three archives, built through ingestion like any user folder (`bench.calibrate_abstention`
builds them):
- `xquad-even` / `xquad-odd`: every XQuAD-R dev article with only its even (odd) paragraphs.
  A question about an odd paragraph asked of `xquad-even` finds the rest of its article but
  not the paragraph that answers it ("xquad-missing"); the same question asked of the full
  XQuAD-R archive is answerable ("xquad").
- `news`: the html-news pages plus the seeds. `data/hard_negatives/news_questions.jsonl`
  holds questions written here about those pages: with `answer` (a verbatim span of the
  sentence that answers it: "news") or with `answer: null` when the page, and every other
  page, lacks the answer ("news-missing"); `general_questions.txt` holds general-knowledge
  questions no page answers ("general").

Every question carries a fold (0 or 1) for 2-fold cross-validation: XQuAD-R by article
number, news questions by page, general questions alternately.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from archive.paths import DEFAULT_SEEDS_DIR
from bench import datasets

DATA = Path(__file__).resolve().parent / "data" / "hard_negatives"
NEWS_QUESTIONS = DATA / "news_questions.jsonl"
GENERAL_QUESTIONS = DATA / "general_questions.txt"
# The sets, and whether their questions have an answer in the archive they are asked of.
SETS: dict[str, bool] = {"xquad": True, "xquad-missing": False, "news": True, "news-missing": False, "general": False}


@dataclass(frozen=True)
class HardQuestion:
    """One question of a set; `answer` is what the first cited sentence must hold (None: unanswerable)."""

    set_name: str
    question: str
    archive: str  # the archive it is asked of: "xquad", "xquad-even", "xquad-odd" or "news"
    fold: int
    answer: str | None = None
    article_id: str = ""  # XQuAD-R only: the article the answer must come from
    span: tuple[int, int] | None = None  # XQuAD-R only, filled in once the archive is open


def xquad_fold_corpora(folder: Path) -> dict[str, Path]:
    """`xquad-even` and `xquad-odd` as JSONL: each article with only its even (odd) paragraphs."""
    data = json.loads(datasets.XQUAD.read_text(encoding="utf-8"))
    files = {}
    for parity, name in enumerate(("xquad-even", "xquad-odd")):
        records = []
        for number, article in enumerate(data["data"]):
            kept = [p["context"].replace("\n", " ") for i, p in enumerate(article["paragraphs"]) if i % 2 == parity]
            title = article["title"].replace("_", " ")
            records.append({"id": f"xquad-{number:02d}", "title": title, "text": "\n".join(kept)})
        path = folder / f"{name}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        files[name] = path
    return files


def news_folders() -> list[Path]:
    """What the `news` archive indexes: the saved pages and the seeds."""
    return [datasets.HTML_NEWS / "pages", DEFAULT_SEEDS_DIR]


def xquad_sets(questions: list[datasets.SentenceQuestion]) -> list[HardQuestion]:
    """Each XQuAD-R question twice: of the full archive (answerable) and of the fold lacking its paragraph."""
    sets = []
    for q in questions:
        fold = int(q.article_id.removeprefix("xquad-")) % 2
        sets.append(HardQuestion("xquad", q.question, "xquad", fold, q.answer, q.article_id))
        lacking = "xquad-odd" if q.paragraph % 2 == 0 else "xquad-even"
        sets.append(HardQuestion("xquad-missing", q.question, lacking, fold))
    return sets


def news_sets() -> list[HardQuestion]:
    """The hand-written questions about the news pages, answerable and not, and the general ones."""
    rows = [json.loads(line) for line in NEWS_QUESTIONS.read_text(encoding="utf-8").splitlines() if line]
    pages = sorted({row["page"] for row in rows})
    fold_of = {page: i % 2 for i, page in enumerate(pages)}
    sets = [
        HardQuestion(
            "news" if row["answer"] else "news-missing", row["question"], "news", fold_of[row["page"]], row["answer"]
        )
        for row in rows
    ]
    general = [line for line in GENERAL_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    sets.extend(HardQuestion("general", text, "news", i % 2) for i, text in enumerate(general))
    return sets


def holds_answer(question: HardQuestion, article_id: str, start: int, end: int, sentence: str) -> bool:
    """Whether a cited sentence answers `question` (never for an unanswerable one)."""
    if question.answer is None:
        return False
    if question.span is not None:
        return article_id == question.article_id and start <= question.span[0] and question.span[1] <= end
    return " ".join(question.answer.split()) in " ".join(sentence.split())
