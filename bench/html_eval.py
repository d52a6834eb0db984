"""Saved web pages: body extraction against the benchmark's ground truth, metadata coverage, build cost.

    .venv/bin/python -m bench.html_eval [--pages DIR] [--build-pages 20] [--spot-check 20]

1. Every page of `html-news/` (`bench.datasets.HTML_NEWS`) is read through the archive's own
   reader (`archive.readers.read_file`, so the index/login-page checks count too) and scored
   with the Article Extraction Benchmark's metric: word 4-gram shingles (words are `\\w+`
   runs) counted as multisets; per page tp/fp/fn normalised to sum to 1; precision averaged
   over pages that produced text, recall over pages with a ground-truth body; F1 from the
   two means. A page the reader refuses counts as producing nothing.
2. The share of pages with a title, an outlet and a date; `--spot-check` pages are printed
   (title, outlet, date, URL) to compare by eye with the page.
3. Build cost: the first `--build-pages` pages are indexed from their HTML and, separately,
   from plain-text files holding the same extracted articles (title, outlet, date as front
   matter), both with the embedding cache off; the ratio of the two build times.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from archive import Archive, Settings
from archive.models import Article
from archive.readers import read_file
from bench import datasets

_WORD = re.compile(r"\w+")
SHINGLE = 4


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Word 4-grams of `text` as a multiset (a text of under four words is one shorter gram)."""
    words = _WORD.findall(text)
    return Counter(tuple(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1)) if words)


def page_counts(truth: str, extracted: str) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingles, normalised to sum to 1 so a long page weighs as much as a short one."""
    gold, found = shingles(truth), shingles(extracted)
    tp = sum((gold & found).values())
    fp = sum((found - gold).values())
    fn = sum((gold - found).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def body_scores(counts: Sequence[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Mean precision (pages with output), mean recall (pages with a body), and F1 of the two."""
    precisions = [1.0 if fp == fn == 0 else tp / (tp + fp) for tp, fp, fn in counts if tp + fp > 0]
    recalls = [1.0 if fp == fn == 0 else tp / (tp + fn) for tp, fp, fn in counts if tp + fn > 0]
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass(frozen=True)
class PageResult:
    page_id: str
    article: Article | None
    problem: str
    counts: tuple[float, float, float]


def page_files(pages: Path) -> list[Path]:
    return sorted(p for p in pages.iterdir() if p.name.endswith((".html", ".htm", ".html.gz")))


def page_id(path: Path) -> str:
    return path.name.split(".")[0]


def read_pages(pages: Path, truth: dict[str, dict[str, str]]) -> list[PageResult]:
    results = []
    for path in page_files(pages):
        outcome = read_file(path, pages)
        article = outcome.articles[0] if outcome.articles else None
        problem = "; ".join(p.reason for p in outcome.failed)
        body = truth[page_id(path)].get("articleBody", "")
        results.append(PageResult(page_id(path), article, problem, page_counts(body, article.text if article else "")))
    return results


def plain_copies(articles: Sequence[Article], folder: Path) -> None:
    """The same articles as `.txt` files with YAML front matter: the plain-text side of the build ratio."""
    folder.mkdir(parents=True, exist_ok=True)
    for article in articles:
        front = {"title": article.title, "source": article.source, "date": str(article.date or "")}
        head = "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in front.items() if value)
        (folder / f"{article.article_id}.txt").write_text(f"---\n{head}---\n{article.text}\n", encoding="utf-8")


def timed_build(folder: Path, index_dir: Path, settings: Settings, warm: Archive) -> float:
    started = time.perf_counter()
    Archive.build([folder], index_dir=index_dir, settings=settings, embedder=warm.embedder).close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=Path, default=datasets.HTML_NEWS)
    parser.add_argument("--build-pages", type=int, default=20, help="pages in the HTML vs plain-text build (0: skip)")
    parser.add_argument("--spot-check", type=int, default=20)
    args = parser.parse_args()
    truth = json.loads((args.pages / "ground-truth.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    results = read_pages(args.pages / "pages", truth)
    read_seconds = time.perf_counter() - started
    p, r, f1 = body_scores([result.counts for result in results])
    n = len(results)
    articles = [result.article for result in results if result.article is not None]
    print(f"{n} pages read in {read_seconds:.1f} s ({1000 * read_seconds / n:.0f} ms a page); {len(articles)} articles")
    print(f"body: precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}")
    for name, test in (("title", "title"), ("outlet", "source"), ("date", "date")):
        have = sum(1 for a in articles if getattr(a, test))
        print(f"{name}: {have}/{n} pages ({have / n:.0%})")
    for result in results:
        if result.problem:
            print(f"refused: {result.page_id[:12]}: {result.problem}")
    step = max(1, n // max(1, args.spot_check))
    for result in results[::step][: args.spot_check]:
        a = result.article
        if a is not None:
            url = truth[result.page_id].get("url", "")
            print(f"spot {result.page_id[:8]} | {a.title[:60]} | {a.source} | {a.date} | {url[:70]}")
    if args.build_pages:
        chosen = articles[: args.build_pages]
        settings = Settings.from_env(environ={"ARCHIVE_EMBEDDING_CACHE": "off"})
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            html_folder = root / "html"
            html_folder.mkdir()
            for path in page_files(args.pages / "pages"):
                if page_id(path) in {a.article_id for a in chosen}:
                    (html_folder / path.name).write_bytes(path.read_bytes())
            plain_copies(chosen, root / "plain")
            warm = Archive.build([root / "plain"], index_dir=root / "warm", settings=settings)  # loads the model
            plain_s = timed_build(root / "plain", root / "i-plain", settings, warm)
            html_s = timed_build(html_folder, root / "i-html", settings, warm)
            warm.close()
        print(
            f"build of {len(chosen)} articles: plain text {plain_s:.1f} s, HTML {html_s:.1f} s, "
            f"ratio {html_s / plain_s:.2f}"
        )


if __name__ == "__main__":
    main()
