"""`Archive.evidence`: the candidates `ask` scores, with the signals and scores `ask` used."""

from __future__ import annotations

from archive import Archive
from archive.confidence import FEATURES
from tests.support import SEED_QUESTION


def test_evidence_holds_the_sentences_and_scores_ask_cites(seeds_archive: Archive) -> None:
    answer = seeds_archive.ask(SEED_QUESTION)
    found = seeds_archive.evidence(SEED_QUESTION)
    assert list(found.question_idf) == ["how", "mani", "lebanes", "detaine", "did", "israel", "agre", "releas"]
    assert found.confidence == answer.confidence
    assert len(found.confidence_features) == len(FEATURES)
    scores = {(s.article_id, s.start): s.score for s in found.sentences}
    for citation in answer.citations:
        assert round(scores[(citation.article_id, citation.start)], 6) == citation.score
    for sentence in found.sentences:
        assert seeds_archive.article(sentence.article_id).text[sentence.start : sentence.end] == sentence.text
        assert sentence.cosine is not None and sentence.context_cosine is not None
        assert 0.0 <= sentence.lexical <= 1.0
