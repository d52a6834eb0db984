from datetime import date

import pytest

from archive.periods import named_period


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("How many detainees were released in March 2025?", date(2025, 3, 1), date(2025, 3, 31)),
        ("What happened in 2024?", date(2024, 1, 1), date(2024, 12, 31)),
        ("What changed since Feb 2025?", date(2025, 2, 1), None),
        ("Which strikes came before 2024?", None, date(2024, 1, 1)),
        ("Who won the election of 1998?", date(1998, 1, 1), date(1998, 12, 31)),
    ],
)
def test_named_period(question: str, start: date | None, end: date | None) -> None:
    period = named_period(question)
    assert period is not None
    assert (period.start, period.end) == (start, end)


def test_questions_without_a_period() -> None:
    assert named_period("How many detainees were released?") is None
    assert named_period("What is the 4115 figure?") is None


def test_contains() -> None:
    period = named_period("in November 2024")
    assert period is not None
    assert period.contains(date(2024, 11, 27))
    assert not period.contains(date(2024, 12, 1))
