"""Markdown articles as the plain text the archive stores, cites and shows. Pure functions.

A `.md` article's markup is not its prose: a citation "# City Zoo Welcomes ..." or "The cubs,
named **Tashi** and **Nima**" quotes syntax the writer never meant as words, and `#` or `**`
split the words retrieval matches. The stored text is the rendered prose instead, the way a
saved web page's is its extracted body: each block (paragraph, heading, list item, quote,
table row, code line) with blank lines between, the file's own line breaks kept (a line is a
paragraph in news files, as in a .txt article), inline markup dropped and its text kept
(link text without its address, code without backticks; an ordered item keeps its number,
since a line such as "2019. It was a year of ..." parses as one). Images and HTML tags carry no
prose and are dropped; the text between HTML tags is kept. Citations quote this text,
verbatim.

Parsed by markdown-it-py (CommonMark, with tables), which the terminal app's libraries use too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

_PARSER = MarkdownIt("commonmark").enable("table")
_TAG = re.compile(r"<[^>]*>")


def plain_text(markdown: str) -> str:
    """The prose of `markdown`: its blocks with blank lines between, ending in a line break."""
    text = "\n\n".join(block for block in _lines(_PARSER.parse(markdown)) if block)
    return text + "\n" if text else ""


def inline_text(markdown: str) -> str:
    """The prose of one line of inline markdown (a title): "The **big** day" -> "The big day"."""
    return _collapse(" ".join(_lines(_PARSER.parse(markdown))))


def without_title_heading(text: str, title: str) -> str:
    """`text` less its first line when that line repeats `title` (front matter's title, then
    the same words as the first heading): the article would otherwise cite its own title."""
    first, _, rest = text.partition("\n")
    same = title and inline_text(title).casefold() == _collapse(first).casefold()
    return rest.lstrip("\n") if same else text


def _lines(tokens: Sequence[Token]) -> Iterator[str]:
    row: list[str] = []
    in_row = False
    number = ""  # an ordered item's number stays with its text: "2019. It was a year" is prose too
    for token in tokens:
        if token.type == "list_item_open" and token.info:
            number = f"{token.info}{token.markup} "
        elif token.type == "tr_open":
            in_row, row = True, []
        elif token.type == "tr_close":
            in_row = False
            yield " | ".join(cell for cell in row if cell)
        elif token.type == "inline":
            text = "\n".join(_collapse(line) for line in _inline(token.children or []).split("\n"))
            if in_row:
                row.append(text)
            else:
                yield number + text
            number = ""
        elif token.type in ("fence", "code_block"):
            yield from (line.rstrip() for line in token.content.splitlines())
        elif token.type == "html_block":
            yield _collapse(_TAG.sub(" ", token.content))


def _inline(children: Sequence[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")  # the file's lines stay lines, as in a .txt article
        elif child.type == "html_inline":
            parts.append(" " if child.content.lower().startswith("<br") else "")
        # images (alt text is no prose), link and emphasis markers: nothing of their own
    return "".join(parts)


def _collapse(text: str) -> str:
    return " ".join(text.split())
