"""Per-sentence signals for scoring, from plain values: terms, cosines, the period. No index access.

The cosines come from the index (`Snapshot.sentence_cosines` / `passage_cosines`); this
module only pairs them with each sentence's analysed terms, whether it falls in the period
the question names, and which candidate it leans on ("He ..." after the sentence naming him).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from archive import claims
from archive.language import distinct_terms, leans_back
from archive.periods import Period


@dataclass(frozen=True)
class SentenceSignals:
    """The per-sentence inputs of `scoring.score_sentences`; cosines are None without the model."""

    terms: Sequence[str]
    text: str
    passage_rank: int
    cosine: float | None = None
    passage_cosine: float | None = None
    in_period: bool = False  # dated or mentioning a date in the period the question names
    # The candidate just before it in its article, when that one is a candidate too and this
    # sentence leans on it ("He ..."); its share of the question's words then counts here too.
    leans_on: int | None = None


def in_period(sentence: str, published: date | None, period: Period | None) -> bool:
    """True when the question names a period and the article is dated in it or the sentence mentions a date in it."""
    if period is None:
        return False
    if published is not None and period.contains(published):
        return True
    return any(period.contains(day) for day in claims.mentioned_dates(sentence))


def leaning(texts: Sequence[str], places: Sequence[tuple[str, int]]) -> list[int | None]:
    """For each sentence, the index of its predecessor (same article, position - 1) if it leans on it.

    `places` are the sentences' (article id, position in the article).
    """
    index = {place: i for i, place in enumerate(places)}
    return [
        index.get((article, position - 1)) if leans_back(text) else None
        for text, (article, position) in zip(texts, places, strict=True)
    ]


def sentence_signals(
    texts: Sequence[str],
    passage_ranks: Sequence[int],
    cosines: Sequence[float] | None,
    passage_cosines: Sequence[float] | None,
    in_periods: Sequence[bool],
    leans_on: Sequence[int | None] | None = None,
) -> list[SentenceSignals]:
    """One `SentenceSignals` per sentence; `cosines` and `passage_cosines` are None without the model."""
    missing: list[float | None] = [None] * len(texts)
    return [
        SentenceSignals(distinct_terms(text), text, rank, cosine, passage_cosine, period, previous)
        for text, rank, cosine, passage_cosine, period, previous in zip(
            texts,
            passage_ranks,
            missing if cosines is None else cosines,
            missing if passage_cosines is None else passage_cosines,
            in_periods,
            [None] * len(texts) if leans_on is None else leans_on,
            strict=True,
        )
    ]
