"""When two sentences disagree: same quantity (counted thing, unit, places, periods), values that no hedge reconciles.

Real sentences: the issue's kinds of false disagreement (rates against counts, one country
against another, a quarter against a total), the seed articles' five-vs-six detainees, and
planted conflicts (the same sentence with its figure changed).
"""

from __future__ import annotations

import pytest

from archive.claims import disagree
from archive.number_words import read_number
from archive.periods import figure_periods as periods
from archive.places import places
from archive.quantities import mentions, tokens
from archive.readings import question_ask, read, read_all
from tests.support import SEED_QUESTION

FIVE = "“As a goodwill gesture toward newly elected Lebanese President Joseph Aoun, and in coordination with the United States, Israel has agreed to release five Lebanese detainees,” he said."  # noqa: E501
SIX = "Sources familiar with the matter, speaking on condition of anonymity, stated, “Red Cross vehicles are en route to the Naqoura border area with Israel to receive six Lebanese detainees held by the Israeli army for weeks.”"  # noqa: E501
SIX_OF_ELEVEN = "Earlier on Tuesday, the pro-Hezbollah Lebanese newspaper Al-Akhbar reported that Israel was expected to release six Lebanese civilian detainees out of a total of 11 at the Ras Naqoura border crossing later in the day."  # noqa: E501


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("three hundred", 300.0),
        ("twenty-five", 25.0),
        ("Seventy-eight", 78.0),
        ("two hundred and fifty", 250.0),
        ("5 million", 5_000_000.0),
        ("1.2bn", 1_200_000_000.0),
        ("300M", 300_000_000.0),
        ("4,115", 4115.0),
        ("a dozen", 12.0),
        ("three hundred thousand", 300_000.0),
    ],
)
def test_numbers_written_in_words_or_digits_are_read(text: str, value: float) -> None:
    read_ = read_number(tokens(text), 0)
    assert read_ is not None and read_[0] == value


def _roles(sentence: str) -> list[tuple[float, str]]:
    return [(m.value, m.role) for m in mentions(sentence)]


def test_rates_shares_bases_years_and_ordinals_are_told_from_counts() -> None:
    assert _roles("The UK had 7.5 broadband connections per 100 people at the end of June, the OECD said.") == [
        (7.5, "rate"),
        (100.0, "base"),
    ]
    assert _roles(SIX_OF_ELEVEN) == [(6.0, "count"), (11.0, "base")]
    assert _roles("About 17% of their staff, or 340 people, left in 2019.") == [
        (17.0, "percent"),
        (340.0, "count"),
        (2019.0, "date"),
    ]
    assert _roles("More than a third of WeWork’s 12,000 employees will likely receive notice this week.") == [
        (12_000.0, "base")
    ]
    assert _roles("Border agents say $53 million a week is coming across the border in drugs.") == [(53e6, "rate")]
    assert _roles("Wales beat Hungary 2-0 to earn the 20th spot on Tuesday.")[-1] == (20.0, "ordinal")


def test_hedges_units_and_periods_are_read() -> None:
    (israelis, palestinians) = mentions(
        "More than 600,000 Israelis live in settlements in east Jerusalem and the West Bank, alongside more than "
        "three million Palestinians."
    )
    assert (israelis.value, israelis.hedge, israelis.phrase) == (600_000.0, "min", ("israelis", "live"))
    assert (palestinians.value, palestinians.hedge) == (3_000_000.0, "min")
    (price,) = mentions("Ithaca Holdings purchased Big Machine for $300M in a deal backed by The Carlyle Group.")
    assert (price.value, price.unit) == (300e6, "$")
    assert periods("Some 600,000 new connections were made in the last three months.") == {"three months"}
    assert periods("Revenues from the tariffs have totaled about $63 billion through June 30, 2019.") == {
        "june",
        "2019",
    }


def test_only_the_figure_that_counts_the_asked_thing_is_the_value() -> None:
    ask = question_ask("How many Panthers defense players were selected for the Pro Bowl?")  # XQuAD-R dev
    sentence = (
        "The Panthers defense gave up just 308 points, ranking sixth in the league, while also leading the NFL in "
        "interceptions with 24 and boasting four Pro Bowl selections."
    )
    assert read(sentence, ask).values == {4.0}


