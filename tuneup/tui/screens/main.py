"""The main screen: tabs for Home, Library, Stats and Settings over a docked now-playing bar."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, TabbedContent, TabPane

from tuneup.tui.messages import (PlayItems, PlayStateChanged, ShowDetails, StartRadio, WorkDone, WorkFailed,
                                 WorkProgress)
from tuneup.tui.widgets.home import HomePane
from tuneup.tui.widgets.jobs_line import JobsLine
from tuneup.tui.widgets.library_pane import LibraryPane
from tuneup.tui.widgets.now_playing import NowPlaying
from tuneup.tui.widgets.settings_pane import SettingsPane
from tuneup.tui.widgets.stats_pane import StatsPane


class MainScreen(Screen):
    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="home", id="tabs"):
            with TabPane("Home [1]", id="home"):
                yield HomePane(id="home-pane")
            with TabPane("Library [2]", id="library"):
                yield LibraryPane(id="library-pane")
            with TabPane("Stats [3]", id="stats"):
                yield StatsPane(id="stats-pane")
            with TabPane("Settings [4]", id="settings"):
                yield SettingsPane(id="settings-pane")
        yield JobsLine(id="jobs-line")
        yield NowPlaying(id="now-playing")
        yield Footer()

    def show_tab(self, tab: str) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        self.set_focus(None)  # a focused widget in the old pane would switch the tab straight back
        tabs.active = tab
        self.call_after_refresh(self._focus_tab, tab)

    def _focus_tab(self, tab: str) -> None:
        target = {"home": "#home-pane", "library": "#library-view", "stats": "#stats-pane",
                  "settings": "#settings-pane"}[tab]
        pane = self.query_one(target)
        if tab == "home":
            pane.focus_first()
        elif pane.can_focus:
            pane.focus()
        else:
            self.focus_next()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "stats":
            self.query_one(StatsPane).reload()

    def reload_data(self) -> None:
        self.query_one(HomePane).reload()
        self.query_one(LibraryPane).reload()
        self.query_one(StatsPane).reload()
        self.query_one(SettingsPane).reload()

    # ---- requests from the panes ----------------------------------------------------------------
    def on_play_items(self, message: PlayItems) -> None:
        self.app.playback.play(message.item_ids, message.start, message.source)

    def on_start_radio(self, message: StartRadio) -> None:
        self.app.playback.radio(message.item_id)

    def on_show_details(self, message: ShowDetails) -> None:
        from tuneup.tui.screens.details import DetailsScreen

        self.app.push_screen(DetailsScreen(message.item_id, message.reason, message.evidence, message.exploration))

    def on_play_state_changed(self, message: PlayStateChanged) -> None:
        self.query_one(NowPlaying).state = message.state

    def on_work_progress(self, message: WorkProgress) -> None:
        self.query_one(JobsLine).progress(message)

    def on_work_done(self, message: WorkDone) -> None:
        self.query_one(JobsLine).finished(message.job, message.result)

    def on_work_failed(self, message: WorkFailed) -> None:
        self.query_one(JobsLine).finished(message.job, None, failed=True)
