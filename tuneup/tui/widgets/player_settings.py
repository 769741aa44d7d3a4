"""Settings' player part: mpv or MPD, and where MPD is (host or socket, port, password) with a test button."""

from __future__ import annotations

from rich.text import Text
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Select, Static

from tuneup.config import SETTINGS

PLAYER_LABELS = {"mpv": "mpv", "mpd": "MPD"}
PLAYER_HELP = "mpv plays here (video in a window); MPD is your music daemon."
MPD_FIELDS = (
    ("mpd.host", "mpd-host", "host or /socket", None),
    ("mpd.port", "mpd-port", "6600", "integer"),
    ("mpd.password", "mpd-password", "password, if MPD needs one", None),
)


def player_fields():
    with Horizontal(classes="field"):
        yield Label("player", classes="field-label")
        yield Select(
            [(PLAYER_LABELS.get(c, c), c) for c in SETTINGS["player"].choices],
            allow_blank=False,
            id="set-player",
            compact=True,
        )
        yield Label(PLAYER_HELP, classes="field-help", markup=False)
    for key, widget_id, placeholder, kind in MPD_FIELDS:
        with Horizontal(classes="field"):
            yield Label(key, classes="field-label")
            extra = {"type": kind} if kind else {}
            yield Input(
                placeholder=placeholder,
                id=widget_id,
                classes="setting",
                compact=True,
                password=key == "mpd.password",
                **extra,
            )
            yield Label(SETTINGS[key].help, classes="field-help", markup=False)
    with Horizontal(classes="field"):
        yield Button("Test MPD connection", id="mpd-test", compact=True)
        yield Static("", id="mpd-test-result", classes="field-help", markup=False)


def load_player_fields(pane, config) -> None:
    pane.query_one("#set-player", Select).value = config.get("player")
    for key, widget_id, _, _ in MPD_FIELDS:
        value = config.get(key)
        pane.query_one("#" + widget_id, Input).value = "" if value in (None, 0) else str(value)


def _typed(pane) -> dict:
    values = {
        key: pane.query_one("#" + widget_id, Input).value.strip()
        for key, widget_id, _, _ in MPD_FIELDS
    }
    values["mpd.port"] = values["mpd.port"] or "0"
    return values


def save_player_fields(pane, config) -> None:
    """Raises ConfigError (through config.set) for a value out of range."""
    config.set("player", pane.query_one("#set-player", Select).value)
    for key, value in _typed(pane).items():
        config.set(key, value)


def player_values(config) -> tuple:
    return tuple(config.get(k) for k in ("player", "mpd.host", "mpd.port", "mpd.password"))


def check_mpd_connection(pane) -> None:
    """Connect to the MPD the fields name (saved or not) in a worker; show its version or why not."""
    result = pane.query_one("#mpd-test-result", Static)
    result.update("connecting…")
    typed = _typed(pane)

    def probe_it() -> None:
        from tuneup.errors import TuneupError
        from tuneup.playback.mpd import address_from
        from tuneup.playback.mpd_player import probe

        try:
            address = address_from({**typed, "mpd.port": int(typed["mpd.port"] or 0)})
            line = f"MPD {probe(address)} at {address}"
        except (TuneupError, ValueError) as exc:
            line = str(exc)
        except Exception as exc:  # not an MPD at that address (a bad hello), or it hung up
            line = f"no MPD answered at that address ({type(exc).__name__}: {exc})"
        pane.app.call_from_thread(result.update, Text(line))

    pane.run_worker(probe_it, thread=True, group="mpd-test", exit_on_error=False)
