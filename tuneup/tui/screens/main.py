"""The main screen: tabs for Home, Library, Stats and Settings over a docked now-playing bar."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.lazy import Lazy
from textual.screen import Screen
from textual.widgets import Footer, Header, TabbedContent, TabPane

from tuneup.tui.messages import (
    FeedbackChanged,
    PlayItems,
    PlayStateChanged,
    ShowDetails,
    StartRadio,
    WorkDone,
    WorkFailed,
    WorkProgress,
)
from tuneup.tui.widgets.home import HomePane
from tuneup.tui.widgets.jobs_line import JobsLine
from tuneup.tui.widgets.library_pane import LibraryPane
from tuneup.tui.widgets.now_playing import NowPlaying
from tuneup.tui.widgets.settings_pane import SettingsPane
from tuneup.tui.widgets.stats_pane import StatsPane


class MainScreen(Screen):
    AUTO_FOCUS = None  # Home focuses its first card once the rows are in

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="home", id="tabs"):
            with TabPane("Home [1]", id="home"):
                yield HomePane(id="home-pane")
            # The other tabs are mounted just after the first paint, so the first screen comes up sooner.
            with TabPane("Library [2]", id="library"):
                yield Lazy(LibraryPane(id="library-pane"))
            with TabPane("Stats [3]", id="stats"):
                yield Lazy(StatsPane(id="stats-pane"))
            with TabPane("Settings [4]", id="settings"):
                yield Lazy(SettingsPane(id="settings-pane"))
        yield JobsLine(id="jobs-line")
        yield NowPlaying(id="now-playing")
        yield Footer()

    def show_tab(self, tab: str, focus: str | None = None) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        self.set_focus(None)  # a focused widget in the old pane would switch the tab straight back
        tabs.active = tab
        self.call_after_refresh(self._focus_tab, tab, focus)

    def _focus_tab(self, tab: str, focus: str | None = None) -> None:
        target = (
            focus
            or {
                "home": "#home-pane",
                "library": "#library-view",
                "stats": "#stats-pane",
                "settings": "#settings-pane",
            }[tab]
        )
        found = self.query(target)
        if not found:  # not mounted yet (Lazy): try again after the next refresh
            self.call_after_refresh(self._focus_tab, tab, focus)
            return
        self._tab_shown(tab)
        pane = found.first()
        if tab == "home":
            pane.focus_first()
        elif pane.can_focus:
            pane.focus()
        else:
            self.focus_next()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._tab_shown(event.pane.id)

    def _tab_shown(self, tab: str | None) -> None:
        for stats in self.query(StatsPane):
            stats.shown = tab == "stats"
            if stats.shown:
                stats.activate()
        if tab == "library":
            for library in self.query(LibraryPane):
                library.activate()

    def reload_data(self) -> None:
        for pane in self.query("HomePane, LibraryPane, StatsPane, SettingsPane"):
            pane.reload()

    # ---- requests from the panes ----------------------------------------------------------------
    def on_play_items(self, message: PlayItems) -> None:
        self.app.playback.play(message.item_ids, message.start, message.source, message.label)

    def on_start_radio(self, message: StartRadio) -> None:
        self.app.playback.radio(message.item_id)

    def on_show_details(self, message: ShowDetails) -> None:
        from tuneup.tui.screens.details import DetailsScreen

        self.app.push_screen(
            DetailsScreen(message.item_id, message.reason, message.evidence, message.exploration)
        )

    async def on_feedback_changed(self, message: FeedbackChanged) -> None:
        from tuneup.tui.widgets.library_view import LibraryView, show_marks

        for view in self.query(LibraryView):
            show_marks(view, message.item_id, message.marks)
        for pane in self.query(HomePane):
            await pane.feedback_changed(message.item_id, message.marks)

    def on_play_state_changed(self, message: PlayStateChanged) -> None:
        self.query_one(NowPlaying).state = message.state

    def on_work_progress(self, message: WorkProgress) -> None:
        self.query_one(JobsLine).progress(message)

    def on_work_done(self, message: WorkDone) -> None:
        self.query_one(JobsLine).finished(message.job, message.result)

    def on_work_failed(self, message: WorkFailed) -> None:
        self.query_one(JobsLine).finished(message.job, None, failed=True)
