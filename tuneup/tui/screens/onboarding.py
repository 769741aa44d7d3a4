"""The first-run wizard: folders → scan → genres → artists → history import → adventurousness → Home.

Nothing is committed until Finish except the scan itself (which leaves a consistent library at
any point). Quitting midway leaves the profile marked "started", so the wizard comes back next time.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import (
    Button,
    ContentSwitcher,
    Footer,
    Header,
    Input,
    ProgressBar,
    Select,
    SelectionList,
    Static,
)
from textual.widgets.selection_list import Selection

from tuneup.library.stats import item_count
from tuneup.mixes.onboard import artist_choices, finish_onboarding, genre_choices
from tuneup.store.profiles import set_onboarding_state
from tuneup.summary import Summary
from tuneup.tui import jobs
from tuneup.tui.folders import FolderCheck, check_folder
from tuneup.tui.messages import WorkDone, WorkFailed, WorkProgress
from tuneup.tui.text import clean
from tuneup.tui.widgets.jobs_line import describe
from tuneup.tui.widgets.pick_list import PickList

STEPS = ("folders", "scan", "genres", "artists", "history", "adventure")
TITLES = {
    "folders": "1/6  Where is your music and video?",
    "scan": "2/6  Reading your library",
    "genres": "3/6  Genres you like",
    "artists": "4/6  Artists you like",
    "history": "5/6  Bring your listening history (optional)",
    "adventure": "6/6  How adventurous?",
}
IMPORT_FORMATS = ("spotify-extended", "spotify-basic", "listenbrainz", "lastfm", "rockbox")


class OnboardingScreen(Screen):
    DEFAULT_CSS = """
    OnboardingScreen #folder-row { height: auto; }
    OnboardingScreen #folder-row Input { width: 1fr; }
    OnboardingScreen #folder-row Button { margin-left: 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel setup"),
        Binding("ctrl+n", "next", "Next"),
        Binding("ctrl+b", "back", "Back"),
        Binding("ctrl+o", "browse", "Browse folders"),
        Binding("b", "browse", "Browse folders", show=False),
    ]

    def __init__(self):
        super().__init__()
        self.step = 0
        self.folders: list[str] = []
        self.use_demo = False
        self.scanned = False
        self.genres: set[str] = set()
        self.artists: set[str] = set()
        self.artist_options: list[tuple[str, int]] = []
        self.import_result = ""
        self.job: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="wizard-title")
        with ContentSwitcher(initial="folders", id="wizard"):
            with Vertical(id="folders"):
                yield Static(
                    "Type a folder and press enter, or browse to it (ctrl+o); add as many as you like. "
                    "Or try the demo library.",
                    markup=False,
                )
                with Horizontal(id="folder-row"):
                    yield Input(placeholder="~/Music", id="folder-input")
                    yield Button("Browse…", id="browse-folder")
                yield Static("", id="folder-check", markup=False)
                yield Static("", id="folder-list", markup=False)
                yield Button("Use the demo library", id="use-demo")
            with Vertical(id="scan"):
                yield Static("", id="scan-status", markup=False)
                yield ProgressBar(id="scan-bar", show_eta=False)
                yield Static("", id="scan-summary", markup=False)
            with Vertical(id="genres"):
                yield Static("Space selects. Counts are items in your library.", markup=False)
                yield PickList(id="genre-list")
            with Vertical(id="artists"):
                yield Input(placeholder="type to search artists", id="artist-search")
                yield PickList(id="artist-list")
            with Vertical(id="history"):
                yield Static(
                    "Import plays from another service so tuneup knows you sooner. Skip with Next.",
                    markup=False,
                )
                with Horizontal(classes="field"):
                    yield Select(
                        [(f, f) for f in IMPORT_FORMATS], prompt="format", id="import-format"
                    )
                    yield Input(placeholder="path to the export file", id="import-path")
                    yield Button("Import", id="import-btn")
                yield Static("", id="import-result", markup=False)
            with Vertical(id="adventure"):
                yield Static(
                    "0 plays it safe with what you know; 100 is mostly new ground. 30 is a good start.",
                    markup=False,
                )
                yield Input(type="integer", id="adventure-input")
        with Horizontal(id="wizard-nav"):
            yield Button("Back", id="back")
            yield Button("Cancel", id="cancel", variant="error")
            yield Button("Next", id="next", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.app.run_in_thread(
            set_onboarding_state, self.app.profile_id, "started", group="onboarding"
        )
        self.query_one("#adventure-input", Input).value = str(
            self.app.env.config.get("adventurousness")
        )
        self._show()

    # ---- navigation -------------------------------------------------------------------------------
    def _show(self) -> None:
        name = STEPS[self.step]
        self.query_one("#wizard", ContentSwitcher).current = name
        self.query_one("#wizard-title", Static).update(Text(TITLES[name], style="bold"))
        self.query_one("#back", Button).disabled = self.step == 0 or self.job is not None
        nxt = self.query_one("#next", Button)
        nxt.label = "Finish" if name == "adventure" else "Next"
        nxt.disabled = (name == "scan" and not self.scanned) or self.job is not None
        focus = {
            "folders": "#folder-input",
            "genres": "#genre-list",
            "artists": "#artist-search",
            "history": "#import-format",
            "adventure": "#adventure-input",
            "scan": "#cancel",
        }[name]
        self.query_one(focus).focus()
        if name == "scan":
            self._start_scan()
        elif name == "genres":
            self._fill_genres()
        elif name == "artists":
            self._fill_artists()

    def action_next(self) -> None:
        name = STEPS[self.step]
        if self.job is not None:
            return
        if name == "folders" and not (self.folders or self.use_demo):
            if not self._add_folder():
                return
        if name == "scan" and not self.scanned:
            return
        if name == "adventure":
            self._finish()
            return
        self.step += 1
        self._show()

    def action_back(self) -> None:
        if self.step > 0 and self.job is None:
            self.step -= 1
            if STEPS[self.step] == "scan":  # back over the scan goes to the folders
                self.step -= 1
            self._show()

    def action_cancel(self) -> None:
        if self.job is not None:
            self.app.cancel_job(self.job)
            self.query_one("#scan-status", Static).update("Cancelling…")
            return
        self.app.run_in_thread(
            set_onboarding_state,
            self.app.profile_id,
            "cancelled",
            then=lambda _: self.dismiss(False),
            group="onboarding",
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        handlers = {
            "next": self.action_next,
            "back": self.action_back,
            "cancel": self.action_cancel,
            "use-demo": self._use_demo,
            "import-btn": self._import,
            "browse-folder": self.action_browse,
        }
        handler = handlers.get(event.button.id or "")
        if handler:
            handler()

    # ---- step 1: folders --------------------------------------------------------------------------
    def _add_folder(self) -> bool:
        field = self.query_one("#folder-input", Input)
        check = check_folder(field.value)
        if self._accept(check):
            field.value = ""
        return check.ok

    def _accept(self, check: FolderCheck) -> bool:
        """Show the check; add a valid folder to the list. True when it was added just now."""
        self.query_one("#folder-check", Static).update(
            Text(clean(check.message), style="green" if check.ok else "bold red")
        )
        if (
            STEPS[self.step] != "folders"
        ):  # a browsed folder's check came back after the person moved on
            return False
        if not check.ok or str(check.path) in self.folders:
            return False
        self.folders.append(str(check.path))
        self.scanned = False  # the next step scans again, with this folder too
        self.query_one("#folder-list", Static).update(
            Text("Folders:\n" + "\n".join(map(clean, self.folders)))
        )
        return True

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "browse":  # only on the folders step; elsewhere `b` is the app's key again
            return STEPS[self.step] == "folders" and self.job is None
        return True

    def action_browse(self) -> None:
        from tuneup.tui.screens.folder_picker import FolderPicker

        if STEPS[self.step] == "folders":
            typed = self.query_one("#folder-input", Input).value
            self.app.push_screen(FolderPicker(typed), self._picked)

    def _picked(self, path: str | None) -> None:
        if path:
            self.query_one("#folder-check", Static).update(
                Text("Checking the folder…", style="dim")
            )
            self._check_picked(path)
        self.query_one("#folder-input", Input).focus()

    @work(thread=True, exclusive=True, group="wizard-folder-check", exit_on_error=False)
    def _check_picked(self, path: Path) -> None:
        """The same validation as a typed folder, off the UI thread (counting a big tree takes a while)."""
        check = check_folder(path)
        self.app.call_from_thread(self._accept, check)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "folder-input":
            if event.value.strip():
                self._add_folder()
            elif self.folders:
                self.action_next()
        elif event.input.id == "import-path":
            self._import()
        elif event.input.id == "adventure-input":
            self.action_next()

    def _use_demo(self) -> None:
        self.use_demo = True
        self.folders = []
        self.action_next()

    # ---- step 2: scan -----------------------------------------------------------------------------
    def _start_scan(self) -> None:
        if self.scanned:
            return
        self.query_one("#scan-status", Static).update("Starting…")
        if self.use_demo:
            started = self.app.start_job(
                "demo",
                jobs.build_demo,
                self.app.env.paths.demo_dir,
                self.app.profile_id,
                self.app.env.profile_name,
            )
            self.job = "demo" if started else None
        else:
            started = self.app.start_job("scan", jobs.scan_paths, list(self.folders))
            self.job = "scan" if started else None
        self.query_one("#back", Button).disabled = True
        self.query_one("#next", Button).disabled = True

    def on_work_progress(self, m: WorkProgress) -> None:
        if m.job != self.job:
            return
        self.query_one("#scan-status", Static).update(Text(describe(m)))
        self.query_one("#scan-bar", ProgressBar).update(total=m.total, progress=m.done)

    def on_work_done(self, m: WorkDone) -> None:
        if m.job not in ("scan", "demo", "import"):
            return
        if m.job == "import":
            self.import_result = m.result.line()
            self.query_one("#import-result", Static).update(Text(self.import_result, style="green"))
            self.job = None
            self.query_one("#next", Button).disabled = False
            return
        self.job = None
        self.app.run_in_thread(item_count, then=lambda count: self._scan_done(m.result, count))

    def _scan_done(self, result: Summary, count: int) -> None:
        self.scanned = count > 0 and not result.cancelled
        text = Text(f"{count:,} items in your library. ", style="bold")
        text.append(result.line())
        if result.cancelled:
            text.append(
                "\nCancelled: go Back to change folders, or Cancel to leave setup.", style="yellow"
            )
        elif count == 0:
            text.append(
                "\nNothing playable was found: go Back and choose another folder.", style="yellow"
            )
        self.query_one("#scan-summary", Static).update(text)
        self.query_one("#scan-status", Static).update("Done." if self.scanned else "Stopped.")
        if self.scanned:  # a small scan can end before its last progress message
            bar = self.query_one("#scan-bar", ProgressBar)
            bar.update(total=bar.total or 1, progress=bar.total or 1)
        self.query_one("#back", Button).disabled = False
        self.query_one("#next", Button).disabled = not self.scanned
        if self.scanned:
            self.query_one("#next", Button).focus()

    def on_work_failed(self, m: WorkFailed) -> None:
        if m.job != self.job:
            return
        self.job = None
        self.query_one("#scan-status" if m.job != "import" else "#import-result", Static).update(
            Text(m.error, style="bold red")
        )
        self.query_one("#back", Button).disabled = False
        self.query_one("#next", Button).disabled = m.job != "import"

    # ---- steps 3 and 4: genres and artists -------------------------------------------------------
    def _fill_genres(self) -> None:
        self.app.run_in_thread(genre_choices, then=self._show_genres, group="wizard-choices")

    def _show_genres(self, genres: list[tuple[str, int]]) -> None:
        lst = self.query_one("#genre-list", SelectionList)
        lst.clear_options()
        lst.add_options([Selection(f"{clean(g)}  ({n})", g, g in self.genres) for g, n in genres])

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        if event.selection_list.id == "genre-list":
            self.genres = set(event.selection_list.selected)
        elif event.selection_list.id == "artist-list":
            shown = {value for _, value in self._shown_artists()}
            self.artists = (self.artists - shown) | set(event.selection_list.selected)

    def _fill_artists(self) -> None:
        self.app.run_in_thread(
            artist_choices, sorted(self.genres), then=self._show_artists, group="wizard-choices"
        )

    def _show_artists(self, artists: list[tuple[str, int]]) -> None:
        self.artist_options = artists
        self._filter_artists(self.query_one("#artist-search", Input).value)

    def _shown_artists(self) -> list[tuple[str, str]]:
        from tuneup.store.normalize import fold

        query = fold(self.query_one("#artist-search", Input).value)  # "alex" finds "Àlex"
        return [(f"{clean(a)}  ({n})", a) for a, n in self.artist_options if query in fold(a)][:500]

    def _filter_artists(self, _query: str) -> None:
        lst = self.query_one("#artist-list", SelectionList)
        with lst.prevent(SelectionList.SelectedChanged):
            lst.clear_options()
            lst.add_options(
                [Selection(label, a, a in self.artists) for label, a in self._shown_artists()]
            )

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "artist-search":
            self._filter_artists(event.value)

    # ---- step 5: history import -------------------------------------------------------------------
    def _import(self) -> None:
        fmt = self.query_one("#import-format", Select).value
        path = self.query_one("#import-path", Input).value.strip()
        if not isinstance(fmt, str) or not path:
            self.query_one("#import-result", Static).update(
                Text("Choose a format and a file.", style="yellow")
            )
            return
        started = self.app.start_job(
            "import", jobs.import_history, str(fmt), path, self.app.profile_id
        )
        if started:
            self.job = "import"
            self.query_one("#import-result", Static).update("Importing…")
            self.query_one("#next", Button).disabled = True

    # ---- step 6: adventurousness, then finish -----------------------------------------------------
    def _finish(self) -> None:
        from tuneup.errors import TuneupError

        env = self.app.env
        try:
            env.config.set("adventurousness", self.query_one("#adventure-input", Input).value)
        except TuneupError as exc:
            self.app.notify(str(exc), severity="error", markup=False)
            return
        env.config.save()
        self.app.run_in_thread(
            finish_onboarding,
            self.app.profile_id,
            sorted(self.genres),
            sorted(self.artists),
            then=lambda _summary: self.dismiss(True),
            group="onboarding",
        )