def test_places_are_named_countries_and_their_peoples() -> None:
    assert places(FIVE) == {"lebanon", "united states", "israel"}
    assert places("Some 5 million people in the UK now browse the net via broadband.") == {"united kingdom"}
    assert places("The turkey was served on china plates.") == frozenset()


def test_seed_five_and_six_detainees_disagree() -> None:
    ask = question_ask(SEED_QUESTION)
    five, six, six_of_eleven = read(FIVE, ask), read(SIX, ask), read(SIX_OF_ELEVEN, ask)
    assert (five.values, six.values, six_of_eleven.values) == ({5.0}, {6.0}, {6.0})
    assert disagree(five, six, ask.focus)
    assert not disagree(six, six_of_eleven, ask.focus)


def test_a_rate_is_not_the_answer_to_a_count_and_a_count_not_to_a_rate() -> None:
    rate = "The UK had 7.5 broadband connections per 100 people at the end of June, the OECD said."
    count = "Some 600,000 new broadband connections were added in the UK in the last three months, the regulator said."
    asks_rate = question_ask("How many broadband connections per 100 people does the UK have?")
    assert (read(rate, asks_rate).values, read(count, asks_rate).values) == ({7.5}, frozenset())
    asks_count = question_ask("How many broadband connections were added in the UK?")
    assert (read(rate, asks_count).values, read(count, asks_count).values) == (frozenset(), {600_000.0})
    assert not disagree(read(rate, asks_rate), read(count, asks_rate), asks_rate.focus)


def test_figures_about_another_country_are_not_the_answer_nor_a_disagreement() -> None:
    ask = question_ask("How many people browse the net via broadband in the UK?")
    uk = read("Some 5 million people in the UK now browse the net via broadband.", ask)
    korea = read("In South Korea, 54 million people browse the net via broadband connections.", ask)
    assert (uk.values, korea.values) == ({5e6}, frozenset())
    ask_anywhere = question_ask("How many consoles did Sony sell?")
    japan = read("Sony sold 3.2 million consoles in Japan during the holidays.", ask_anywhere)
    us = read("Sony sold 5.1 million consoles in the US during the holidays.", ask_anywhere)
    assert (japan.values, us.values) == ({3.2e6}, {5.1e6})
    assert not disagree(japan, us, ask_anywhere.focus)


def test_a_period_figure_and_a_total_are_different_quantities() -> None:
    ask = question_ask("How many subscribers does the service have?")
    total = read("The streaming service has 2 million subscribers, the company said.", ask)
    quarter = read("The streaming service added 400,000 subscribers in the last three months.", ask)
    assert (total.values, quarter.values) == ({2e6}, {400_000.0})
    assert not disagree(total, quarter, ask.focus)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("From 2010 to 2015 there were 3248 cases reported worldwide, including 584 deaths.",
         "According to WHO, there were 3,248 cases reported worldwide between 2010 and 2015, with 584 deaths."),
        ("More than 600,000 Israelis live in settlements in east Jerusalem and the West Bank.",
         "About 620,000 Israelis live in settlements in east Jerusalem and the West Bank."),
        ("Jordan had admitted more than 1.4 million Syrian refugees as of 2016.",
         "Jordan had admitted 1,412,000 Syrian refugees as of 2016."),
    ],
)  # fmt: skip
def test_figures_that_a_hedge_or_rounding_reconciles_do_not_disagree(a: str, b: str) -> None:
    ask = question_ask("How many cases were reported worldwide?" if "cases" in a else "How many live there?")
    if "refugees" in a:
        ask = question_ask("How many Syrian refugees had Jordan admitted?")
    if "Israelis" in a:
        ask = question_ask("How many Israelis live in settlements?")
    ra, rb = read(a, ask), read(b, ask)
    assert ra.values and rb.values
    assert not disagree(ra, rb, ask.focus)


