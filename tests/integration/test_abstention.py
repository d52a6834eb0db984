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
