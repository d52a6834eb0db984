"""Collect the sentences of the top passages as answer candidates (index access, no scoring)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from archive.models import Article
from index.retriever import Retrieval
from index.snapshot import Snapshot


@dataclass(frozen=True)
class CandidateSentence:
    row: int  # sentence row in the generation's arrays
    article_id: str
    position: int  # sentence index within the article
    start: int
    end: int
    text: str
    passage_rank: int  # fused rank (0-based) of the best passage holding it
    passage_row: int


def gather(
    snapshot: Snapshot, retrieval: Retrieval, passages: int, article: Callable[[str], Article]
) -> list[CandidateSentence]:
    """Every sentence of the first `passages` passages, once, tagged with its best passage."""
    seen: set[int] = set()
    candidates: list[CandidateSentence] = []
    for rank, ranked in enumerate(retrieval.passages[:passages]):
        ref = snapshot.passage(ranked.row)
        text = article(ref.article.article_id).text
        for position in range(ref.first_sentence, ref.end_sentence):
            row = ref.article.sentence_row + position
            if row in seen:
                continue
            seen.add(row)
            start, end = (int(x) for x in snapshot.sentence_spans[row])
            candidates.append(
                CandidateSentence(row, ref.article.article_id, position, start, end, text[start:end], rank, ranked.row)
            )
    return candidates
