"""The hard-negative sets and the threshold rule of `bench.calibrate_abstention` (checked-in data, no index)."""

from __future__ import annotations

from bench import hard_negatives as hn
from bench.calibrate_abstention import Asked, choose_threshold


def test_the_checked_in_sets_have_their_sizes_and_folds() -> None:
    sets = hn.news_sets()
    sizes = {name: sum(q.set_name == name for q in sets) for name in ("news", "news-missing", "general")}
    assert sizes == {"news": 66, "news-missing": 60, "general": 60}
    assert {q.fold for q in sets} == {0, 1}
    assert all(q.answer is None for q in sets if q.set_name != "news")


def test_a_news_answer_is_found_in_the_cited_sentence_whatever_its_spacing() -> None:
    question = hn.HardQuestion("news", "How many employees does WeWork have?", "news", 0, "12,000 employees")
    assert hn.holds_answer(question, "any", 0, 10, "More than a third of WeWork's 12,000\nemployees will go.")
    assert not hn.holds_answer(question, "any", 0, 10, "WeWork's staff will shrink.")
    unanswerable = hn.HardQuestion("general", "What is the speed of light?", "news", 0)
    assert not hn.holds_answer(unanswerable, "any", 0, 10, "Nothing travels faster than light.")


def test_an_xquad_answer_must_lie_inside_the_cited_sentence_of_its_article() -> None:
    question = hn.HardQuestion("xquad", "q", "xquad", 0, "1887", "xquad-03", (120, 124))
    assert hn.holds_answer(question, "xquad-03", 100, 150, "")
    assert not hn.holds_answer(question, "xquad-04", 100, 150, "")
    assert not hn.holds_answer(question, "xquad-03", 122, 150, "")


def asked(correct: bool, answerable: bool = True) -> Asked:
    return Asked("xquad" if answerable else "general", 0, answerable, correct, 0.0, 0.0, ())


def test_the_threshold_is_the_highest_that_loses_at_most_two_percent_of_p1() -> None:
    # 100 answerable questions, all correct, confidences 0.01 .. 1.00; two unanswerable ones.
    questions = [asked(True) for _ in range(100)] + [asked(False, answerable=False)] * 2
    values = [i / 100 for i in range(1, 101)] + [0.5, 0.9]
    # 0.03 abstains on the two lowest (2 of 100 correct answers lost); 0.04 would lose three.
    assert choose_threshold(questions, values) == 0.03
