"""Markdown articles become the prose the archive stores and cites."""

from __future__ import annotations

from archive.markdown_text import inline_text, plain_text, without_title_heading

ARTICLE = """# City Zoo Welcomes Twin Snow Leopard Cubs

The cubs, named **Tashi** and *Nima*, were born on [March 3](https://zoo.example/news).
They weigh 500 grams each.

- Keepers feed them `goat milk`.
- Visitors may see them in May.

> "They are thriving," the head keeper said.

![A cub asleep](cub.jpg)

| Cub | Weight |
|---|---|
| Tashi | 520 g |

<div class="ad">Subscribe <b>now</b></div>

Tickets cost \\$5, and 3 \\* 4 = 12.
"""


def test_markup_goes_its_words_and_the_files_lines_stay() -> None:
    assert plain_text(ARTICLE).split("\n\n") == [
        "City Zoo Welcomes Twin Snow Leopard Cubs",
        "The cubs, named Tashi and Nima, were born on March 3.\nThey weigh 500 grams each.",
        "Keepers feed them goat milk.",
        "Visitors may see them in May.",
        '"They are thriving," the head keeper said.',
        "Cub | Weight",
        "Tashi | 520 g",
        "Subscribe now",
        "Tickets cost $5, and 3 * 4 = 12.\n",
    ]
    assert plain_text("![only a picture](cub.jpg)\n") == ""


def test_a_title_in_markdown_loses_its_markers() -> None:
    assert inline_text("The **big** day at the [zoo](https://zoo.example)") == "The big day at the zoo"
    assert inline_text("") == ""


def test_a_first_heading_repeating_the_title_is_dropped_and_no_other() -> None:
    text = plain_text(ARTICLE)
    assert without_title_heading(text, "City Zoo Welcomes *Twin* Snow Leopard Cubs").startswith("The cubs, named")
    assert without_title_heading(text, "Another title") == text
    assert without_title_heading(text, "") == text


def test_an_ordered_items_number_stays_with_its_text() -> None:
    # CommonMark reads a line opening "2019. " as a list item; its number is the article's word.
    text = plain_text("2019. It was a year of change.\n\n1. First reason.\n2) Second reason.\n\n- A dashed item.\n")
    assert text.split("\n\n") == [
        "2019. It was a year of change.",
        "1. First reason.",
        "2) Second reason.",
        "A dashed item.\n",
    ]
