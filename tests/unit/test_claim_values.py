from datetime import date

import numpy as np
import pytest

from archive.claims import (
    conflicting,
    counted_values,
    group_claims,
    mentioned_dates,
    number_value,
    relation,
)
from archive.models import shown_value
from archive.readings import question_ask, read
from index.analysis import unique_terms as query_terms

FOCUS = ["lebanes", "detaine", "releas", "israel"]


@pytest.mark.parametrize(("token", "value"), [("5", 5.0), ("4,115", 4115.0), ("1.4", 1.4), ("six", 6.0), ("x", None)])
def test_number_value(token: str, value: float | None) -> None:
    assert number_value(token) == value


def test_counted_values_take_numbers_that_count_the_question_words() -> None:
    assert counted_values("Israel has agreed to release five Lebanese detainees.", FOCUS) == {5.0}
    sentence = "Israel was expected to release six Lebanese civilian detainees out of a total of 11 at the crossing."
    assert counted_values(sentence, FOCUS) == {6.0}
    # "two sides," is its own phrase: the comma stops the window before "Israel"
    assert counted_values("between the two sides, Israel released five Lebanese individuals", FOCUS) == {5.0}
    assert counted_values("The conflict resulted in 4,115 deaths.", ["death"]) == {4115.0}
    assert counted_values("No figures here.", FOCUS) == frozenset()


def test_mentioned_dates_are_read_in_order() -> None:
    text = "A ceasefire took effect on November 27, 2024, after the war began on 23 September 2024."
    assert mentioned_dates(text) == (date(2024, 11, 27), date(2024, 9, 23))
    assert mentioned_dates("Talks went on Tuesday.") == ()


def test_group_claims_by_shared_values_and_similarity() -> None:
    ask = question_ask("How many Lebanese detainees did Israel agree to release?")
    sentences = [
        "Israel has agreed to release five Lebanese detainees.",
        "Israel was expected to release six Lebanese detainees.",
        "Israel released five Lebanese detainees on Tuesday.",
        "Talks on the border went on.",
    ]
    readings = [read(s, ask) for s in sentences]
    similarity = np.array(
        [[1, 0.7, 0.7, 0.2], [0.7, 1, 0.7, 0.2], [0.7, 0.7, 1, 0.2], [0.2, 0.2, 0.2, 1]], dtype=np.float32
    )
    groups = group_claims([r.values for r in readings], similarity)
    assert [(g.members, g.value) for g in groups] == [((0, 2), "5"), ((1,), "6"), ((3,), "")]
    assert conflicting(groups, similarity, readings, ask.focus)


def test_different_values_about_different_things_do_not_conflict() -> None:
    ask = question_ask("How many deaths were there?")
    readings = [
        read("The conflict resulted in 4,115 deaths.", ask),
        read("Israel's violations led to at least 86 deaths.", ask),
    ]
    similarity = np.array([[1, 0.4], [0.4, 1]], dtype=np.float32)
    assert not conflicting(group_claims([r.values for r in readings], similarity), similarity, readings, ask.focus)


def test_relation_of_sentence_pairs() -> None:
    five = "Israel has agreed to release five Lebanese detainees."
    six = "Israel was expected to release six Lebanese detainees."
    assert relation(five, six, 0.85, query_terms) == "conflicting"
    assert (
        relation(five, "Israel agreed to release five Lebanese detainees, officials said.", 0.9, query_terms) == "same"
    )
    assert relation(five, "The weather in Beirut was mild.", 0.1, query_terms) == "unrelated"


@pytest.mark.parametrize(
    ("value", "shown"),
    [("7100000", "7,100,000"), ("38000", "38,000"), ("1000", "1,000"), ("999", "999"), ("5", "5"), ("5.8", "5.8")],
)
def test_a_claims_value_reads_with_thousands_separated(value: str, shown: str) -> None:
    assert shown_value(value) == shown
