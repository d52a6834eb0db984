"""English the archive knows: month and weekday names, number words, question words, analysed terms.

The one home of this knowledge for `archive/` and `tui/` alike. Word matching goes through
the index analyzer (`index.analysis`: tokenizer, lower case, stop list, Porter stem), so
the terms derived here are exactly the ones retrieval matches. Pure data and functions.
"""

from __future__ import annotations

import re

from index import analysis

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# The three-letter forms ("Jan", "May", "Sep").
MONTH_SHORT_NAMES = tuple(name[:3] for name in MONTH_NAMES)
# Abbreviations news text writes before a day ("Sept. 5, 2024"); May has none.
MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Number words up to twelve: what a count in a sentence most often looks like.
SMALL_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
NUMBER_WORDS = {
    **SMALL_NUMBERS,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "thousand": 1000, "dozen": 12,
}  # fmt: skip
# Words that multiply the number before them ("4 million").
SCALE_WORDS = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
# Words for a large quantity on their own ("dozens of", "thousands"), singular forms.
QUANTITY_WORDS = ("dozen", "hundred", "thousand", "million", "billion")

# How a question asking for a number or a date begins (matched on the lower-cased question).
NUMBER_QUESTIONS = ("how many", "how much", "what percentage", "what number", "how long", "how old", "how far")
# How a question asking for a size begins ("how thick is the ice shell?"): it asks for a figure too,
# though the scorer does not treat it as a number question (its weights were fitted without these).
SIZE_QUESTIONS = (
    "how thick", "how deep", "how tall", "how high", "how big", "how large", "how wide", "how heavy", "how fast",
    "how hot", "how cold", "how small", "how short", "how low",
)  # fmt: skip
# How a question asking for a name (of a person or a place) begins; "the name of" anywhere asks too.
NAME_QUESTIONS = ("who ", "whom ", "whose ", "where ")
DATE_QUESTIONS = ("when", "what year", "in what year", "which year", "in which year", "what date", "on what date")
# The analysed terms of the number-question words ("mani", "percentag"): never what is counted.
NUMBER_QUESTION_TERMS = frozenset(analysis.terms(" ".join(NUMBER_QUESTIONS)))

# How a sentence opens when it leans on the sentence before for its subject ("He ...", "The
# company ..."): its answer may be there while the question's words are in its predecessor.
LEANING_OPENINGS = frozenset(
    {"he", "she", "it", "they", "his", "her", "its", "their", "this", "these", "those", "there", "such", "both"}
)


def leans_back(sentence: str) -> bool:
    """Whether `sentence` opens with a pronoun or determiner, or "The" and a lower-case word ("The city ...")."""
    words = sentence.split(maxsplit=2)
    if not words:
        return False
    first = words[0].strip("\"'“‘(,.").lower()
    if first in LEANING_OPENINGS:
        return True
    return first == "the" and len(words) > 1 and words[1][:1].islower()


# Function words never taken as what a number counts (compared with analysed terms).
COUNTING_STOP_WORDS = frozenset(
    {"a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "and", "or", "with", "from", "as", "is", "was",
     "were", "are", "be", "been"}
)  # fmt: skip


# Words a question asks with, not about: a question of these alone ("what is it?", "who was
# he?") names nothing the archive could hold an answer about, whatever retrieval returns.
ASKING_WORDS = (
    LEANING_OPENINGS
    | COUNTING_STOP_WORDS
    | frozenset(
        ["what", "who", "whom", "whose", "which", "where", "when", "why", "how", "many", "much", "being", "do",
         "does", "did", "done", "can", "could", "would", "should", "will", "shall", "may", "might", "must", "has",
         "have", "had", "him", "them", "me", "my", "i", "we", "us", "our", "you", "your", "that"]
    )
)  # fmt: skip
_WORDS = re.compile(r"[^\W\d_][\w'’-]*")


def names_something(question: str) -> bool:
    """Whether `question` names anything beyond the words it asks with (`ASKING_WORDS`). A
    capitalised word after the first always names something ("What is the US?", "Who is May?");
    a question with no words at all ("???") is left for retrieval to judge."""
    words = _WORDS.findall(question)
    return not words or any(
        word.lower() not in ASKING_WORDS or (i > 0 and word[0].isupper()) for i, word in enumerate(words)
    )


def month_number(name: str) -> int:
    """1-12 for a month name or an abbreviation of at least three letters ("Sept", "Janu"), else 0."""
    name = name.lower()
    if len(name) >= 3:
        for number, full in enumerate(MONTH_NAMES, start=1):
            if full.lower().startswith(name):
                return number
    return 0


def distinct_terms(text: str) -> list[str]:
    """The distinct analysed terms of `text` in order of first occurrence: what retrieval matches."""
    return analysis.unique_terms(text)


def term_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, term) for every analysed term of `text`: which words a term came from."""
    return analysis.term_spans(text)
