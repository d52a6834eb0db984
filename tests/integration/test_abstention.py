"""Abstention on a real index: general-knowledge questions the seeds cannot answer get no answer.

The seeds hold two reports on a prisoner release; the questions below are from
`bench/data/hard_negatives/general_questions.txt` (the issue's "speed of light" among them).
"""

from __future__ import annotations

import pytest

from archive import Archive
from tests.support import SEED_ANSWER, SEED_QUESTION

GENERAL_KNOWLEDGE = (
    "What is the speed of light?",
    "Who painted the Mona Lisa?",
    "How many bones are in the adult human body?",
    "When did the Berlin Wall fall?",
)


@pytest.mark.parametrize("question", GENERAL_KNOWLEDGE)
def test_general_knowledge_questions_get_no_answer(seeds_archive: Archive, question: str) -> None:
    answer = seeds_archive.ask(question)
    assert not answer.answered
    assert answer.citations == ()
    assert 0.0 < answer.confidence < seeds_archive.settings.min_confidence


def test_the_seeds_question_is_still_answered_with_its_sentence(seeds_archive: Archive) -> None:
    answer = seeds_archive.ask(SEED_QUESTION)
    assert answer.answered
    assert SEED_ANSWER in answer.citations[0].sentence
    assert seeds_archive.settings.min_confidence <= answer.confidence < 1.0


def test_evidence_reports_the_confidence_ask_reports(seeds_archive: Archive) -> None:
    for question in (SEED_QUESTION, GENERAL_KNOWLEDGE[0]):
        assert seeds_archive.evidence(question).confidence == seeds_archive.ask(question).confidence


@pytest.mark.parametrize("question", ["What is it?", "what is the of and to it", "Who was he?", "How many?"])
def test_a_question_of_only_question_words_names_nothing_and_gets_no_answer(
    seeds_archive: Archive, question: str
) -> None:
    # Not searched at all: no passages are listed for a question that asks about nothing.
    answer = seeds_archive.ask(question)
    assert not answer.answered
    assert answer.hits == ()
    assert "only question words and pronouns" in answer.note


def test_an_abstention_lists_no_more_passages_than_asked_for(seeds_archive: Archive) -> None:
    assert len(seeds_archive.ask(GENERAL_KNOWLEDGE[0], k=5).hits) > 1
    for k in (1, 2):
        answer = seeds_archive.ask(GENERAL_KNOWLEDGE[0], k=k)
        assert not answer.answered
        assert len(answer.hits) == k
