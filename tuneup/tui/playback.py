"""The app's side of playback: a queue of item ids, the player, and the now-playing state.

The player itself (mpv over JSON IPC, recording one listen per item) is tuneup.playback.mpv.Player;
this controller only turns keys into its calls and its state into PlayStateChanged messages.
"""

from __future__ import annotations

from typing import Callable

from tuneup.tui.messages import PlayState, PlayStateChanged


class PlaybackController:
    def __init__(self, app, player_factory: Callable | None = None):
        self.app = app
        self.player_factory = player_factory
        self.player = None
        self.queue: list[int] = []
        self.state = PlayState()
        self._timer = None

    # ---- the player ---------------------------------------------------------------------------
    def _ensure_player(self):
        if self.player is not None:
            return self.player
        factory = self.player_factory
        if factory is None:
            try:
                from tuneup.playback.mpv import Player
            except ImportError:
                self.app.notify("Playback is not available in this build (tuneup.playback.mpv is missing).",
                                severity="error")
                return None
            factory = Player
        try:
            self.player = factory(self.app.env)
        except Exception as exc:
            self.app.notify(str(exc), title="Cannot start the player", severity="error", markup=False)
            return None
        if self._timer is None:
            self._timer = self.app.set_interval(0.5, self.poll)
        return self.player

    def _call(self, name: str, *args) -> None:
        player = self.player
        if player is None:
            return
        try:
            getattr(player, name)(*args)
        except Exception as exc:
            self.app.notify(str(exc), title="Player", severity="error", markup=False)
        self.poll()

    # ---- keys ---------------------------------------------------------------------------------
    def play(self, item_ids: list[int], start: int = 0, source: str = "") -> None:
        if not item_ids:
            return
        player = self._ensure_player()
        if player is None:
            return
        self.queue = list(item_ids)
        self._call("play", self.queue, start)

    def radio(self, item_id: int) -> None:
        try:
            from tuneup.mixes.radio import radio
        except ImportError:
            self.app.notify("Radio is not available yet; playing this item.", severity="warning")
            self.play([item_id])
            return
        try:
            mix = radio(self.app.env.db, [item_id], profile=self.app.env.profile_name, config=self.app.env.config)
        except Exception as exc:
            self.app.notify(str(exc), title="Radio", severity="error", markup=False)
            return
        self.play([i.item_id for i in mix.items] or [item_id], 0, "radio")

    def toggle_pause(self) -> None:
        self._call("toggle_pause")

    def next(self) -> None:
        self._call("next")

    def previous(self) -> None:
        self._call("previous")

    def skip(self) -> None:
        self._call("skip")

    def stop(self) -> None:
        self._call("stop")

    def volume(self, delta: int) -> None:
        self._call("add_volume", delta)

    def seek(self, seconds: float) -> None:
        self._call("seek", seconds)

    def feedback(self, kind: str) -> None:
        """Like or ban what is playing, or else the focused item."""
        item_id = self.state.item_id if self.state.playing else focused_item(self.app)
        if item_id is None:
            self.app.notify(f"Nothing to {kind}: play or focus an item first.", severity="warning")
            return
        from tuneup.history.events import describe_item, set_feedback

        db = self.app.env.db
        set_feedback(db, self.app.profile_id, item_id, kind)
        self.app.notify(f"{'Liked' if kind == 'like' else 'Banned'}: {describe_item(db, item_id)}", markup=False)
        if kind == "ban" and self.state.playing and self.state.item_id == item_id:
            self._call("next")

    # ---- state --------------------------------------------------------------------------------
    def poll(self) -> None:
        player = self.player
        if player is None:
            return
        try:
            snapshot = player.snapshot()
        except Exception as exc:
            self.app.log.warning(f"player state: {exc}")
            return
        self.state = snapshot_to_state(self.app.env.db, snapshot)
        self.app.screen_stack[0].post_message(PlayStateChanged(self.state))

    def shutdown(self) -> None:
        player, self.player = self.player, None
        if player is not None:
            try:
                player.close()
            except Exception:
                pass


def snapshot_to_state(db, snap) -> PlayState:
    """Turn the player's snapshot (item id, position, duration, paused, volume, queue) into what the bar shows."""
    if snap is None or getattr(snap, "item_id", None) is None:
        return PlayState()
    row = db.execute("SELECT coalesce(title, path), coalesce(artist, ''), kind FROM items WHERE id = ?",
                     [snap.item_id]).fetchone() or ("?", "", "")
    upcoming = list(getattr(snap, "up_next", []) or [])[:3]
    titles = []
    for item_id in upcoming:
        r = db.execute("SELECT coalesce(title, path) FROM items WHERE id = ?", [item_id]).fetchone()
        if r:
            titles.append(r[0])
    return PlayState(item_id=snap.item_id, title=row[0], artist=row[1], kind=row[2],
                     position=float(getattr(snap, "position", 0.0) or 0.0), duration=getattr(snap, "duration", None),
                     paused=bool(getattr(snap, "paused", False)), volume=int(getattr(snap, "volume", 100) or 0),
                     up_next=titles, playing=True)


def focused_item(app) -> int | None:
    focused = app.screen.focused
    item = getattr(focused, "item", None)
    if item is not None and hasattr(item, "item_id"):
        return item.item_id
    return getattr(focused, "current_id", None)
