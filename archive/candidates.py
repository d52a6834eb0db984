"""Gather the sentences of the top passages as answer candidates (through `Reader` methods, no scoring).

Each candidate carries what the later steps need to know about it (its text and span, its
best passage, its story and outlet), so scoring and selection never go back to the index.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from archive.models import Article
from archive.sentences import looks_like_address
from index.reader import Reader
from index.retriever import Retrieval


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
    story: str  # the id naming its article's near-duplicate story (the article's own id when none)
    outlet: str  # its article's outlet, "" when unknown


@dataclass(frozen=True)
class Candidates:
    """The candidate sentences in retrieval order, and every article they come from."""

    sentences: tuple[CandidateSentence, ...]
    articles: Mapping[str, Article]


def gather(snapshot: Reader, retrieval: Retrieval, passages: int, articles: Mapping[str, Article]) -> Candidates:
    """Every sentence of the first `passages` passages, once, tagged with its best passage;
    a bare web address is no candidate.

    `articles` holds (at least) the articles of those passages, read once by the caller.
    """
    seen: set[int] = set()
    sentences: list[CandidateSentence] = []
    used: dict[str, Article] = {}
    for rank, ranked in enumerate(retrieval.passages[:passages]):
        passage = snapshot.passage(ranked.row)
        article_id = passage.article.article_id
        article = used.setdefault(article_id, articles[article_id])
        story, outlet = snapshot.story_of(article_id), snapshot.outlet_of(article_id)
        for position in range(passage.first_sentence, passage.end_sentence):
            row = passage.article.sentence_row + position
            if row in seen:
                continue
            seen.add(row)
            start, end = snapshot.sentence_span(row)
            text = article.text[start:end]
            if " " not in text and looks_like_address(text):
                continue  # a saved page's link line states nothing to cite
            sentences.append(
                CandidateSentence(row, article_id, position, start, end, text, rank, ranked.row, story, outlet)
            )
    return Candidates(tuple(sentences), used)
