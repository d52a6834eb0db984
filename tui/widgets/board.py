"""The citation board: an answer's citations as cards, grouped by claim, side by side on a conflict.

The board keeps one cursor over the visible cards in reading order (column by column, then
group by group). `j` / `k` move it, `h` / `l` jump between groups or columns, space folds a
group, `o` / Enter opens the card under the cursor and a digit opens citation [n]. Every
card knows its `target`: the index into the list the reader walks (the answer's citations,
or the closest passages when there is no answer), so numbers shown and read agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

MIN_COLUMN = 26  # narrower than this per column, the columns stack
OPEN = "▾"
FOLDED = "▸"

Part = tuple[Content, str]  # a line of a card and its CSS class


class CitationCard(Vertical):
    """One citation or passage: heading, outlet and dates, the sentence, its reprints."""

    @dataclass
    class Pressed(Message):
        card: CitationCard

    def __init__(self, target: int, parts: Sequence[Part], extra: bool = False) -> None:
        super().__init__(classes="card -extra" if extra else "card")
        self.target = target
        self.parts = tuple(parts)

    def compose(self) -> ComposeResult:
        for content, kind in self.parts:
            yield Static(content, classes=kind)

    @property
    def plain(self) -> str:
        return "\n".join(content.plain for content, _ in self.parts)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Pressed(self))


class GroupHead(Static):
    """The fold line of a claim group; a click folds or unfolds it."""

    @dataclass
    class Pressed(Message):
        group: ClaimGroup

    def __init__(self, group: ClaimGroup) -> None:
        super().__init__(classes="group-head")
        self.group = group

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Pressed(self.group))


class ClaimGroup(Vertical):
    """Cards that make one claim. With more than one card it folds down to the first card;
    the head line always names every source behind it."""

    def __init__(
        self, cards: Sequence[CitationCard], summary: str = "", collapsed: bool = False, foldable: bool = True
    ) -> None:
        super().__init__(classes="claim-group")
        self.cards = tuple(cards)
        self.summary = summary
        self.head = GroupHead(self) if foldable and len(self.cards) > 1 else None
        self.set_class(self.head is not None, "-foldable")
        self.collapsed = False
        self.set_collapsed(collapsed)

    def compose(self) -> ComposeResult:
        if self.head is not None:
            yield self.head
        yield from self.cards

    @property
    def collapsible(self) -> bool:
        return self.head is not None

    def set_collapsed(self, collapsed: bool) -> None:
        self.collapsed = collapsed and self.collapsible
        self.set_class(self.collapsed, "-collapsed")
        if self.head is not None:
            hidden = len(self.cards) - 1
            mark, state = (FOLDED, f"{hidden} more folded") if self.collapsed else (OPEN, "space folds")
            self.head.update(Content.assemble((f"{mark} ", "bold"), self.summary, (f" · {state}", "$text-muted")))

    def shows(self, card: CitationCard) -> bool:
        return not self.collapsed or card is self.cards[0]


class ClaimColumn(ClaimGroup):
    """One side of a disagreement: every card giving `value`, never folded."""

    def __init__(self, cards: Sequence[CitationCard], value: str, title: str, subtitle: str) -> None:
        super().__init__(cards, foldable=False)
        self.value = value
        self.set_class(True, "claim-column")
        self.border_title = title
        self.border_subtitle = subtitle


class CitationBoard(VerticalScroll):
    """Cards in groups or columns, with a keyboard cursor; posts `Opened` with a card's target."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "move(1)", "Down", show=False),
        Binding("k,up", "move(-1)", "Up", show=False),
        Binding("l,right", "jump(1)", "Next group", show=False),
        Binding("h,left", "jump(-1)", "Previous group", show=False),
        Binding("o", "open", "Open", id="open_reader"),
        Binding("enter", "open", "Open", show=False),
        Binding("space", "fold", "Fold", show=False),
        *(Binding(str(n), f"open_number({n})", f"Open [{n}]", show=False) for n in range(1, 10)),
    ]

    @dataclass
    class Opened(Message):
        """Open the reader on target `index` of the pane's targets."""

        board: CitationBoard
        index: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.groups: tuple[ClaimGroup, ...] = ()
        self.highlighted: int | None = None  # the target under the cursor

    # ----- content ------------------------------------------------------------------------

    def show(self, groups: Sequence[ClaimGroup], columns: int = 0, between: str = "", first: int = 0) -> None:
        """Replace the content: the first `columns` groups side by side, then the line `between`
        (when there are both), the rest below; the cursor on target `first` (when shown)."""
        self.groups = tuple(groups)
        self.remove_children()
        side, rest = self.groups[:columns], self.groups[columns:]
        if side:
            self.mount(Horizontal(*side, classes="claim-columns"))
        if side and rest and between:
            self.mount(Static(between, classes="board-label"))
        if rest:
            self.mount_all(rest)
        self._fit_columns()
        self.scroll_home(animate=False)
        self.highlight(first if first in self.targets else next(iter(self.targets), None))

    def clear(self) -> None:
        self.show([])

    @property
    def cards(self) -> tuple[CitationCard, ...]:
        """The visible cards in reading order."""
        return tuple(card for group in self.groups for card in group.cards if group.shows(card))

    @property
    def targets(self) -> tuple[int, ...]:
        return tuple(card.target for card in self.cards)

    @property
    def texts(self) -> list[str]:
        """The plain text of each visible card, in reading order (for tests and debugging)."""
        return [card.plain for card in self.cards]

    @property
    def columns(self) -> tuple[ClaimColumn, ...]:
        return tuple(group for group in self.groups if isinstance(group, ClaimColumn))

    def group_of(self, target: int) -> ClaimGroup | None:
        return next((g for g in self.groups if any(c.target == target for c in g.cards)), None)

    # ----- the cursor ---------------------------------------------------------------------

    def highlight(self, target: int | None) -> None:
        """Put the cursor on the card of `target` and scroll it into view."""
        self.highlighted = target
        for group in self.groups:
            for card in group.cards:
                card.set_class(card.target == target, "-highlight")
        shown = self._card(target)
        if shown is not None:
            self.call_after_refresh(self._bring_into_view, shown)

    def _bring_into_view(self, card: CitationCard) -> None:
        """Scroll to the card, or to its group when it is the group's first (to show the head);
        what is taller than the view is aligned at its top."""
        group = card.parent
        if not card.is_mounted or not isinstance(group, ClaimGroup):
            return
        target: Widget = group if group.cards[0] is card else card
        top = target.outer_size.height >= self.scrollable_content_region.height
        self.scroll_to_widget(target, animate=False, top=top)

    def _card(self, target: int | None) -> CitationCard | None:
        return next((card for card in self.cards if card.target == target), None)

    def action_move(self, step: int) -> None:
        targets = self.targets
        if not targets:
            return
        if self.highlighted not in targets:
            self.highlight(targets[0])
            return
        at = targets.index(self.highlighted) + step
        self.highlight(targets[max(0, min(len(targets) - 1, at))])

    def action_jump(self, step: int) -> None:
        """To the first visible card of the next (+1) or previous (-1) group or column."""
        current = self.group_of(self.highlighted) if self.highlighted is not None else None
        if current is None or not self.groups:
            return
        at = self.groups.index(current) + step
        if 0 <= at < len(self.groups):
            self.highlight(self.groups[at].cards[0].target)

    def action_open(self) -> None:
        if self.highlighted is not None and self._card(self.highlighted) is not None:
            self.post_message(self.Opened(self, self.highlighted))

    def action_open_number(self, number: int) -> None:
        """Open target `number - 1` (citation [n]), unfolding its group if needed."""
        group = self.group_of(number - 1)
        if group is None:
            return
        if not any(group.shows(c) for c in group.cards if c.target == number - 1):
            group.set_collapsed(False)
        self.highlight(number - 1)
        self.action_open()

    def action_fold(self) -> None:
        group = self.group_of(self.highlighted) if self.highlighted is not None else None
        if group is not None and group.collapsible:
            self.toggle(group)

    def toggle(self, group: ClaimGroup) -> None:
        """Fold or unfold `group`; a cursor on a card that folds away moves to the group's first."""
        group.set_collapsed(not group.collapsed)
        if self.highlighted not in self.targets:
            self.highlight(group.cards[0].target)

    # ----- mouse and size -----------------------------------------------------------------

    def on_citation_card_pressed(self, message: CitationCard.Pressed) -> None:
        message.stop()
        self.focus()
        self.highlight(message.card.target)
        self.action_open()

    def on_group_head_pressed(self, message: GroupHead.Pressed) -> None:
        message.stop()
        self.focus()
        self.toggle(message.group)

    def on_resize(self, _: events.Resize) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Stack the columns when each would be narrower than MIN_COLUMN cells."""
        count = len(self.columns)
        self.set_class(count > 1 and self.size.width // count < MIN_COLUMN, "-stacked")
