"""The Library tab: search-as-you-type, filters and sort over a Line-API list."""

from __future__ import annotations

import time

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Select, Static

from tuneup.tui.library_index import KINDS, PLAYED, SORTS, Filters, LibraryIndex
from tuneup.tui.text import literal
from tuneup.tui.widgets.library_view import LibraryView, header_line


class LibraryPane(Vertical):
    BINDINGS = [
        Binding("escape", "clear", "Clear filters", show=False),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.index: LibraryIndex | None = None
        self.filters = Filters()
        self.last_filter_ms = 0.0
        self.shown = False
        self.stale = True

    def compose(self) -> ComposeResult:
        with Horizontal(id="library-controls"):
            yield Input(
                placeholder="Search title, artist, album, series, genre  (/)", id="library-search"
            )
            yield Select(
                [(f"kind: {k}", k) for k in KINDS],
                value="all",
                allow_blank=False,
                id="library-kind",
                prompt="Kind",
            )
            yield Select([], prompt="Any genre", id="library-genre")
            yield Select(
                [(f"played: {p}", p) for p in PLAYED],
                value="all",
                allow_blank=False,
                id="library-played",
            )
            yield Select(
                [(f"sort: {s}", s) for s in SORTS],
                value="title",
                allow_blank=False,
                id="library-sort",
            )
        yield Static("", id="library-header", markup=False)
        yield LibraryView(id="library-view")
        yield Static("Loading the library…", id="library-status", markup=False)

    def reload(self) -> None:
        """Load now if the Library has been shown; otherwise when it first is (keeps start-up fast)."""
        self.stale = True
        if self.shown:
            self.stale = False
            self._load()

    def activate(self) -> None:
        if not self.shown or self.stale:
            self.shown = True
            self.reload()

    @work(thread=True, exclusive=True, group="library-load", exit_on_error=False)
    def _load(self) -> None:
        from tuneup.store import connection

        app = self.app
        with connection(app.env.paths.db_file) as db:
            index = LibraryIndex.load(db, app.profile_id)
        app.call_from_thread(self._loaded, index)

    def _loaded(self, index: LibraryIndex) -> None:
        if not self.is_attached:  # the app closed while the library was loading
            return
        self.index = index
        genre = self.query_one("#library-genre", Select)
        genre.set_options([(f"{g} ({n})", g) for g, n in index.genre_counts()])
        self.apply()

    def update_header(self) -> None:
        self.query_one("#library-header", Static).update(
            header_line(self.query_one(LibraryView).size.width)
        )

    def apply(self) -> None:
        """Filter and show; runs on every keystroke, so it only touches in-memory lists."""
        if self.index is None:
            return
        started = time.perf_counter()
        rows = self.index.select(self.filters)
        view = self.query_one(LibraryView)
        view.cursor = 0
        view.set_rows(self.index, rows)
        self.last_filter_ms = (time.perf_counter() - started) * 1000
        self._status(len(rows))

    def _status(self, shown: int) -> None:
        f = self.filters
        parts = [f"{shown:,} of {len(self.index):,} items"]
        if f.artist:
            parts.append(f"artist: {f.artist}  (esc clears)")
        status = "   ".join(parts)
        self.query_one("#library-status", Static).update(literal(status))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "library-search":
            self.filters.query = event.value
            self.apply()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "library-search":
            self.query_one(LibraryView).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        value = (
            event.value if isinstance(event.value, str) else ""
        )  # a cleared Select holds a sentinel
        field = {
            "library-kind": "kind",
            "library-genre": "genre",
            "library-played": "played",
            "library-sort": "sort",
        }.get(event.select.id or "")
        if field:
            setattr(self.filters, field, value or ("all" if field in ("kind", "played") else ""))
            self.apply()

    def on_library_view_artist_filter(self, event: LibraryView.ArtistFilter) -> None:
        self.filters.artist = event.artist
        self.apply()

    def action_clear(self) -> None:
        """Esc: filters cleared, and the keys go back to the list (not typed into the search)."""
        if isinstance(self.screen.focused, Input):
            self.query_one(LibraryView).focus()
        self.filters = Filters(sort=self.filters.sort)
        self.query_one("#library-search", Input).value = ""
        self.query_one("#library-kind", Select).value = "all"
        self.query_one("#library-genre", Select).clear()
        self.query_one("#library-played", Select).value = "all"
        self.apply()
