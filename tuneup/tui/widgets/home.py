"""Home: rows of mixes, each a horizontal rail of cards moved through with the arrow keys."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalScroll, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static, Tabs

from tuneup.mixes.types import Mix, MixItem
from tuneup.tui.messages import PlayItems, ShowDetails, StartRadio
from tuneup.tui.text import clean, fit

CARD_TEXT = 26  # a card is 30 cells wide: 2 of border, 2 of padding
MARKS = {"like": "♥", "dislike": "▼"}  # a banned item leaves Home at once


class Card(Static, can_focus=True):
    """One item of a row: title, artist or series, a small reason line."""

    def __init__(self, item: MixItem, row: int, col: int, marks: tuple[str, ...] = ()):
        super().__init__(self._content(item, marks), markup=False, classes="card")
        self.item, self.row, self.col = item, row, col
        self.marks = marks
        if item.exploration:
            self.add_class("exploration")

    def show_marks(self, marks: tuple[str, ...]) -> None:
        self.marks = marks
        self.update(self._content(self.item, marks))

    @staticmethod
    def _content(item: MixItem, marks: tuple[str, ...] = ()) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        mark = "".join(MARKS[m] for m in marks if m in MARKS)
        if mark:
            text.append(mark + " ", style="bold")
        text.append(
            fit(item.title, CARD_TEXT - (len(mark) + 1 if mark else 0)) + "\n", style="bold"
        )
        text.append(fit(item.artist or item.album or item.kind, CARD_TEXT) + "\n")
        text.append(fit(item.reason, CARD_TEXT), style="italic dim")
        return text

    def on_click(self, event) -> None:
        self.focus()
        if event.chain == 2:
            self.screen.query_one(HomePane).action_play()


class Rail(HorizontalScroll, inherit_bindings=False):
    """A row's cards; its arrow keys are Home's (card to card), not scrolling."""


class MixRow(Vertical):
    def __init__(self, mix: Mix, row: int, marks: dict | None = None):
        super().__init__(classes="mix-row")
        self.mix, self.row = mix, row
        self.marks = marks or {}

    def compose(self) -> ComposeResult:
        title = Text(clean(self.mix.name), style="bold")
        if self.mix.description:
            title.append("  " + clean(self.mix.description), style="dim")
        yield Static(title, classes="row-title", markup=False)
        with Rail(classes="rail"):
            for col, item in enumerate(self.mix.items):
                yield Card(item, self.row, col, self.marks.get(item.item_id, ()))


class HomePane(VerticalScroll):
    BINDINGS = [
        Binding("left", "move(0, -1)", "Card to the left", show=False),
        Binding("right", "move(0, 1)", "Card to the right", show=False),
        Binding("up", "move(-1, 0)", "Row above", show=False),
        Binding("down", "move(1, 0)", "Row below", show=False),
        Binding("enter", "play", "Play"),
        Binding("i", "details", "Details"),
        Binding("r", "radio", "Radio"),
    ]

    @dataclass
    class RowsLoaded(Message):
        mixes: list[Mix]
        generation: int = 0
        marks: dict = field(default_factory=dict)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.mixes: list[Mix] = []
        self.marks: dict[int, tuple[str, ...]] = {}  # item_id -> its likes/dislikes, for the cards
        self.loaded = False
        self._target: Card | None = None
        self._generation = (
            0  # rows from an older reload (e.g. built while the wizard was open) lose
        )

    def compose(self) -> ComposeResult:
        yield Static("Building your mixes…", classes="empty", markup=False)

    def on_mount(self) -> None:
        self.call_after_refresh(self.reload)  # after the first paint

    def reload(self) -> None:
        self._generation += 1
        self._load(self._generation)

    @work(thread=True, exclusive=True, group="home-rows")
    def _load(self, generation: int = 0) -> None:
        from tuneup.store import connection
        from tuneup.tui.home_rows import load_rows

        app = self.app
        loader = app.rows_loader or (
            lambda db, *args: load_rows(db, *args, app.env.paths.model_dir)
        )
        with connection(app.env.paths.db_file) as db:
            try:
                mixes = loader(db, app.env.config, app.env.profile_name, app.profile_id)
            except Exception as exc:  # not only a report: Home then shows that it has no rows
                app.report_error("Home rows could not be built", exc)
                mixes = []
            marks = _marks(db, app.profile_id)
        self.post_message(
            self.RowsLoaded(mixes, generation, marks)
        )  # never blocks this thread on the UI

    async def on_home_pane_rows_loaded(self, message: "HomePane.RowsLoaded") -> None:
        if message.generation == self._generation:  # a newer reload is under way: its rows win
            self.marks = message.marks
            await self.show_mixes(message.mixes)

    async def show_mixes(self, mixes: list[Mix]) -> None:
        had_focus = self.screen.focused is not None and self in self.screen.focused.ancestors
        banned = {i for i, kinds in self.marks.items() if "ban" in kinds}
        for mix in mixes:
            mix.items = [i for i in mix.items if i.item_id not in banned]
        self.mixes = [m for m in mixes if m.items]
        await self.remove_children()
        if not self.mixes:
            await self.mount(
                Static(
                    "Nothing here yet. Add folders in Settings [4], or run onboarding from the command "
                    "palette (ctrl+p).",
                    classes="empty",
                    markup=False,
                )
            )
            self.loaded = True
            return
        await self.mount_all([MixRow(mix, r, self.marks) for r, mix in enumerate(self.mixes)])
        focused = self.screen.focused
        if had_focus or focused is None or isinstance(focused, Tabs):
            self.focus_first()
        self.loaded = True

    async def feedback_changed(self, item_id: int, marks: tuple[str, ...]) -> None:
        """A like or dislike shows on the item's cards at once; a banned item's cards go."""
        self.marks[item_id] = marks
        if "ban" not in marks:
            for card in self.query(Card):
                if card.item.item_id == item_id:
                    card.show_marks(marks)
            return
        if not any(i.item_id == item_id for mix in self.mixes for i in mix.items):
            return
        focused = self._focused_card()
        where = (focused.row, focused.col) if focused is not None else None
        await self.show_mixes(self.mixes)
        if where is not None:
            target = self._card(*where) or self._card(where[0] - 1, where[1])
            if target is not None:
                self._target = target
                target.focus(scroll_visible=False)

    def focus_first(self) -> None:
        cards = self.query(Card)
        if cards:
            cards.first().focus(scroll_visible=False)
        else:
            self.focus()

    def _focused_card(self) -> Card | None:
        """The card the keys act on. Focus moves by message, so a key typed right after an arrow could
        still see the old card; the pane remembers where the last move went instead."""
        focused = self.screen.focused
        if not isinstance(focused, Card):
            return None
        if self._target is not None and self._target.is_attached:
            return self._target
        return focused

    def on_descendant_focus(self, event) -> None:
        if isinstance(event.widget, Card):
            self._target = event.widget

    def _card(self, row: int, col: int) -> Card | None:
        rows = list(self.query(MixRow))
        if not 0 <= row < len(rows):
            return None
        cards = list(rows[row].query(Card))
        return cards[max(0, min(col, len(cards) - 1))] if cards else None

    def action_move(self, d_row: int, d_col: int) -> None:
        card = self._focused_card()
        if card is None:
            self.focus_first()
            return
        target = self._card(card.row + d_row, card.col + d_col)
        if target is not None:
            self._target = target
            target.focus(scroll_visible=False)
            target.scroll_visible(animate=False)  # no animation: the next key sees where it is

    def action_play(self) -> None:
        card = self._focused_card()
        if card is not None:
            mix = self.mixes[card.row]
            ids = [i.item_id for i in mix.items]
            self.post_message(PlayItems(ids, card.col, source=mix.kind, label=mix.name))

    def action_details(self) -> None:
        card = self._focused_card()
        if card is not None:
            i = card.item
            self.post_message(ShowDetails(i.item_id, i.reason, i.evidence, i.exploration))

    def action_radio(self) -> None:
        card = self._focused_card()
        if card is not None:
            self.post_message(StartRadio(card.item.item_id))


def _marks(db, profile_id: int) -> dict[int, tuple[str, ...]]:
    """Every item's likes, dislikes and bans, for the cards' marks."""
    marks: dict[int, tuple[str, ...]] = {}
    rows = db.execute(
        "SELECT item_id, kind FROM feedback WHERE profile_id = ? ORDER BY kind", [profile_id]
    )
    for item_id, kind in rows:
        marks[item_id] = marks.get(item_id, ()) + (kind,)
    return marks
