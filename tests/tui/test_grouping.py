"""How citations are laid out (pure, no app): claim groups, and columns when sources disagree."""

from __future__ import annotations

from datetime import date

from archive.models import Answer, Citation, Claim
from tui import text
from tui.grouping import Group, layout


def cited(count: int, sources: dict[int, str] | None = None) -> tuple[Citation, ...]:
    named = sources or {}
    return tuple(
        Citation(f"art-{i % 2}", "Title", named.get(i, ""), None, f"Sentence {i}.", 0, 11, 1.0 - i / 10)
        for i in range(count)
    )


def answer(count: int, claims: tuple[Claim, ...], conflict: bool = False, **sources: str) -> Answer:
    named = {int(key.removeprefix("s")): value for key, value in sources.items()}
    return Answer("q", True, cited(count, named), claims=claims, conflict=conflict)


def test_a_conflict_puts_each_value_in_a_column_and_the_rest_below() -> None:
    claims = (Claim((0, 2), "5"), Claim((1, 3), "6"), Claim((4,)))
    plan = layout(answer(5, claims, conflict=True, s0="Wire A", s2="Daily B"))
    assert plan.conflict
    assert [(g.value, g.members) for g in plan.columns] == [("5", (0, 2)), ("6", (1, 3))]
    assert [g.members for g in plan.groups] == [(4,)]
    assert plan.columns[0].sources == ("Wire A", "Daily B")
    assert plan.columns[1].sources == ("",) and plan.columns[1].articles == 1
    assert plan.order == (0, 2, 1, 3, 4)


def test_claims_repeating_a_value_share_a_column() -> None:
    claims = (Claim((0,), "5"), Claim((1,), "6"), Claim((2,), "5"))
    plan = layout(answer(3, claims, conflict=True))
    assert [(g.value, g.members) for g in plan.columns] == [("5", (0, 2)), ("6", (1,))]


def test_without_a_conflict_claims_are_groups_in_order_of_their_best_citation() -> None:
    claims = (Claim((3, 1)), Claim((0, 2)))
    plan = layout(answer(4, claims))
    assert not plan.conflict and plan.columns == ()
    assert [g.members for g in plan.groups] == [(0, 2), (1, 3)]
    assert [g.collapsible for g in plan.groups] == [True, True]


def test_a_conflict_with_one_value_has_no_columns() -> None:
    plan = layout(answer(2, (Claim((0,), "5"), Claim((1,))), conflict=True))
    assert plan.conflict and plan.columns == ()
    assert [g.members for g in plan.groups] == [(0,), (1,)]


def test_every_citation_is_shown_once_whatever_the_claims_say() -> None:
    claims = (Claim((0, 0, 9)), Claim((0, 1)), Claim(()))
    plan = layout(answer(3, claims))
    assert plan.order == (0, 1, 2)
    assert plan.groups == (
        Group((0,), "", ("",), 1),
        Group((1,), "", ("",), 1),
        Group((2,), "", ("",), 1),
    )
    assert layout(answer(2, ())).order == (0, 1), "an answer without claims: one group per citation"


def test_notes_for_claims_and_citations() -> None:
    assert text.plural(1, "sentence") == "1 sentence"
    assert text.plural(2, "sentence") == "2 sentences"
    assert text.either(["5"]) == "5"
    assert text.either(["5", "6"]) == "5 or 6"
    assert text.either(["5", "6", "7"]) == "5, 6 or 7"
    assert text.sources_note(["", "Wire A", "Wire A"]) == "Wire A, outlet unknown"
    assert text.copies_note(["a", "b"]) == "also printed as: a, b"
    assert text.copies_note([]) == ""
    assert text.mentions_note([date(2024, 11, 27), date(2025, 3, 1)]) == "mentions 27 Nov 2024, 1 Mar 2025"
    assert text.mentions_note([]) == ""
    assert text.day_label(date(2025, 1, 14)) == "14 Jan 2025"
