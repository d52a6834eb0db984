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
from index.set_checks import set_problems
from index.shardset import read_shard_set


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
        top = layout.current_top(path)
        shard_set = read_shard_set(top) if layout.is_shard_set(top) else None
        folders = [path / ref.folder for ref in shard_set.shards] if shard_set is not None else [top]
        checks = [GenerationChecks(folder, read_manifest(folder), embedder) for folder in folders]
    except ArchiveError as exc:
        return VerifyReport(str(path), "", (str(exc),))
    problems: list[str] = []
    counts: Counter[str] = Counter()
    for check in checks:  # each shard of a sharded index is a generation of its own
        _run(check.steps(reembed), check.problems)
        where = f"{check.folder.parent.name}/{check.folder.name}: " if shard_set is not None else ""
        problems += [where + p for p in check.problems]
        counts.update(check.counts)
        if problems:
            break
    if shard_set is not None and not problems:
        _run([lambda: problems.extend(set_problems(path, shard_set))], problems)
        counts["shards"] = len(checks)
    if not problems:
        _run([lambda: _answers(checks, top.name, path, settings, questions, counts, problems)], problems)
    listed = problems[:MAX_LISTED]
    if len(problems) > MAX_LISTED:
        listed.append(f"... and {len(problems) - MAX_LISTED} more problems")
    return VerifyReport(str(path), top.name, tuple(listed), dict(counts))


def _run(steps: list[Callable[[], None]], problems: list[str]) -> None:
    """Run checks in order until one finds a problem: later ones assume the earlier ones passed."""
    for step in steps:
        try:
            step()
        except Exception as exc:  # a checker must report what it trips over, not crash on it
            problems.append(f"the check stopped on {type(exc).__name__}: {exc}")
        if problems:
            break


def _answers(
    checks: list[GenerationChecks],
    live: str,
    index_dir: Path,
    settings: Settings,
    count: int,
    checked: Counter[str],
    problems: list[str],
) -> None:
    """Ask stored sentences as questions through the API; every citation and hit must slice back verbatim."""
    embedder = checks[0].embedder
    mode: SearchMode = "hybrid" if embedder.fingerprint == checks[0].manifest.model_fingerprint else "bm25"
    # Questions from every shard, `count` in all.
    asked = [
        q for i, c in enumerate(checks) for q in _questions(c, _share(count, len(checks), i), settings.max_query_chars)
    ]
    with Archive(index_dir, settings, embedder) as archive:
        if layout.current_name(index_dir) != live:
            return  # a build published meanwhile; what was verified is no longer live
        for question in asked:
            try:
                answer = archive.ask(question, k=3, mode=mode)
                spans = [(c.article_id, c.start, c.end, c.sentence) for c in answer.citations]
                hits = list(answer.hits) + archive.search(question, k=5, mode=mode)
                spans += [(h.article_id, h.start, h.end, h.text) for h in hits]
                for article_id, start, end, text in spans:
                    if archive.article(article_id).text[start:end] != text:
                        problems.append(f"a result from {article_id!r} at {start}-{end} is not its text")
            except ArchiveError as exc:
                problems.append(f"asking {question[:60]!r} failed: {exc}")
                continue
            checked.update(questions_asked=1, citations_checked=len(answer.citations), hits_checked=len(hits))
            checked["questions_citing_themselves"] += any(c.sentence == question for c in answer.citations)


def _share(count: int, parts: int, part: int) -> int:
    """Part `part`'s share of `count` split over `parts` as evenly as possible."""
    return count // parts + (1 if part < count % parts else 0)


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
