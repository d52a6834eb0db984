"""Front matter at the top of a `.txt`/`.md` article.

Two forms: a `---` fenced block parsed as YAML (`yaml.safe_load`: block scalars, lists,
quoted values, comments), and the older unfenced form, `Key: value` lines ending at a
blank line. A fenced block that is not YAML but is plain `key: value` lines (a colon
inside an unquoted title is a YAML error) is still read line by line, as it always was.
What the fields mean is `archive.metadata`; nothing here raises for bad input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

from archive.metadata import FRONT_MATTER_KEYS, canonical_key, drop_leading_blank_lines

# A front-matter block larger than this is no front matter (and YAML need not read it).
MAX_BLOCK_CHARS = 64 * 1024


@dataclass(frozen=True)
class FrontMatter:
    """Front matter split off a text: `fields` (canonical keys) and the `body` after it."""

    fields: dict[str, object]
    body: str
    warning: str = ""


@cache
def _no_alias_loader() -> type[yaml.SafeLoader]:
    """`yaml.SafeLoader` without anchors and aliases: a few aliased lists can stand for an
    exponentially large value ("billion laughs"), which turning fields into text would walk.
    Built on first use: PyYAML's import is start-up time that text without a fence never needs."""
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: int) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise yaml.composer.ComposerError(None, None, "aliases (*name) are not accepted", None)
            return super().compose_node(parent, index)

    return NoAliasLoader


_FENCE = re.compile(r"^---[ \t]*$", re.M)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_PAIR = re.compile(r"[ \t]*([A-Za-z][A-Za-z0-9 _-]{0,39}?)[ \t]*:(?:[ \t]+(.*?))?[ \t]*")
_ITEM = re.compile(r"[ \t]*-[ \t]+(.*?)[ \t]*")


def split_front_matter(text: str) -> FrontMatter:
    """Fenced (`---` ... `---`, YAML) or unfenced (`Key: value` lines, then a blank line)."""
    if text.startswith("---") and _FENCE.match(text):
        return _fenced(text)
    start = len(text) - len(drop_leading_blank_lines(text))
    blank = _BLANK_LINE.search(text, start, start + 4000)
    if blank is not None:
        fields = _pairs(text[start : blank.start()].split("\n"), fenced=False)
        if fields and not FRONT_MATTER_KEYS.isdisjoint(fields):
            return FrontMatter(fields, text[blank.end() :])
    return FrontMatter({}, text)


def _fenced(text: str) -> FrontMatter:
    first_end = text.find("\n")
    close = _FENCE.search(text, first_end + 1) if first_end >= 0 else None
    if close is None:
        return FrontMatter({}, text, "front matter opened on line 1 is never closed; read as plain text")
    block = text[first_end + 1 : close.start()]
    body = text[close.end() + 1 :]
    if len(block) > MAX_BLOCK_CHARS:
        return FrontMatter({}, text, f"front matter is over {MAX_BLOCK_CHARS:,} characters; read as plain text")
    fields, problem = _yaml_fields(block)
    if fields is None:
        fields = _pairs(block.split("\n")[:-1], fenced=True)
    if fields is None:
        return FrontMatter({}, text, f"front matter on line 1 is not YAML ({problem}); read as plain text")
    return FrontMatter(fields, body)


def _yaml_fields(block: str) -> tuple[dict[str, object] | None, str]:
    """The block's mapping with canonical keys, or (None, why) when it is not a YAML mapping."""
    import yaml

    try:
        value = yaml.load(block, Loader=_no_alias_loader())  # yaml.safe_load, less aliases
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" on line {mark.line + 2}" if mark is not None else ""  # +1 for 1-based, +1 for the fence
        return None, f"{getattr(exc, 'problem', None) or 'not valid YAML'}{where}"
    if value is None:
        return {}, ""
    if not isinstance(value, dict):
        return None, "not a mapping of keys to values"
    return {canonical_key(str(key)): _plain(item) for key, item in value.items()}, ""


def _plain(value: object) -> object:
    """YAML's typed values as the JSON-like values `metadata.read_fields` takes.

    Dates become ISO text (as written, with any UTC offset), so a date keeps its own day;
    a list's items likewise; nested mappings are kept as they are (they go to `extra`).
    """
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _pairs(lines: list[str], fenced: bool) -> dict[str, object] | None:
    """`key: value` lines as a dict, or None if any line is something else.

    Fenced front matter may also hold blank lines, `#` comments and YAML-style
    lists (`authors:` then `- name` lines, or `[a, b]`).
    """
    values: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    last = ""
    for line in lines:
        if fenced and (not line.strip() or line.lstrip().startswith("#")):
            continue
        item = _ITEM.fullmatch(line) if fenced and last in lists else None
        if item:
            lists[last].append(_unquote(item[1]))
            continue
        pair = _PAIR.fullmatch(line)
        if pair is None:
            return None
        last = canonical_key(pair[1])
        value = _unquote(pair[2] or "")
        if value.startswith("[") and value.endswith("]"):
            lists[last] = [_unquote(v.strip()) for v in value[1:-1].split(",") if v.strip()]
        elif fenced and not value:
            lists[last] = []
        else:
            lists.pop(last, None)
            values[last] = value
    fields: dict[str, object] = dict(values)
    for key, items in lists.items():
        fields[key] = items if items else ""
    return fields
