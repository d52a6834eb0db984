"""The fast analyzer must give exactly Whoosh's terms: the sidecar and the Whoosh store agree."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from index import analysis

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def whoosh_terms(text: str) -> list[str]:
    return [token.text for token in analysis.whoosh_analyzer()(text)]


def test_seed_articles_analyse_exactly_as_whoosh_does() -> None:
    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.rglob("*")) if path.is_file()]
    assert texts
    for text in texts:
        assert analysis.terms(text) == whoosh_terms(text)


def test_awkward_words_analyse_exactly_as_whoosh_does() -> None:
    text = "İstanbul ÉCOLE 3.14 U.S.A. a*b foo_bar x... straße ǅemal 一二三 ١٢٣ café I a an The running"
    assert analysis.terms(text) == whoosh_terms(text)
    assert "rocket" in analysis.terms(text + " rockets")  # stemmed
    assert "the" not in analysis.terms(text)  # stop word


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_any_text_analyses_exactly_as_whoosh_does(text: str) -> None:
    assert analysis.terms(text) == whoosh_terms(text)


def test_unique_terms_keep_first_occurrence_order() -> None:
    assert analysis.unique_terms("rockets rocket fired fire rockets") == ["rocket", "fire"]