@pytest.mark.parametrize(
    ("question", "sentence", "planted"),
    [
        (SEED_QUESTION, FIVE, FIVE.replace("five Lebanese", "seven Lebanese")),
        ("How many deaths did the conflict cause?",
         "The conflict resulted in 4,115 deaths and 16,909 injuries, including a large number of women and children.",
         "The conflict resulted in 6,172 deaths and 16,909 injuries, including a large number of women and children."),
        ("How many people who came into contact with the patient were quarantined?",
         "The Associated Press reports that 28 people who came into contact with the patient were quarantined.",
         "The Associated Press reports that 42 people who came into contact with the patient were quarantined."),
        ("How much did Ithaca Holdings pay for Big Machine?",
         "The drama began when Braun’s Ithaca Holdings purchased Big Machine for $300M in a deal.",
         "The drama began when Braun’s Ithaca Holdings purchased Big Machine for $450M in a deal."),
        ("How many paintings did John Sheepshanks give to the museum?",  # XQuAD-R dev
         "In 1857 John Sheepshanks donated 233 paintings, mainly by contemporary British artists, and a similar "
         "number of drawings to the museum.",
         "In 1857 John Sheepshanks donated 350 paintings, mainly by contemporary British artists, and a similar "
         "number of drawings to the museum."),
        ("How many settlers originally settled in Manakintown?",  # XQuAD-R dev
         "Of the original 390 settlers in the isolated settlement, many had died; others lived outside town.",
         "Of the original 585 settlers in the isolated settlement, many had died; others lived outside town."),
    ],
)  # fmt: skip
def test_planted_conflicts_disagree(question: str, sentence: str, planted: str) -> None:
    ask = question_ask(question)
    original, changed = read(sentence, ask), read(planted, ask)
    assert original.values and changed.values and original.values != changed.values
    assert disagree(original, changed, ask.focus)


def test_copies_of_one_sentence_with_a_changed_figure_disagree_even_unread() -> None:
    # "Webb, 51," is an age no question word sits next to: only the copy with another figure shows it.
    ask = question_ask("How old is Michael Webb, convicted of kidnapping the girl?")
    original = (
        "Following a two-day trial in September, a federal jury in Fort Worth deliberated for less than 10 minutes "
        "before convicting Webb, 51, of kidnapping the girl."
    )
    planted = original.replace("Webb, 51,", "Webb, 76,")
    assert read(original, ask).values == frozenset()
    readings = read_all({0: original, 1: planted}, ask)
    assert (readings[0].values, readings[1].values) == ({51.0}, {76.0})
    assert disagree(readings[0], readings[1], ask.focus)


def test_a_differing_figure_beside_an_agreeing_answer_is_no_disagreement() -> None:
    ask = question_ask("How many deaths did the conflict cause?")
    a = "The conflict resulted in 4,115 deaths and 16,909 injuries, including women and children."
    b = "The conflict resulted in 4,115 deaths and 17,002 injuries, including women and children."
    readings = read_all({0: a, 1: b}, ask)
    assert (readings[0].values, readings[1].values) == ({4115.0}, {4115.0})
    assert not disagree(readings[0], readings[1], ask.focus)


def test_a_change_is_not_a_level_and_a_sentence_about_someone_else_is_no_answer_to_compare() -> None:
    ask = question_ask("How many companies are now eligible to bid on NASA's lunar payload deliveries?")
    total = read("All 14 companies are now eligible to bid on NASA's future task orders for lunar deliveries.", ask)
    added = read("NASA announced Nov. 18 that it was adding five companies to a contract for lunar deliveries.", ask)
    assert (total.values, added.values) == ({14.0}, {5.0})
    assert not disagree(total, added, ask.focus)
    sacks = question_ask("How many career sacks did Jared Allen have?")  # XQuAD-R dev
    davis = read("Davis compiled 5½ sacks, four forced fumbles, and four interceptions.", sacks)
    addison = read("Fellow lineman Mario Addison added 6½ sacks.", sacks)
    assert davis.values and addison.values
    assert not disagree(davis, addison, sacks.focus)
