"""From retrieved passages to an answer's citations: scoring, reprints, outlet diversity, claims.

The scoring itself is in `answering` and the value logic in `claims` (both pure); this
module reads the index snapshot and puts the pieces together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from archive import answering, claims
from archive.candidates import CandidateSentence, gather
from archive.models import Article, Citation, Claim
from archive.periods import Period, named_period
from archive.settings import Settings
from index.analysis import unique_terms as query_terms
from index.retriever import Retrieval
from index.snapshot import Snapshot

# A sentence giving a different value than the best answer is cited as conflicting when it
# scores at least this fraction of the best (lower than the usual cut: disagreement matters).
CONFLICT_CUTOFF = 0.6
_QUESTION_WORDS = frozenset({"how", "mani", "much", "what", "number", "percentag", "long", "old", "far"})


@dataclass(frozen=True)
class Cited:
    citations: tuple[Citation, ...]
    confidence: float
    claims: tuple[Claim, ...] = ()
    conflict: bool = False


def cite(
    snapshot: Snapshot,
    question: str,
    retrieval: Retrieval,
    query_vector: npt.NDArray[np.float32] | None,
    k: int,
    settings: Settings,
    article: Callable[[str], Article],
) -> Cited:
    candidates = gather(snapshot, retrieval, settings.answer_passages, article)
    if not candidates:
        return Cited((), 0.0)
    signals = _signals(snapshot, candidates, query_vector, named_period(question), article)
    scored = answering.score_sentences(question, _question_idf(snapshot, question), signals)
    confidence = answering.confidence(scored[0])
    chosen = answering.select_citations(scored, len(scored), settings.min_confidence, settings.answer_relative_cutoff)
    if not chosen:
        return Cited((), confidence)
    counting = answering.asks_for_number(question)
    focus = [t for t in query_terms(question) if t not in _QUESTION_WORDS]
    values = {
        s.index: claims.counted_values(candidates[s.index].text, focus) if counting else frozenset() for s in scored
    }
    if counting:
        chosen = _add_dissent(chosen, scored, values, settings.min_confidence)
    pairs, copies = _collapse_reprints(snapshot, [(s, candidates[s.index]) for s in chosen])
    pairs = _diversify(snapshot, pairs, settings.max_per_source)[:k]
    citation_values = [values[s.index] for s, _ in pairs]
    similarity = _similarity(snapshot, [c for _, c in pairs], query_vector)
    groups = claims.group_claims(citation_values, similarity)
    claim_of = {member: number for number, group in enumerate(groups) for member in group.members}
    citations = tuple(
        _citation(snapshot, c, s.score, claim_of[i], citation_values[i], copies.get(s.index, []), article)
        for i, (s, c) in enumerate(pairs)
    )
    answer_claims = tuple(
        Claim(
            group.members,
            group.value,
            tuple(dict.fromkeys(citations[m].source for m in group.members)),
            tuple(dict.fromkeys(citations[m].article_id for m in group.members)),
        )
        for group in groups
    )
    return Cited(citations, confidence, answer_claims, claims.conflicting(groups, similarity))


def dated_summary(citations: Sequence[Citation]) -> str:
    """What the sources are dated, in words, e.g. "Sources dated 2025-02-18 to 2025-03-02; 1 undated"."""
    if not citations:
        return ""
    known = sorted({c.date for c in citations if c.date is not None})
    undated = len({c.article_id for c in citations if c.date is None})
    if not known:
        return "The sources carry no publication date."
    span = f"{known[0]}" if len(known) == 1 else f"{known[0]} to {known[-1]}"
    return f"Sources dated {span}" + (f"; {undated} undated." if undated else ".")


def _question_idf(snapshot: Snapshot, question: str) -> dict[str, float]:
    return {term: snapshot.store.idf(term) for term in query_terms(question)}


def _signals(
    snapshot: Snapshot,
    candidates: Sequence[CandidateSentence],
    query_vector: npt.NDArray[np.float32] | None,
    period: Period | None,
    article: Callable[[str], Article],
) -> list[answering.SentenceSignals]:
    cosines: list[float | None] = [None] * len(candidates)
    passage_cosines: list[float | None] = [None] * len(candidates)
    if query_vector is not None:
        cosines = [float(x) for x in snapshot.sentence_vectors[[c.row for c in candidates]] @ query_vector]
        rows = [c.passage_row for c in candidates]
        passage_cosines = [float(x) for x in snapshot.passage_vectors[rows] @ query_vector]
    return [
        answering.SentenceSignals(
            query_terms(c.text), c.text, c.passage_rank, cosine, passage_cosine, _in_period(c, period, article)
        )
        for c, cosine, passage_cosine in zip(candidates, cosines, passage_cosines, strict=True)
    ]


def _in_period(c: CandidateSentence, period: Period | None, article: Callable[[str], Article]) -> bool:
    if period is None:
        return False
    published = article(c.article_id).date
    if published is not None and period.contains(published):
        return True
    return any(period.contains(day) for day in claims.mentioned_dates(c.text))


def _add_dissent(
    chosen: list[answering.ScoredSentence],
    scored: Sequence[answering.ScoredSentence],
    values: dict[int, frozenset[float]],
    min_confidence: float,
) -> list[answering.ScoredSentence]:
    """Add sentences that give a value (a different one, or support for one) if they score well enough.

    For a counting question every reported figure matters: the best sentence for a figure the
    chosen ones lack shows the disagreement, and further sentences giving a figure already
    cited show how many sources back it.
    """
    floor = max(min_confidence, CONFLICT_CUTOFF * scored[0].score)
    extra = [s for s in scored if s.score >= floor and values[s.index] and s not in chosen]
    return sorted([*chosen, *extra], key=lambda s: -s.score)


Pair = tuple[answering.ScoredSentence, CandidateSentence]


def _collapse_reprints(snapshot: Snapshot, pairs: Sequence[Pair]) -> tuple[list[Pair], dict[int, list[str]]]:
    """Keep one sentence per (story, text): a reprint's copy of a sentence adds a copy, not a citation.

    Returns the kept pairs, best first, and per kept candidate index the articles it stands for.
    """
    kept: dict[tuple[str, str], Pair] = {}
    copies: dict[int, list[str]] = {}
    for scored, c in pairs:
        key = (snapshot.entry(c.article_id).story or c.article_id, " ".join(c.text.split()).casefold())
        if key in kept:
            copies.setdefault(kept[key][0].index, []).append(c.article_id)
        else:
            kept[key] = (scored, c)
    return list(kept.values()), copies


def _diversify(snapshot: Snapshot, pairs: Sequence[Pair], per_source: int) -> list[Pair]:
    """Different outlets before a repeat of one, and at most `per_source` from any outlet.

    Articles with no known outlet keep their place by score, neither capped nor made to
    wait: nothing tells whether two of them come from one outlet, and holding back an
    article's second-best sentence for another article's weaker one would only reorder
    the evidence by guesswork.
    """
    rounds: list[list[Pair]] = [[]]
    counts: dict[str, int] = {}
    for scored, c in pairs:
        entry = snapshot.entry(c.article_id)
        if not entry.source:
            rounds[0].append((scored, c))
            continue
        outlet = entry.source.casefold()
        seen = counts.get(outlet, 0)
        if per_source > 0 and seen >= per_source:
            continue
        counts[outlet] = seen + 1
        while len(rounds) <= seen:
            rounds.append([])
        rounds[seen].append((scored, c))
    return [pair for round_ in rounds for pair in round_]


def _similarity(
    snapshot: Snapshot, picked: Sequence[CandidateSentence], query_vector: npt.NDArray[np.float32] | None
) -> npt.NDArray[np.float32] | None:
    if query_vector is None:
        return None
    matrix = np.asarray(snapshot.sentence_vectors[[c.row for c in picked]], dtype=np.float32)
    similarity: npt.NDArray[np.float32] = matrix @ matrix.T
    return similarity


def _citation(
    snapshot: Snapshot,
    c: CandidateSentence,
    score: float,
    claim: int,
    values: frozenset[float],
    copies: Sequence[str],
    article: Callable[[str], Article],
) -> Citation:
    source = article(c.article_id)
    story = snapshot.entry(c.article_id).story
    reprints = [a for a in snapshot.story_members(story) if a != c.article_id] if story else []
    return Citation(
        article_id=c.article_id,
        title=source.title,
        source=source.source,
        date=source.date,
        sentence=c.text,
        start=c.start,
        end=c.end,
        score=round(score, 6),
        position=c.position,
        claim=claim,
        values=tuple(claims.format_value(v) for v in sorted(values)),
        mentioned_dates=claims.mentioned_dates(c.text),
        copies=tuple(dict.fromkeys([*copies, *reprints])),
        content_hash=source.content_hash,
    )
