"""Sentence scoring (`archive.scoring`) and the first cut of citations (`archive.selection`)."""

import pytest

from archive.scoring import idf_coverage, lexical_scores, score_sentences
from archive.selection import select_citations
from archive.signals import SentenceSignals

IDF = {"releas": 2.0, "detaine": 3.0}


def signals(
    terms: list[str], text: str = "", cosine: float | None = 0.5, passage: float | None = 0.5
) -> SentenceSignals:
    return SentenceSignals(terms, text, 0, cosine, passage)


def test_the_sentence_matching_the_question_wins() -> None:
    scored = score_sentences(
        "How many detainees did Israel release?",
        IDF,
        [
            signals(["weather", "sunni"], "The weather was sunny.", 0.1, 0.3),
            signals(["israel", "releas", "five", "detaine"], "Israel released five detainees.", 0.7, 0.6),
            signals(["detaine", "held"], "Detainees were held.", 0.5, 0.6),
        ],
    )
    assert scored[0].index == 1
    assert scored[0].score > scored[1].score


def test_idf_coverage_weights_rare_terms() -> None:
    assert idf_coverage(IDF, ["detaine"]) == pytest.approx(0.6)
    assert idf_coverage(IDF, ["releas", "detaine", "other"]) == pytest.approx(1.0)
    assert idf_coverage({}, ["x"]) == 0.0


def test_low_confidence_abstains() -> None:
    scored = score_sentences("boiling point", {"boil": 5.0, "point": 2.0}, [signals(["israel"], "", 0.05, 0.1)])
    assert select_citations(scored, k=5, min_confidence=0.4, relative_cutoff=0.8) == []
    assert scored[0].score < 0.4


def test_close_runners_up_are_cited_too_and_k_caps_them() -> None:
    scored = score_sentences(
        "How many detainees were released?",
        IDF,
        [
            signals(["releas", "five", "detaine"], "released five detainees", 0.72, 0.7),
            signals(["releas", "six", "detaine"], "released six detainees", 0.70, 0.7),
            signals(["border", "talk"], "border talks", 0.2, 0.3),
        ],
    )
    assert [c.index for c in select_citations(scored, k=5, min_confidence=0.3, relative_cutoff=0.8)] == [0, 1]
    assert [c.index for c in select_citations(scored, k=1, min_confidence=0.3, relative_cutoff=0.8)] == [0]


def test_without_embeddings_the_lexical_signals_decide() -> None:
    full = score_sentences("released detainees", IDF, [signals(["releas", "detaine"], "x", None, None)])
    none = score_sentences("released detainees", IDF, [signals(["border"], "x", None, None)])
    assert full[0].dense is None
    assert full[0].score == pytest.approx(1.0)
    assert none[0].score < 0.3


def test_a_sentence_in_the_named_period_is_preferred_when_otherwise_equal() -> None:
    plain = SentenceSignals(["releas"], "x", 0, 0.5, 0.5, in_period=False)
    dated = SentenceSignals(["releas"], "x", 0, 0.5, 0.5, in_period=True)
    scored = score_sentences("released in March 2025", {"releas": 1.0}, [plain, dated])
    assert scored[0].index == 1


def test_lexical_scores_are_relative_to_the_best_sentence() -> None:
    scores = lexical_scores(["releas", "detaine"], [["releas", "detaine"], ["releas"], ["border"]])
    assert scores[0] == 1.0
    assert 0.0 < scores[1] < 1.0
    assert lexical_scores([], [["releas"]]) == [0.0]
    assert lexical_scores(["releas"], [[], []]) == [0.0, 0.0]


def test_a_sentence_leaning_on_the_one_naming_the_subject_shares_its_match() -> None:
    # "Tesla was renowned ..." holds the question's rare word; "His patents ..." answers.
    idf = {"tesla": 4.0, "financ": 2.0, "work": 1.0}
    named = SentenceSignals(["tesla", "renown", "work"], "Tesla was renowned for his work.", 0, 0.5, 0.5)
    # Its (late-chunked) cosine is the higher, but not by enough to beat the repeated words alone.
    alone = SentenceSignals(
        ["patent", "earn", "monei", "financ"], "His patents earned money to finance it.", 0, 0.76, 0.5
    )
    leaning = SentenceSignals(alone.terms, alone.text, 0, 0.76, 0.5, leans_on=0)
    question = "How did Tesla finance his work?"
    assert score_sentences(question, idf, [named, alone])[0].index == 0
    scored = score_sentences(question, idf, [named, leaning])
    assert scored[0].index == 1
    # The bonus is WEIGHT_LEANING (0.03) times the predecessor's coverage (5/7 of the IDF mass).
    by_index = {s.index: s.score for s in scored}
    plain = {s.index: s.score for s in score_sentences(question, idf, [named, alone])}
    assert by_index[1] - plain[1] == pytest.approx(0.03 * 5 / 7)
