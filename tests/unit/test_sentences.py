import json
from collections.abc import Callable
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.sentences import SPLITTER, Splitter, blingfire_splitter, load_splitter, pysbd_splitter, split_sentences
from bench.datasets import XQUAD

# Both engines, each where this machine can load it (blingfire ships x86-64 libraries only).
ENGINES = [
    pytest.param(load, id=load.__name__.removesuffix("_splitter")) for load in (blingfire_splitter, pysbd_splitter)
]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Splitter:
    try:
        loaded: Splitter = request.param()
    except (ImportError, OSError) as exc:
        pytest.skip(f"not loadable here: {exc}")
    return loaded


def sentences(text: str, engine: Splitter | None = None) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text, engine)]


def test_the_splitter_in_use_is_the_first_that_loads() -> None:
    def broken() -> Splitter:
        raise OSError("libblingfiretokdll.so: cannot open shared object file (wrong ELF class)")

    fallback = load_splitter((broken, pysbd_splitter))
    assert fallback.name == "pysbd-lines-2" and fallback.library.startswith("pysbd 0.")
    assert SPLITTER.name in ("blingfire-lines-2", "pysbd-lines-2")
    with pytest.raises(ImportError, match=r"no sentence splitter could be loaded .*wrong ELF class"):
        load_splitter((broken,))


def test_abbreviations_times_and_decimals_do_not_split(engine: Splitter) -> None:
    text = (
        "The U.S. envoy met Gen. Smith at No. 5 Main St. on Tuesday. As of 3:20 PM GMT, no statement "
        "had been issued. Inflation rose 3.5 percent. Prices fell."
    )
    assert sentences(text, engine) == [
        "The U.S. envoy met Gen. Smith at No. 5 Main St. on Tuesday.",
        "As of 3:20 PM GMT, no statement had been issued.",
        "Inflation rose 3.5 percent.",
        "Prices fell.",
    ]


def test_sentences_a_page_glued_together_are_cut_apart(engine: Splitter) -> None:
    # From a saved jpost.com page, whose paragraphs are separated by empty elements.
    text = (
        "Fritz Eckart von Weizsäcker was stabbed to death, Kan reported on Wednesday.The stabbing occurred "
        "at the Schlosspark-Klinik in Berlin, where he worked as a chief physician.Police arrested a man."
    )
    assert sentences(text, engine) == [
        "Fritz Eckart von Weizsäcker was stabbed to death, Kan reported on Wednesday.",
        "The stabbing occurred at the Schlosspark-Klinik in Berlin, where he worked as a chief physician.",
        "Police arrested a man.",
    ]


def test_a_glued_join_is_cut_after_a_figure_a_closing_quote_or_before_any_capital() -> None:
    text = "Shares fell 3%.Investors fled. It was over.”The crowd left. Es war gestern.Über alles."
    assert sentences(text) == [
        "Shares fell 3%.",
        "Investors fled.",
        "It was over.”",
        "The crowd left.",
        "Es war gestern.",
        "Über alles.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The U.S.The end came.",  # initials
        "He met Dr.Smith there.",  # one lower-case letter before the stop
        "Read www.example.com/Page.Html now.",  # a web address
        "Visit news.Google.com today.",  # a host name
        "Write to bob@example.Com today.",  # an e-mail address
        "He met Gov.Newsom and Sen.Warren.",  # titles before a name
        "It was Mrs.Smith vs.Jones.",
        "Mice with B6.Cg-Tg(ACTB) were bred.",  # a strain's code, not a figure ending a sentence
    ],
)
def test_glued_cuts_leave_abbreviations_and_addresses_whole(text: str) -> None:
    assert sentences(text) == [text]


def test_quotes_stay_with_their_sentence(engine: Splitter) -> None:
    text = "“We agree,” he said. He added: “It is done.” Then he left."
    assert sentences(text, engine) == ["“We agree,” he said.", "He added: “It is done.”", "Then he left."]


def test_lines_never_share_a_sentence(engine: Splitter) -> None:
    text = "Israel and Lebanon Agree to Border Talks\nThe U.S. news website Axios reported it.\n\n  Next line"
    assert sentences(text, engine) == [
        "Israel and Lebanon Agree to Border Talks",
        "The U.S. news website Axios reported it.",
        "Next line",
    ]


@pytest.mark.parametrize(
    ("engine", "least"),
    [(blingfire_splitter, 0.99), (pysbd_splitter, 0.98)],
    ids=["blingfire", "pysbd"],
    indirect=["engine"],
)
def test_boundary_f1_on_xquad_gold_breaks_is_high(engine: Splitter, least: float) -> None:
    if not XQUAD.exists():  # a clone without ../shared beside it (CI has it)
        pytest.skip(f"evaluation data not found at {XQUAD}; set ARCHIVE_EVAL_DATA")
    data = json.loads(XQUAD.read_text(encoding="utf-8"))
    tp = fp = fn = 0
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            text = paragraph["context"]
            gold = {text[:e].rstrip().__len__() for _, e in paragraph["sentence_breaks"][:-1]}
            predicted = {e for _, e in split_sentences(text, engine)[:-1]}
            tp += len(gold & predicted)
            fp += len(predicted - gold)
            fn += len(gold - predicted)
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= least


@pytest.mark.parametrize("load", [blingfire_splitter, pysbd_splitter])
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_spans_slice_back_cover_the_text_and_never_overlap(load: Callable[[], Splitter], text: str) -> None:
    spans = split_sentences(text, _loaded(load))
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip()
        assert "\n" not in piece
        assert text[previous_end:start].strip() == ""
        previous_end = end
    assert text[previous_end:].strip() == ""


@cache
def _loaded(load: Callable[[], Splitter]) -> Splitter:
    return load()


def test_a_dateline_abbreviation_stays_with_its_sentence(engine: Splitter) -> None:
    # From a saved AP story: "ST." before "JOSEPH" is no sentence; "NO." before "It" is one.
    text = (
        "ST. JOSEPH, Mich. (AP) — Michigan health authorities are reporting a sixth death. "
        "Was it the last? NO. It is rare."
    )
    assert sentences(text, engine) == [
        "ST. JOSEPH, Mich. (AP) — Michigan health authorities are reporting a sixth death.",
        "Was it the last?",
        "NO.",
        "It is rare.",
    ]
