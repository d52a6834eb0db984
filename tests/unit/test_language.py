"""The one home of language knowledge: derived from the index analyzer, agreeing with what it uses."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import language
from archive.language import leans_back
from index import analysis


def test_number_question_terms_are_the_analysed_question_words() -> None:
    expected = {"how", "mani", "much", "what", "number", "percentag", "long", "old", "far"}
    assert expected == language.NUMBER_QUESTION_TERMS


def test_month_number_reads_names_and_abbreviations() -> None:
    assert [language.month_number(w) for w in ("March", "sept", "Sep", "DEC", "Janu", "Ma", "Mayday")] == [
        3, 9, 9, 12, 1, 0, 0,
    ]  # fmt: skip
    assert all(language.month_number(a) for a in language.MONTH_ABBREVIATIONS)


def test_term_spans_point_at_the_words_each_term_came_from() -> None:
    text = "Israel has agreed to release five Lebanese detainees, and released others."
    spans = language.term_spans(text)
    assert [term for _, _, term in spans] == analysis.terms(text)
    assert [(text[start:end], term) for start, end, term in spans][:3] == [
        ("Israel", "israel"), ("has", "ha"), ("agreed", "agre"),
    ]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_term_spans_give_exactly_the_analysed_terms(text: str) -> None:
    spans = analysis.term_spans(text)
    assert [term for _, _, term in spans] == analysis.terms(text)
    assert all(0 <= start < end <= len(text) for start, end, _ in spans)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("He is also the oldest quarterback.", True),
        ("His patents earned him money.", True),
        ("The opening was celebrated with a dinner.", True),
        ("“They said so,” she added.", True),
        ("The Grainger Market itself was opened in 1835.", False),  # names its subject
        ("Tesla died on 7 January 1943.", False),
        ("Hence the name.", False),
        ("", False),
    ],
)
def test_leans_back(sentence: str, expected: bool) -> None:
    assert leans_back(sentence) is expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is it?", False),
        ("Who was he?", False),
        ("what is the of and to it", False),
        ("How many?", False),
        ("Who won?", True),
        ("How many detainees?", True),
        ("Where is Naqoura?", True),
        ("What is the US?", True),  # a stop word written as a name
        ("Who is May?", True),
        ("???", True),  # no words: retrieval judges
    ],
)
def test_names_something(question: str, expected: bool) -> None:
    assert language.names_something(question) is expected
