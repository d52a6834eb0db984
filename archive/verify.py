"""Check a whole index against itself: what `archive verify` runs.

`verify_index` runs the generation's file-level checks (`index.checks`: sizes, rows,
hashes, spans, vectors, Whoosh, BM25 postings, coarse pass, a sample re-embedded), then
asks questions made from stored sentences through the public API: every citation and hit
must slice back out of its article verbatim. Later checks run only when the earlier ones
pass, so one damaged file gives one clear problem rather than a cascade.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from archive.api import Archive, embedder_for
from archive.errors import ArchiveError
from archive.models import SearchMode
from archive.settings import Settings
from index import layout
from index.checks import MAX_LISTED, REEMBED_SAMPLE, SENTENCE_SPANS, GenerationChecks, spread
from index.embedder import Embedder
from index.manifest import read_manifest


@dataclass(frozen=True)
class VerifyReport:
    """What `verify_index` checked. Invariant: `ok` is True exactly when `problems` is empty."""

    index_dir: str
    generation: str
    problems: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)  # what was checked, by kind
    ok: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ok", not self.problems)


def verify_index(
    index_dir: str | Path | None = None,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    questions: int = 5,
    reembed: int = REEMBED_SAMPLE,
) -> VerifyReport:
    """Check the live generation at `index_dir` (default: settings.index_dir); never raises for a bad index.

    `questions` are asked through the API; `reembed` sentences and as many passages are embedded
    again (each costs a forward pass of the model).
    """
    settings = settings or Settings.from_env()
    path = Path(index_dir or settings.index_dir)
    embedder = embedder or embedder_for(settings)
    try:
        folder = layout.current_generation(path)
        manifest = read_manifest(folder)
    except ArchiveError as exc:
        return VerifyReport(str(path), "", (str(exc),))
    check = GenerationChecks(folder, manifest, embedder)
    steps: list[Callable[[], None]] = [*check.steps(reembed), lambda: _answers(check, path, settings, questions)]
    for step in steps:
        try:
            step()
        except Exception as exc:  # a checker must report what it trips over, not crash on it
            check.problems.append(f"the check stopped on {type(exc).__name__}: {exc}")
        if check.problems:
            break
    problems = check.problems[:MAX_LISTED]
    if len(check.problems) > MAX_LISTED:
        problems.append(f"... and {len(check.problems) - MAX_LISTED} more problems")
    return VerifyReport(str(path), folder.name, tuple(problems), check.counts)


def _answers(check: GenerationChecks, index_dir: Path, settings: Settings, count: int) -> None:
    """Ask stored sentences as questions through the API; every citation and hit must slice back verbatim."""
    m = check.manifest
    checked = Counter[str]()
    mode: SearchMode = "hybrid" if check.embedder.fingerprint == m.model_fingerprint else "bm25"
    with Archive(index_dir, settings, check.embedder) as archive:
        if layout.current_name(index_dir) != check.folder.name:
            return  # a build published meanwhile; what was verified is no longer live
        for question in _questions(check, count, settings.max_query_chars):
            try:
                answer = archive.ask(question, k=3, mode=mode)
                spans = [(c.article_id, c.start, c.end, c.sentence) for c in answer.citations]
                hits = list(answer.hits) + archive.search(question, k=5, mode=mode)
                spans += [(h.article_id, h.start, h.end, h.text) for h in hits]
                for article_id, start, end, text in spans:
                    if archive.article(article_id).text[start:end] != text:
                        check.problems.append(f"a result from {article_id!r} at {start}-{end} is not its text")
            except ArchiveError as exc:
                check.problems.append(f"asking {question[:60]!r} failed: {exc}")
                continue
            checked.update(questions_asked=1, citations_checked=len(answer.citations), hits_checked=len(hits))
            checked["questions_citing_themselves"] += any(c.sentence == question for c in answer.citations)
    check.counts.update(checked)


def _questions(check: GenerationChecks, count: int, limit: int) -> list[str]:
    """A stored sentence of reasonable length from each of `count` articles spread over the index."""
    asked = []
    articles = check.manifest.articles
    rows = [i for i, e in enumerate(articles) if e.sentence_count]
    for i in spread(len(rows), count):
        e, text = articles[rows[i]], check.texts[rows[i]]
        spans = check.array[SENTENCE_SPANS][e.sentence_row : e.sentence_row + e.sentence_count]
        sentences = [text[s:t] for s, t in spans]
        fitting = [s for s in sentences if 20 <= len(s) <= limit] or [s[:limit] for s in sentences]
        asked.append(fitting[len(fitting) // 2])
    return asked
