"""The now-playing bar docked at the bottom: current item, position, up next (from mpv or MPD)."""

from __future__ import annotations

import threading

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Static

from tuneup.tui.messages import PlayState
from tuneup.tui.text import clean


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = max(int(seconds), 0)
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


def position_bar(position: float, duration: float | None, width: int) -> str:
    if width <= 0:
        return ""
    if not duration:
        return "─" * width
    done = max(0, min(width, round(width * position / duration)))
    return "━" * done + "─" * (width - done)


class NowPlaying(Vertical):
    DEFAULT_CSS = """
    NowPlaying { height: 3; background: $panel; padding: 0 1; }
    NowPlaying #np-line { height: 1; }
    NowPlaying #np-bar { height: 1; color: $accent; }
    NowPlaying #np-next { height: 1; color: $text-muted; }
    """
    state: reactive[PlayState] = reactive(PlayState, always_update=True)

    def compose(self) -> ComposeResult:
        yield Static("", id="np-line", markup=False)
        with Horizontal(id="np-bar-row"):
            yield Static("", id="np-bar", markup=False)
        yield Static("", id="np-next", markup=False)

    def watch_state(self, state: PlayState) -> None:
        if not self.children:
            return
        line = Text()
        if not state.playing and state.notice:
            line.append(state.notice, style="bold" if "not connected" in state.notice else "dim")
            line.append("   enter plays the focused item · ? shows every key", style="dim")
        elif not state.playing:
            line.append("Nothing playing", style="dim")
            line.append("   enter plays the focused item · ? shows every key", style="dim")
        else:
            line.append("⏸ " if state.paused else "▶ ", style="bold")
            line.append(clean(state.title), style="bold")
            if state.artist:
                line.append(" — " + clean(state.artist))
            if state.playing_from:
                line.append("   from " + clean(state.playing_from), style="italic")
            line.append(f"   vol {state.volume}%", style="dim")
            if state.notice:
                line.append(f"   ({state.notice})", style="dim")
        self.query_one("#np-line", Static).update(line)
        width = max(self.size.width - 16, 10)
        pos_bar = position_bar(state.position, state.duration, width)
        bar = f"{clock(state.position):>7} {pos_bar} {clock(state.duration)}"
        self.query_one("#np-bar", Static).update(Text(bar) if state.playing else Text(""))
        up_next = ", ".join(clean(t) for t in state.up_next[:3])
        self.query_one("#np-next", Static).update(Text(f"Up next: {up_next}" if up_next else ""))

    def on_mount(self) -> None:
        self.watch_state(self.state)
        playback = getattr(self.app, "playback", None)
        if playback is not None:
            playback.follow()  # with MPD as the player, show what it plays from the start

    def on_unmount(self) -> None:
        playback = getattr(self.app, "playback", None)
        if playback is not None:
            # the app is ending: stop following MPD (mpv was stopped on quit); never wait on the loop
            threading.Thread(
                target=playback.shutdown, name="tuneup-playback-shutdown", daemon=True
            ).start()
