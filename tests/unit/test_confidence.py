"""The answer's confidence (`archive.confidence`): its features from scored candidates, and the model."""

import pytest

from archive.confidence import FEATURES, answer_type_found, confidence, features
from archive.scoring import ScoredSentence
from archive.signals import SentenceSignals

QUESTION = "Who released the detainees?"
IDF = {"who": 1.0, "releas": 2.0, "detaine": 3.0}
SIGNALS = [
    SentenceSignals(["yesterdai", "israel", "releas", "detaine"], "Yesterday Israel released the detainees.", 0, 0.7),
    SentenceSignals(["detaine", "held"], "The detainees were held.", 0, 0.6),
    SentenceSignals(["border", "talk"], "Border talks went on.", 1, 0.2),
]
# The analysed terms of the best sentence's article ("Yesterday Israel released the detainees.
# Officials who met at the border confirmed it."): it writes "who", the best sentence does not.
ARTICLE = ["yesterdai", "israel", "releas", "detaine", "offici", "who", "met", "border", "confirm"]


def scored(*scores: float) -> list[ScoredSentence]:
    """Candidates in index order with these scores, returned best first as `score_sentences` does."""
    ranked = [ScoredSentence(i, s, 0.5, 0.5, 0.5) for i, s in enumerate(scores)]
    return sorted(ranked, key=lambda s: -s.score)


def test_features_of_the_best_sentence() -> None:
    values = dict(zip(FEATURES, features(QUESTION, IDF, scored(0.8, 0.6, 0.4), SIGNALS, ARTICLE), strict=True))
    assert values["score"] == 0.8
    assert values["answer_type"] == 1.0  # "Israel": a name the question lacks
    assert values["word_coverage"] == pytest.approx(2 / 3)  # releas, detaine of who, releas, detaine
    assert values["novelty"] == pytest.approx(2 / 4)  # yesterdai, israel
    assert values["peak"] == pytest.approx(0.8 - 0.5)  # above the mean of 0.6 and 0.4
    assert values["article_coverage"] == 1.0  # who, releas, detaine: all in the article
    assert values["cosine"] == 0.7


def test_without_the_model_the_score_stands_in_for_the_cosine_and_no_article_covers_nothing() -> None:
    lexical = [SentenceSignals(["israel", "releas", "detaine"], "Israel released the detainees.", 0)]
    values = dict(zip(FEATURES, features(QUESTION, IDF, scored(0.9), lexical), strict=True))
    assert values["cosine"] == 0.9
    assert values["article_coverage"] == 0.0


def test_a_lone_candidate_has_no_peak_and_no_candidates_mean_zeros() -> None:
    assert features(QUESTION, IDF, scored(0.8), SIGNALS[:1])[FEATURES.index("peak")] == 0.0
    assert features(QUESTION, IDF, [], []) == (0.0,) * len(FEATURES)


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("Who released the detainees?", "The detainees were released by Israel.", 1.0),
        ("Who released the detainees?", "Israel released the detainees.", 0.0),  # only the opening word
        ("Who painted the Mona Lisa?", "The Mona Lisa hangs in a museum.", 0.0),  # names from the question
        ("What was the name of the kidnapped girl?", "The girl was found in Fort Worth.", 1.0),
        ("What were the names of the victims?", "The victims were not identified.", 0.0),
        ("How many detainees were freed?", "Five detainees were freed.", 1.0),
        ("How many detainees were freed?", "Some detainees were freed.", 0.0),
        ("What did Israel agree to?", "It agreed to talks.", 1.0),
        # A month or a weekday is neither who nor where.
        ("Who released the detainees?", "The detainees were released on Monday.", 0.0),
        ("Where were the detainees released?", "The detainees were released in March.", 0.0),
        ("Where is Julian Assange being held?", "He is currently being held at Belmarsh prison in London.", 1.0),
        # A figure must count what is asked (the conflict reader), or be an amount with a unit.
        ("How many continents are there?", "The lander will be launched in three parts.", 0.0),
        ("How many plague cases were reported?", "There were 3,248 cases reported worldwide, with 584 deaths.", 1.0),
        ("How much is NASA's budget request?", "Lawmakers are debating the agency's request for $22.6bn.", 1.0),
        ("How much were the Browns fined?", "The Browns lost three games in a row.", 0.0),
        ("How long was Assange jailed?", "He was sentenced to 50 weeks in jail.", 1.0),
        # A size question asks for a figure too.
        ("How thick is the ice shell of Europa?", "Its ice shell is 15 to 25 km thick.", 1.0),
        ("How thick is the ice shell of Europa?", "A radar will study the shell during 45 flybys.", 0.0),
    ],
)
def test_answer_type_found(question: str, sentence: str, expected: float) -> None:
    assert answer_type_found(question, sentence) == expected


def test_confidence_is_a_probability_that_rises_with_the_score_and_falls_without_the_answer_type() -> None:
    answering = features(QUESTION, IDF, scored(0.8, 0.6, 0.4), SIGNALS)
    weaker = (0.6, *answering[1:])
    untyped = (answering[0], 0.0, *answering[2:])
    assert 0.0 < confidence(weaker) < confidence(answering) < 1.0
    assert confidence(untyped) < confidence(answering)
