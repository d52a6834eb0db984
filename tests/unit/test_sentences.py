import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.sentences import split_sentences
from bench.datasets import XQUAD


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_abbreviations_times_and_decimals_do_not_split() -> None:
    text = (
        "The U.S. envoy met Gen. Smith at No. 5 Main St. on Tuesday. As of 3:20 PM GMT, no statement "
        "had been issued. Inflation rose 3.5 percent. Prices fell."
    )
    assert sentences(text) == [
        "The U.S. envoy met Gen. Smith at No. 5 Main St. on Tuesday.",
        "As of 3:20 PM GMT, no statement had been issued.",
        "Inflation rose 3.5 percent.",
        "Prices fell.",
    ]


def test_quotes_stay_with_their_sentence() -> None:
    text = "“We agree,” he said. He added: “It is done.” Then he left."
    assert sentences(text) == ["“We agree,” he said.", "He added: “It is done.”", "Then he left."]


def test_lines_never_share_a_sentence() -> None:
    text = "Israel and Lebanon Agree to Border Talks\nThe U.S. news website Axios reported it.\n\n  Next line"
    assert sentences(text) == [
        "Israel and Lebanon Agree to Border Talks",
        "The U.S. news website Axios reported it.",
        "Next line",
    ]


def test_boundary_f1_on_xquad_gold_breaks_is_high() -> None:
    if not XQUAD.exists():  # a clone without ../shared beside it (CI has it)
        pytest.skip(f"evaluation data not found at {XQUAD}; set ARCHIVE_EVAL_DATA")
    data = json.loads(XQUAD.read_text(encoding="utf-8"))
    tp = fp = fn = 0
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            text = paragraph["context"]
            gold = {text[:e].rstrip().__len__() for _, e in paragraph["sentence_breaks"][:-1]}
            predicted = {e for _, e in split_sentences(text)[:-1]}
            tp += len(gold & predicted)
            fp += len(predicted - gold)
            fn += len(gold - predicted)
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.98


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_spans_slice_back_cover_the_text_and_never_overlap(text: str) -> None:
    spans = split_sentences(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip()
        assert "\n" not in piece
        assert text[previous_end:start].strip() == ""
        previous_end = end
    assert text[previous_end:].strip() == ""
