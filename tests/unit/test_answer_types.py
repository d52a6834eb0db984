"""What kind of answer a question asks for, and whether a sentence gives it (`archive.answer_types`)."""

import pytest

from archive.answer_types import answer_type_found, number_or_date_found


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
        # Readings that would misfire on ordinary news sentences.
        ("When will the ceasefire start?", "It will start after the talks end.", 0.0),  # a date is asked
        ("How old is Webb?", "He arrived at 10 a.m.", 0.0),
        ("How old is Webb?", "Rooms 12, 14, and 16 were searched.", 0.0),
        ("How old is Webb?", "Aged 42, Webb left the company.", 1.0),
        ("How old is Webb?", "Webb (51) pleaded guilty.", 1.0),
        ("How much time did he spend in jail?", "He spent 50 weeks in jail.", 1.0),  # time, not money
        ("How many times did he win the cup?", "He told The New York Times he won.", 0.0),
        ("How many workers were hired?", "The firm hired part-time workers.", 0.0),
        ("What percentage of voters backed him?", "The majority leader spoke in the third quarter.", 0.0),
        ("In what year did the number of cases peak?", "Cases peaked on 3 May.", 0.0),  # a year is asked
        ("In 2019, how many people died?", "It cost $5 million.", 0.0),
        ("How many detainees were freed?", "Detainees were freed.", 0.0),
        # Dates.
        ("When did the ceasefire start?", "It began on November 27, 2024.", 1.0),
        ("When did the ceasefire start?", "It began after the talks.", 0.0),
        ("When does the Three-Day Event take place?", "Visit the Three-Day Event, Oct. 18–21, in Elkton.", 1.0),
        ("When did the hunter fall ill?", "He ate a wild rabbit on Nov. 5.", 1.0),
        ("When did the talks start?", "Nothing will mar 5 years of work.", 0.0),  # "mar" the verb
        # XQuAD-R's history: years before 1500 and decades are dates too.
        ("When was Temüjin elected khan of the Mongols?", "In 1186, Temüjin was elected khan of the Mongols.", 1.0),
        ("In what year was the Interstate Highway System created?", "It was created in the 1950s.", 1.0),
        ("In what year was the Interstate Highway System created?", "It was created after the war.", 0.0),
        ("What year was it founded?", "Its 300 members founded it.", 0.0),
        ("Why did the talks stall?", "Anything at all.", 1.0),  # no kind of answer asked
    ],
)
def test_answer_type_found(question: str, sentence: str, expected: float) -> None:
    assert answer_type_found(question, sentence) == expected


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("How many detainees were freed?", "Some detainees were freed.", 0.0),
        ("How many continents are there?", "The lander will be launched in three parts.", 1.0),  # any number
        ("When did the ceasefire start?", "It began after the talks.", 0.0),
        ("Who mediated?", "Anything at all.", 1.0),  # names are not read
    ],
)
def test_the_score_reads_only_numbers_and_dates(question: str, sentence: str, expected: float) -> None:
    assert number_or_date_found(question, sentence) == expected
