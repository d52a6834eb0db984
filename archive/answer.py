"""From retrieved passages to the parts of an `Answer`: the answer path, told in order.

candidates (`candidates.gather`) → sentence signals (`signals`) → scores (`scoring`) →
the answer's confidence, to abstain below `min_confidence` (`confidence`) → the sentences
to cite (`selection`) → figures and claims (`claims`) → `Citation`s and
`Claim`s. Each step is a small module of pure functions; this one reads the index only
through `Reader` methods (index/reader.py) and puts the steps together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from archive import answer_types, claims, readings, scoring, selection, signals
from archive import confidence as answer_confidence
from archive.candidates import Candidates, CandidateSentence, gather
from archive.language import distinct_terms
from archive.models import Article, Citation, Claim
from archive.periods import named_period
from archive.settings import Settings
from index.reader import Reader
from index.retriever import Retrieval

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class AnswerParts:
    """What `Archive.ask` puts into its `Answer`: no citations when nothing scores high enough."""

    citations: tuple[Citation, ...]
    confidence: float  # `confidence.confidence` of the candidates, 0.0 when there is none
    claims: tuple[Claim, ...] = ()
    conflict: bool = False


def answer_parts(
    snapshot: Reader,
    question: str,
    retrieval: Retrieval,
    query_vector: Vector | None,
    k: int,
    settings: Settings,
    articles: Mapping[str, Article],
) -> AnswerParts:
    """Cite up to `k` sentences of the retrieved passages; `articles` holds the passages' articles."""
    candidates = gather(snapshot, retrieval, settings.answer_passages, articles)
    if not candidates.sentences:
        return AnswerParts((), 0.0)
    sentences = candidates.sentences
    idf = question_idf(snapshot, question)
    sentence_signals = _signals(snapshot, candidates, query_vector, question)
    scored = scoring.score_sentences(question, idf, sentence_signals)
    confidence = answer_confidence.confidence(
        _confidence_features(snapshot, question, idf, scored, sentence_signals, candidates)
    )
    if confidence < settings.min_confidence:
        return AnswerParts((), confidence)
    # Abstention is decided on the whole answer above; further sentences only need to score close to the best.
    chosen = selection.select_citations(scored, len(scored), -1.0, settings.answer_relative_cutoff)

    counting = answer_types.asks_for_number(question)
    ask = readings.question_ask(question)
    # Only sentences that can be cited are read: the chosen ones and those scoring enough to dissent.
    floor = selection.dissent_floor(scored, selection.DISSENT_FLOOR)
    chosen_rows = {s.index for s in chosen}
    citable = {
        s.index: sentences[s.index].text for s in scored if counting and (s.score >= floor or s.index in chosen_rows)
    }
    titles = {i: candidates.articles[sentences[i].article_id].title for i in citable}
    read = {s.index: readings.Reading(()) for s in scored} | readings.read_all(citable, ask, titles)
    values = {index: reading.values for index, reading in read.items()}
    if counting:
        chosen = selection.add_dissent(chosen, scored, values, selection.DISSENT_FLOOR)
    choices, copies = selection.collapse_reprints([(s, sentences[s.index]) for s in chosen])
    choices = selection.diversify(choices, settings.max_per_source)[:k]

    citation_values = [values[s.index] for s, _ in choices]
    similarity = None if query_vector is None else snapshot.sentence_similarity([c.row for _, c in choices])
    cited = [read[s.index] for s, _ in choices]
    groups = claims.group_claims(
        citation_values, similarity, lambda i, j: claims.disagree(cited[i], cited[j], ask.focus)
    )
    claim_of = {member: number for number, group in enumerate(groups) for member in group.members}
    claims_of_article: dict[str, set[int]] = {}
    for i, (_, sentence) in enumerate(choices):
        claims_of_article.setdefault(sentence.article_id, set()).add(claim_of[i])
    citations = tuple(
        _citation(
            candidates.articles[sentence.article_id],
            sentence,
            scored_sentence.score,
            claim_of[i],
            citation_values[i],
            # Articles that print this very sentence, and near-copies of its article, but not a
            # near-copy cited here for another figure only (it is no reprint of this report).
            [
                *copies.get(scored_sentence.index, []),
                *(
                    copy
                    for copy in snapshot.reprints_of(sentence.article_id)
                    if claims_of_article.get(copy, {claim_of[i]}) <= {claim_of[i]}
                ),
            ],
        )
        for i, (scored_sentence, sentence) in enumerate(choices)
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
    conflict = claims.conflicting(groups, similarity, cited, ask.focus)
    return AnswerParts(citations, confidence, answer_claims, conflict)


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


def question_idf(snapshot: Reader, question: str) -> dict[str, float]:
    """The whole-index IDF of each of the question's terms, in question order."""
    return snapshot.term_idfs(distinct_terms(question))


def _confidence_features(
    snapshot: Reader,
    question: str,
    idf: Mapping[str, float],
    scored: Sequence[scoring.ScoredSentence],
    sentence_signals: Sequence[signals.SentenceSignals],
    candidates: Candidates,
) -> tuple[float, ...]:
    """`confidence.features`, with the terms of each sentence of the best sentence's article
    (the index's own sentences; one article analysed per question)."""
    article_sentences: list[list[str]] = []
    if scored:
        best = candidates.sentences[scored[0].index]
        text = candidates.articles[best.article_id].text
        spans = (snapshot.sentence_span(row) for row in snapshot.sentence_rows(best.article_id))
        article_sentences = [distinct_terms(text[start:end]) for start, end in spans]
    return answer_confidence.features(question, idf, scored, sentence_signals, article_sentences)


def _signals(
    snapshot: Reader, candidates: Candidates, query_vector: Vector | None, question: str
) -> list[signals.SentenceSignals]:
    sentences = candidates.sentences
    cosines = passage_cosines = None
    if query_vector is not None:
        cosines = snapshot.sentence_cosines([c.row for c in sentences], query_vector)
        passage_cosines = snapshot.passage_cosines([c.passage_row for c in sentences], query_vector)
    period = named_period(question)
    in_period = [signals.in_period(c.text, candidates.articles[c.article_id].date, period) for c in sentences]
    texts = [c.text for c in sentences]
    leans_on = signals.leaning(texts, [(c.article_id, c.position) for c in sentences])
    return signals.sentence_signals(
        texts, [c.passage_rank for c in sentences], cosines, passage_cosines, in_period, leans_on
    )


def _citation(
    article: Article,
    sentence: CandidateSentence,
    score: float,
    claim: int,
    values: frozenset[float],
    copies: Sequence[str],
) -> Citation:
    return Citation(
        article_id=sentence.article_id,
        title=article.title,
        source=article.source,
        date=article.date,
        sentence=sentence.text,
        start=sentence.start,
        end=sentence.end,
        score=round(score, 6),
        position=sentence.position,
        claim=claim,
        values=tuple(claims.format_value(v) for v in sorted(values)),
        mentioned_dates=claims.mentioned_dates(sentence.text),
        copies=tuple(dict.fromkeys(copies)),
        content_hash=article.content_hash,
    )


# ----- the scorer's inputs, for tuning it (`Archive.evidence`, `bench/tune_answerer.py`) -----


@dataclass(frozen=True)
class SentenceEvidence:
    """One candidate sentence as `ask` scores it: where it is, its signals, its score."""

    article_id: str
    position: int  # sentence index within the article
    start: int
    end: int
    text: str
    passage_rank: int  # fused rank (0-based) of the best passage holding it
    terms: tuple[str, ...]  # its distinct analysed terms
    cosine: float | None  # with the question; None without the model
    passage_cosine: float | None
    context_cosine: float | None  # the best of the sentences just before and after it in its article
    in_period: bool
    lexical: float
    coverage: float
    score: float


@dataclass(frozen=True)
class Evidence:
    """Every candidate sentence for a question, in retrieval order, and the question's term IDFs."""

    question: str
    question_idf: Mapping[str, float]
    sentences: tuple[SentenceEvidence, ...]
    confidence: float = 0.0  # what `ask` reports as the answer's confidence
    confidence_features: tuple[float, ...] = ()  # its inputs, in `confidence.FEATURES` order


def evidence(
    snapshot: Reader,
    question: str,
    retrieval: Retrieval,
    query_vector: Vector | None,
    settings: Settings,
    articles: Mapping[str, Article],
) -> Evidence:
    """The candidates `answer_parts` scores, with each signal and score (nothing selected)."""
    candidates = gather(snapshot, retrieval, settings.answer_passages, articles)
    idf = question_idf(snapshot, question)
    sentence_signals = _signals(snapshot, candidates, query_vector, question)
    ranked = scoring.score_sentences(question, idf, sentence_signals)
    by_index = {s.index: s for s in ranked}
    features = _confidence_features(snapshot, question, idf, ranked, sentence_signals, candidates)
    sentences = []
    for i, (sentence, signal) in enumerate(zip(candidates.sentences, sentence_signals, strict=True)):
        context = None
        if query_vector is not None:
            rows = snapshot.sentence_rows(sentence.article_id)
            around = [row for row in (sentence.row - 1, sentence.row + 1) if row in rows]
            context = max(snapshot.sentence_cosines(around, query_vector)) if around else 0.0
        scored = by_index[i]
        sentences.append(
            SentenceEvidence(
                sentence.article_id,
                sentence.position,
                sentence.start,
                sentence.end,
                sentence.text,
                sentence.passage_rank,
                tuple(signal.terms),
                signal.cosine,
                signal.passage_cosine,
                context,
                signal.in_period,
                scored.lexical,
                scored.coverage,
                scored.score,
            )
        )
    return Evidence(question, idf, tuple(sentences), answer_confidence.confidence(features), features)
