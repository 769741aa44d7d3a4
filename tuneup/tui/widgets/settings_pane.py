"""Settings: folders, adventurousness, mix sizes, player, profiles; rescan, re-analyse, onboarding."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static

from tuneup.config import SETTINGS
from tuneup.errors import TuneupError
from tuneup.store.profiles import profile_names
from tuneup.tui.text import clean
from tuneup.tui.widgets.library_folders import LibraryFolders
from tuneup.tui.widgets.player_settings import (
    check_mpd_connection,
    load_player_fields,
    player_fields,
    player_values,
    save_player_fields,
)

NUMBER_SETTINGS = (
    "adventurousness",
    "mix.weekly_size",
    "mix.daily_count",
    "mix.daily_size",
    "mix.artist_cap",
)


def _id(key: str) -> str:
    return "set-" + key.replace(".", "-")


class SettingsPane(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static("Library folders", classes="section")
        yield LibraryFolders()
        with Horizontal(classes="field"):
            yield Button("Rescan", id="rescan", compact=True)
            yield Button("Re-analyse audio", id="reanalyse", compact=True)
            yield Button("Run onboarding again", id="rerun-onboarding", compact=True)
        yield Static("Taste and mixes", classes="section")
        for key in NUMBER_SETTINGS:
            s = SETTINGS[key]
            with Horizontal(classes="field"):
                yield Label(key, classes="field-label")
                yield Input(type="integer", id=_id(key), classes="setting", compact=True)
                limits = "" if "(" in s.help else f" ({s.minimum:g}-{s.maximum:g})"
                yield Label(s.help + limits, classes="field-help", markup=False)
        yield from player_fields()
        yield Button("Save settings", id="save", variant="primary", compact=True)
        yield Static("Profiles", classes="section")
        with Horizontal(classes="field"):
            yield Label("profile", classes="field-label")
            yield Select(
                [(p, p) for p in [self.app.env.profile_name]],
                allow_blank=False,
                id="profile-select",
                compact=True,
            )
            yield Input(placeholder="new profile name", id="new-profile", compact=True)
            yield Button("Create", id="create-profile", compact=True)

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        app = self.app
        config = app.env.config
        for key in NUMBER_SETTINGS:
            self.query_one("#" + _id(key), Input).value = str(config.get(key))
        load_player_fields(self, config)
        self.query_one(LibraryFolders).reload()
        names = profile_names(app.env.db)
        select = self.query_one("#profile-select", Select)
        with select.prevent(Select.Changed):
            select.set_options([(clean(n), n) for n in names])
            select.value = app.env.profile_name

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {
            "save": self.save,
            "create-profile": self.create_profile,
            "rescan": lambda: self.app.run_action("app.rescan"),
            "reanalyse": lambda: self.app.run_action("app.reanalyse"),
            "rerun-onboarding": lambda: self.app.run_action("app.onboarding"),
            "mpd-test": lambda: check_mpd_connection(self),
        }
        action = actions.get(event.button.id or "")
        if action:
            action()

    def save(self) -> bool:
        config = self.app.env.config
        try:
            for key in NUMBER_SETTINGS:
                config.set(key, self.query_one("#" + _id(key), Input).value)
            player_before = player_values(config)
            save_player_fields(self, config)
            config.save()
        except TuneupError as exc:
            self.app.notify(str(exc), title="Not saved", severity="error", markup=False)
            return False
        self.app.notify("Settings saved.")
        if player_values(config) != player_before:
            self.app.playback.player_changed()
        return True

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "profile-select" and event.value != self.app.env.profile_name:
            self.app.switch_profile(str(event.value))

    def create_profile(self) -> None:
        name = self.query_one("#new-profile", Input).value.strip()
        if not name or any(ord(c) < 32 for c in name):
            self.app.notify("Type a name for the new profile.", severity="warning")
            return
        self.query_one("#new-profile", Input).value = ""
        self.app.switch_profile(name)
