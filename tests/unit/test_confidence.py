"""The answer's confidence (`archive.confidence`): its features from scored candidates, and the model."""

import pytest

from archive.confidence import FEATURES, answer_type_found, confidence, features, focus_coverage
from archive.scoring import ScoredSentence
from archive.signals import SentenceSignals

QUESTION = "Who released the detainees?"
IDF = {"who": 1.0, "releas": 2.0, "detaine": 3.0}
SIGNALS = [
    SentenceSignals(["yesterdai", "israel", "releas", "detaine"], "Yesterday Israel released the detainees.", 0, 0.7),
    SentenceSignals(["detaine", "held"], "The detainees were held.", 0, 0.6),
    SentenceSignals(["border", "talk"], "Border talks went on.", 1, 0.2),
]
# The analysed terms of each sentence of the best sentence's article ("Yesterday Israel released
# the detainees. Officials who met at the border confirmed it. The detainees were held."):
# "detaine" is its topic (two sentences of three), "releas" and "who" each come once.
ARTICLE = [
    ["yesterdai", "israel", "releas", "detaine"],
    ["offici", "who", "met", "border", "confirm"],
    ["detaine", "held"],
]


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
    # Weights log(4 / (df + 0.5)): who and releas (df 1) 0.981 each, detaine (df 2) 0.470;
    # the best sentence holds releas and detaine.
    assert values["focus_coverage"] == pytest.approx((0.981 + 0.470) / (0.981 + 0.981 + 0.470), abs=1e-3)
    assert values["cosine"] == 0.7


def test_without_the_model_the_score_stands_in_for_the_cosine_and_without_the_article_terms_weigh_alike() -> None:
    lexical = [SentenceSignals(["israel", "releas", "detaine"], "Israel released the detainees.", 0)]
    values = dict(zip(FEATURES, features(QUESTION, IDF, scored(0.9), lexical), strict=True))
    assert values["cosine"] == 0.9
    assert values["focus_coverage"] == pytest.approx(2 / 3)  # releas, detaine of who, releas, detaine


def test_focus_coverage_weighs_the_words_an_article_repeats_least() -> None:
    article = [["patrick", "campaign", "south"], ["patrick", "campaign", "fund"], ["patrick", "poll"]]
    question = ["deval", "patrick", "campaign", "manag"]
    # The topic words (patrick in all three sentences, campaign in two) weigh little beside
    # those the article never writes (deval, manag): a sentence holding only the topic covers
    # much less than its plain share of one half.
    topic_only = focus_coverage(question, {"patrick", "campaign"}, article)
    assert topic_only < 0.2
    assert focus_coverage(question, {"deval", "patrick", "campaign", "manag"}, article) == pytest.approx(1.0)
    assert focus_coverage(question, {"manag"}, article) > focus_coverage(question, {"campaign"}, article)
    assert focus_coverage([], {"manag"}, article) == 0.0


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
        # "How many" asks for a count of its thing: an amount of something else is no answer.
        ("How many new border patrol agents does he want to hire?", "$53 million a week is coming across.", 0.0),
        ("How many solar installers operate in South Korea?", "Installed capacity reached 1.64 GW.", 0.0),
        # Counts the figure reader does not take as values.
        ("How many times has Polonia won the cup?", "They also won the cup twice as well.", 1.0),
        ("How many Grammys has Lady Gaga won?", "Six-time Grammy winner Lady Gaga performed the anthem.", 1.0),
        ("How many original treaties protected rights?", "None of the original treaties mention rights.", 1.0),
        ("What percentage of the rainforests does the Amazon hold?", "It holds over half of them.", 1.0),
        # "How old" asks for an age, as news writes it.
        ("How old is James Van Der Beek?", "The former star, 42, was voted off on Monday.", 1.0),
        ("How old is Webb?", "Webb was found guilty after two months.", 0.0),
        ("How old was the hostage?", "He had been held since 2016.", 0.0),
        # "How much ... cost" asks for money.
        ("How much do tickets for the tour cost?", "The tour visits 50 cities in 2020.", 0.0),
        ("How much will NASA pay SpaceX?", "NASA plans to spend $2.6 billion.", 1.0),
        # A number asked for ("room number"), a year asked for, a condition asked by "when".
        ("In which room number was the girl held?", "He carried her into a room and held her.", 0.0),
        ("In which room number was the girl held?", "She was held in room 214.", 1.0),
        ("In what year did Bezos found Blue Origin?", "Bezos announced it earlier this year in May.", 0.0),
        ("In what year did Bezos found Blue Origin?", "Bezos founded Blue Origin in 2000.", 1.0),
        ("When does immunodeficiency occur?", "Immunodeficiency occurs when the immune system is weak.", 1.0),
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
