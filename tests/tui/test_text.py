"""Display helpers: word emphasis, snippets, bars and lines (pure functions, no app)."""

from __future__ import annotations

from datetime import date

import pytest

from archive import language
from tui import text


def words_at(sentence: str, spans: list[tuple[int, int]]) -> list[str]:
    return [sentence[start:end] for start, end in spans]


def test_question_words_are_emphasised_by_analysed_term() -> None:
    stems = text.question_stems("How many Lebanese detainees did Israel agree to release?")
    sentence = "Israel has agreed to release five Lebanese detainees, and released others."
    assert words_at(sentence, text.emphasis_spans(sentence, stems)) == [
        "Israel", "agreed", "release", "Lebanese", "detainees", "released",
    ]  # fmt: skip


def test_emphasis_marks_exactly_the_terms_the_index_analyzer_makes() -> None:
    question = "How many rockets were fired at the bases?"
    assert text.question_stems(question) == tuple(language.distinct_terms(question))
    sentence = "Many rockets, fired at a base: the rocketry was firing."
    # "rocketry" is analysed as "rocketri", not "rocket": it is not emphasised, as retrieval does not match it.
    wanted = set(language.distinct_terms(question))
    expected = [sentence[start:end] for start, end, term in language.term_spans(sentence) if term in wanted]
    assert words_at(sentence, text.emphasis_spans(sentence, text.question_stems(question))) == expected
    assert expected == ["Many", "rockets", "fired", "base", "firing"]


def test_stop_words_and_single_letters_are_not_emphasised() -> None:
    assert text.question_stems("Is the a of it?") == ()
    assert text.emphasis_spans("anything at all", ()) == []


def test_emphasis_is_case_insensitive() -> None:
    stems = text.question_stems("NAQOURA talks")
    assert words_at("In Naqoura, TALKS resumed", text.emphasis_spans("In Naqoura, TALKS resumed", stems)) == [
        "Naqoura", "TALKS",
    ]  # fmt: skip


def test_snippet_starts_near_the_first_match_and_marks_cuts() -> None:
    body = " ".join(f"word{i}" for i in range(200)) + " detainees were released " + "tail " * 100
    cut = text.snippet(body, text.question_stems("detainees"), width=120)
    assert cut.startswith("…") and cut.endswith("…")
    assert "detainees" in cut
    assert len(cut) <= 122


def test_short_snippet_is_the_whole_text() -> None:
    assert text.snippet("One  short\npassage.", ("short",)) == "One short passage."


@pytest.mark.parametrize(
    ("score", "best", "bar"),
    [(1.0, 1.0, "█████"), (0.5, 1.0, "██░░░"), (0.01, 1.0, "█░░░░"), (0.0, 1.0, "░░░░░"), (1.0, 0.0, "░░░░░")],
)
def test_score_bar(score: float, best: float, bar: str) -> None:
    assert text.score_bar(score, best) == bar


def test_format_score() -> None:
    assert text.format_score(0.915485) == "0.92"
    assert text.format_score(0.0325224) == "0.0325"


def test_meta_line_shows_what_is_known() -> None:
    assert text.meta_line("Reuters", date(2025, 1, 14), ("A. Writer",)) == "Reuters · 14 Jan 2025 · by A. Writer"
    assert text.meta_line("", None) == ""


def test_parse_day() -> None:
    assert text.parse_day(" 2025-01-14 ", "since") == date(2025, 1, 14)
    assert text.parse_day("", "since") is None
    with pytest.raises(ValueError, match="since: 'yesterday' is not a date"):
        text.parse_day("yesterday", "since")


def test_paragraphs_and_clip() -> None:
    body = "First line.\n\nSecond line.\r\nThird."
    spans = text.paragraphs(body)
    assert [body[s:e] for s, e in spans] == ["First line.", "Second line.", "Third."]
    assert text.clip((2, 30), spans[1]) == (0, 12)
    assert text.clip((0, 3), spans[1]) is None


def test_a_snippet_near_the_end_still_starts_on_a_word() -> None:
    # The match is near the end, so the snippet is pulled back to show a full width.
    body = "An astronomer in Chile, Rosa Ibarra, found the comet on Tuesday night. " * 3 + "She named it."
    words = set(body.split())
    for width in range(150, 200):
        cut = text.snippet(body, text.question_stems("named"), width=width)
        assert cut.startswith("…") and "named" in cut
        assert cut[1:].split()[0] in words, cut  # a whole word, not its tail ("…stronomer")
