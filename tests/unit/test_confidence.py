"""The answer's confidence (`archive.confidence`): its features from scored candidates, and the model."""

import pytest

from archive.confidence import FEATURES, confidence, features, focus_coverage
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
    assert values["focus_coverage"] == pytest.approx(2 / 3)  # no article: who, releas, detaine weigh alike


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


def test_confidence_is_a_probability_that_rises_with_the_score_and_falls_without_the_answer_type() -> None:
    answering = features(QUESTION, IDF, scored(0.8, 0.6, 0.4), SIGNALS)
    weaker = (0.6, *answering[1:])
    untyped = (answering[0], 0.0, *answering[2:])
    assert 0.0 < confidence(weaker) < confidence(answering) < 1.0
    assert confidence(untyped) < confidence(answering)
