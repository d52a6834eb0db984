"""Choosing citations: figures that disagree, reprints counted once, outlets taking turns."""

from archive.candidates import CandidateSentence
from archive.scoring import ScoredSentence
from archive.selection import Choice, add_dissent, collapse_reprints, diversify


def choice(index: int, score: float, article_id: str, text: str = "x", story: str = "", outlet: str = "") -> Choice:
    sentence = CandidateSentence(index, article_id, 0, 0, len(text), text, 0, 0, story or article_id, outlet)
    return ScoredSentence(index, score, None, 0.0, 0.0), sentence


def test_dissent_adds_sentences_giving_a_figure_above_the_floor() -> None:
    scored = [ScoredSentence(i, score, None, 0.0, 0.0) for i, score in enumerate([0.9, 0.7, 0.56, 0.5])]
    values = {0: frozenset({5.0}), 1: frozenset({6.0}), 2: frozenset({5.0}), 3: frozenset()}
    chosen = add_dissent([scored[0]], scored, values, min_confidence=0.4)
    # the floor is 0.6 * 0.9 = 0.54: the six and the second five join, the sentence with no figure does not
    assert [s.index for s in chosen] == [0, 1, 2]


def test_a_reprinted_sentence_is_kept_once_and_names_its_copies() -> None:
    kept, copies = collapse_reprints(
        [
            choice(0, 0.9, "wire", "Israel  released five.", story="wire"),
            choice(1, 0.8, "reprint", "israel released five.", story="wire"),
            choice(2, 0.7, "other", "Israel released five.", story="other"),
        ]
    )
    assert [sentence.article_id for _, sentence in kept] == ["wire", "other"]
    assert copies == {0: ["reprint"]}


def test_outlets_take_turns_and_are_capped_and_unknown_outlets_keep_their_place() -> None:
    choices = [
        choice(0, 0.9, "a1", outlet="Wire"),
        choice(1, 0.85, "a2", outlet="wire"),
        choice(2, 0.8, "a3", outlet="Wire"),
        choice(3, 0.75, "b1", outlet="Daily"),
        choice(4, 0.7, "u1"),
    ]
    assert [sentence.article_id for _, sentence in diversify(choices, per_outlet=2)] == ["a1", "b1", "u1", "a2"]
    assert len(diversify(choices, per_outlet=0)) == 5
