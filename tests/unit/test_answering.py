import numpy as np

from archive.answering import MIN_TERM_COVERAGE, confidence, score_sentences, select_citations


def test_the_sentence_matching_the_question_wins() -> None:
    scored = score_sentences(
        ["releas", "detaine"],
        [["weather", "sunni"], ["israel", "releas", "five", "detaine"], ["detaine", "held"]],
        np.array([0.1, 0.7, 0.5], dtype=np.float32),
        [0, 1, 2],
    )
    assert scored[0].index == 1
    assert confidence(scored[0]) == np.float32(0.7)


def test_low_confidence_abstains() -> None:
    scored = score_sentences(["boil", "point"], [["israel", "border"]], np.array([0.12], dtype=np.float32), [0])
    assert select_citations(scored, k=5, min_confidence=0.38) == []


def test_close_runners_up_are_cited_too() -> None:
    scored = score_sentences(
        ["releas", "detaine"],
        [["releas", "five", "detaine"], ["releas", "six", "detaine"], ["border", "talk"]],
        np.array([0.72, 0.70, 0.2], dtype=np.float32),
        [0, 1, 2],
    )
    chosen = select_citations(scored, k=5, min_confidence=0.38)
    assert [c.index for c in chosen] == [0, 1]


def test_k_caps_the_citations() -> None:
    scored = score_sentences(["a"], [["a"], ["a"], ["a"]], np.array([0.9, 0.9, 0.9], dtype=np.float32), [0, 0, 0])
    assert len(select_citations(scored, k=2, min_confidence=0.38)) == 2


def test_without_embeddings_term_coverage_decides() -> None:
    terms = ["releas", "detaine", "israel"]
    full = score_sentences(terms, [["israel", "releas", "detaine"]], None, [0])
    partial = score_sentences(terms, [["israel", "border"]], None, [0])
    assert full[0].dense is None
    assert confidence(full[0]) == 1.0 >= MIN_TERM_COVERAGE
    assert select_citations(full, k=3, min_confidence=0.38)
    assert select_citations(partial, k=3, min_confidence=0.38) == []
