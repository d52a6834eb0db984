"""Choosing the sentences to cite from the scored candidates. Pure functions, no index access.

In order: the sentences close to the best (`select_citations`); for a counting question,
the sentences giving a figure (`add_dissent`); one sentence per reprinted text
(`collapse_reprints`); outlets taking turns (`diversify`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from archive.candidates import CandidateSentence
from archive.scoring import ScoredSentence

# A sentence giving a different value than the best answer is cited as conflicting when it
# scores at least this fraction of the best (lower than the usual cut: disagreement matters).
CONFLICT_CUTOFF = 0.6
# ...and at least this score of its own: a figure from a barely related sentence is no dissent
# (the old abstention threshold on sentence scores, kept for this once abstention moved to
# the answer's confidence, archive/confidence.py).
DISSENT_FLOOR = 0.48

# A scored sentence with the candidate it scores.
Choice = tuple[ScoredSentence, CandidateSentence]


def select_citations(
    scored: Sequence[ScoredSentence], k: int, min_confidence: float, relative_cutoff: float
) -> list[ScoredSentence]:
    """The sentences to cite, best first: none when the best is below the threshold.

    Others follow while they score close to the best and clear the threshold on their own,
    so agreeing sentences from several articles are all cited.
    """
    if not scored or scored[0].score < min_confidence:
        return []
    top = scored[0].score
    chosen = [scored[0]]
    for candidate in scored[1:]:
        if len(chosen) >= k:
            break
        if candidate.score >= relative_cutoff * top and candidate.score >= min_confidence:
            chosen.append(candidate)
    return chosen


def add_dissent(
    chosen: list[ScoredSentence],
    scored: Sequence[ScoredSentence],
    values: Mapping[int, frozenset[float]],
    min_confidence: float,
) -> list[ScoredSentence]:
    """Add sentences that give a value (a different one, or support for one) if they score well enough.

    For a counting question every reported figure matters: the best sentence for a figure the
    chosen ones lack shows the disagreement, and further sentences giving a figure already
    cited show how many sources back it. `values` maps a candidate index to its figures.
    """
    floor = dissent_floor(scored, min_confidence)
    extra = [s for s in scored if s.score >= floor and values[s.index] and s not in chosen]
    return sorted([*chosen, *extra], key=lambda s: -s.score)


def dissent_floor(scored: Sequence[ScoredSentence], min_confidence: float) -> float:
    """The score a sentence giving a figure needs to be cited beside the chosen ones."""
    return max(min_confidence, CONFLICT_CUTOFF * scored[0].score)


def collapse_reprints(choices: Sequence[Choice]) -> tuple[list[Choice], dict[int, list[str]]]:
    """Keep one sentence per (story, text): a reprint's copy of a sentence adds a copy, not a citation.

    Returns the kept choices, best first, and per kept candidate index the articles it stands for.
    """
    kept: dict[tuple[str, str], Choice] = {}
    copies: dict[int, list[str]] = {}
    for scored, sentence in choices:
        key = (sentence.story, " ".join(sentence.text.split()).casefold())
        if key in kept:
            copies.setdefault(kept[key][0].index, []).append(sentence.article_id)
        else:
            kept[key] = (scored, sentence)
    return list(kept.values()), copies


def diversify(choices: Sequence[Choice], per_outlet: int) -> list[Choice]:
    """Different outlets before a repeat of one, and at most `per_outlet` from any outlet.

    Articles with no known outlet keep their place by score, neither capped nor made to
    wait: nothing tells whether two of them come from one outlet, and holding back an
    article's second-best sentence for another article's weaker one would only reorder
    the evidence by guesswork.
    """
    rounds: list[list[Choice]] = [[]]
    counts: dict[str, int] = {}
    for scored, sentence in choices:
        if not sentence.outlet:
            rounds[0].append((scored, sentence))
            continue
        outlet = sentence.outlet.casefold()
        seen = counts.get(outlet, 0)
        if per_outlet > 0 and seen >= per_outlet:
            continue
        counts[outlet] = seen + 1
        while len(rounds) <= seen:
            rounds.append([])
        rounds[seen].append((scored, sentence))
    return [choice for round_ in rounds for choice in round_]
