"""How an answer's citations are laid out: claim groups, and columns when sources disagree.

No Textual here. The core groups citations into claims (`Answer.claims`); this module only
decides the order they are shown in and which claims stand side by side. It tolerates an
answer whose claims are missing or incomplete: every citation is shown exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from archive.models import Answer


@dataclass(frozen=True)
class Group:
    """Citations shown together: indices into `Answer.citations`, best (lowest) first.

    `value` is the figure they give for a counting question ("5"), else "". `sources`
    are their outlets ("" for unknown) and `articles` how many articles they come from.
    """

    members: tuple[int, ...]
    value: str = ""
    sources: tuple[str, ...] = ()
    articles: int = 1

    @property
    def collapsible(self) -> bool:
        return len(self.members) > 1


@dataclass(frozen=True)
class Layout:
    """`columns` stand side by side (the disagreeing values, at least two); `groups` follow.

    `conflict` repeats `Answer.conflict`. Every citation is in exactly one group or column.
    """

    conflict: bool
    columns: tuple[Group, ...] = ()
    groups: tuple[Group, ...] = ()

    @property
    def order(self) -> tuple[int, ...]:
        """Citation indices in reading order: column by column, then group by group."""
        return tuple(i for group in (*self.columns, *self.groups) for i in group.members)


def layout(answer: Answer) -> Layout:
    """Group `answer.citations` by claim; claims with different values become columns on a conflict."""
    count = len(answer.citations)
    groups = _claim_groups(answer, count)
    if answer.conflict:
        columns = _merge_by_value(answer, [g for g in groups if g.value])
        if len(columns) >= 2:
            rest = tuple(g for g in groups if not g.value)
            return Layout(True, tuple(sorted(columns, key=_first)), rest)
    return Layout(answer.conflict, (), tuple(groups))


def _claim_groups(answer: Answer, count: int) -> list[Group]:
    """One group per claim (valid, unseen members only), then one per citation no claim holds."""
    seen: set[int] = set()
    groups: list[Group] = []
    for claim in answer.claims:
        members = tuple(sorted({i for i in claim.citations if 0 <= i < count} - seen))
        if not members:
            continue
        seen.update(members)
        groups.append(_group(answer, members, claim.value))
    for i in range(count):
        if i not in seen:
            groups.append(_group(answer, (i,), ""))
    return sorted(groups, key=_first)


def _group(answer: Answer, members: tuple[int, ...], value: str) -> Group:
    """A group whose sources and article count come from its own citations."""
    cited = [answer.citations[i] for i in members]
    sources = tuple(dict.fromkeys(c.source for c in cited))
    articles = len({c.article_id for c in cited})
    return Group(members, value, sources, articles)


def _merge_by_value(answer: Answer, groups: Sequence[Group]) -> list[Group]:
    """One group per distinct value (claims that repeat a value are joined)."""
    members: dict[str, set[int]] = {}
    for group in groups:
        members.setdefault(group.value, set()).update(group.members)
    return [_group(answer, tuple(sorted(held)), value) for value, held in members.items()]


def _first(group: Group) -> int:
    return group.members[0]
