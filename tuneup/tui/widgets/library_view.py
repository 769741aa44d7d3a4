"""A Line-API list of library rows: renders only the lines on screen, so 100,000 rows cost nothing."""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tuneup.bounds import finite
from tuneup.tui.library_index import LibraryIndex
from tuneup.tui.messages import PlayItems, ShowDetails, StartRadio
from tuneup.tui.text import fit

COLUMNS = (
    ("Title", 0.34),
    ("Artist / series", 0.22),
    ("Album", 0.22),
    ("Kind", 8),
    ("Plays", 6),
    ("Time", 6),
)


ROW_MARKS = {"like": "♥", "dislike": "▼", "ban": "⊘"}  # a banned row stays listed, marked


def show_marks(view: "LibraryView", item_id: int, marks: tuple[str, ...]) -> None:
    """An item's new likes, dislikes and bans on its row (the index is the view's)."""
    if view.index is not None:
        view.index.marks[item_id] = marks
        view.refresh()


def _duration(seconds: float | None) -> str:
    if not finite(seconds):
        return ""
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}h"
    return f"{seconds // 60}:{seconds % 60:02d}"


def column_widths(total: int) -> list[int]:
    fixed = sum(w for _, w in COLUMNS if isinstance(w, int)) + len(COLUMNS) - 1
    flexible = max(total - fixed, 12)
    widths = [w if isinstance(w, int) else int(flexible * w / 0.78) for _, w in COLUMNS]
    return widths


def header_line(total: int) -> str:
    return " ".join(fit(name, w) for (name, _), w in zip(COLUMNS, column_widths(total)))


class LibraryView(ScrollView, can_focus=True):
    """Rows of the library index, selected and ordered by ``rows`` (positions into the index)."""

    DEFAULT_CSS = """
    LibraryView { height: 1fr; }
    LibraryView > .library--cursor { background: $accent 40%; text-style: bold; }
    LibraryView:focus > .library--cursor { background: $accent; color: $text; }
    """
    COMPONENT_CLASSES = {"library--cursor"}
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("enter", "play", "Play"),
        Binding("i", "details", "Details"),
        Binding("r", "radio", "Radio"),
        Binding("a", "by_artist", "Same artist"),
    ]

    cursor = reactive(0, always_update=True)

    @dataclass
    class ArtistFilter(Message):
        artist: str

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.index = LibraryIndex()
        self.rows: list[int] = []

    def set_rows(self, index: LibraryIndex, rows: list[int]) -> None:
        self.index, self.rows = index, rows
        self.cursor = min(self.cursor, max(len(rows) - 1, 0))
        self.virtual_size = Size(self.size.width, len(rows))
        self.scroll_to(y=0, animate=False) if self.cursor == 0 else None
        self.refresh()

    @property
    def current_id(self) -> int | None:
        if not self.rows:
            return None
        return self.index.ids[self.rows[self.cursor]]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        row = int(self.scroll_offset.y) + y
        if row >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        i = self.rows[row]
        ix = self.index
        who = ix.artists[i] or ix.series[i]
        mark = "".join(ROW_MARKS[m] for m in ix.marks.get(ix.ids[i], ()) if m in ROW_MARKS)
        cells = (
            f"{mark} {ix.titles[i]}" if mark else ix.titles[i],
            who,
            ix.albums[i],
            ix.kinds[i],
            str(ix.plays[i] or ""),
            _duration(ix.durations[i]),
        )
        text = " ".join(fit(c, w) for c, w in zip(cells, column_widths(width)))
        style = self.rich_style
        if row == self.cursor:
            style += self.get_component_rich_style("library--cursor")
        return Strip([Segment(fit(text, width), style)], width)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows))
        update = getattr(self.parent, "update_header", None)
        if update is not None:
            update()

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        top = int(self.scroll_offset.y)
        height = max(self.size.height, 1)
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False)

    def _move_to(self, row: int) -> None:
        if self.rows:
            self.cursor = max(0, min(row, len(self.rows) - 1))

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_page(self, delta: int) -> None:
        self._move_to(self.cursor + delta * max(self.size.height - 1, 1))

    def action_jump(self, row: int) -> None:
        self._move_to(row if row >= 0 else len(self.rows) - 1)

    def on_click(self, event) -> None:
        row = int(self.scroll_offset.y) + event.y
        self._move_to(row)
        if event.chain == 2:
            self.action_play()

    def action_play(self) -> None:
        if self.rows:
            start = self.cursor
            window = self.rows[start : start + 200]
            self.post_message(
                PlayItems([self.index.ids[i] for i in window], 0, source="library", label="Library")
            )

    def action_details(self) -> None:
        if self.current_id is not None:
            self.post_message(ShowDetails(self.current_id))

    def action_radio(self) -> None:
        if self.current_id is not None:
            self.post_message(StartRadio(self.current_id))

    def action_by_artist(self) -> None:
        if self.rows:
            artist = self.index.artists[self.rows[self.cursor]]
            if artist:
                self.post_message(self.ArtistFilter(artist))
