"""The app's side of playback: keys to player calls, the player's state to the now-playing bar.

The player is mpv (tuneup.playback.mpv.Player) or MPD (tuneup.playback.mpd_player.MpdPlayer), chosen
by the ``player`` setting (tuneup.playback.players.default_player); both have the same interface.
Either records one listen per item itself (in its own thread, with its own connection). An mpv
Player plays one queue, so playing something new stops the old one (in a worker: stopping waits for
mpv) and starts a fresh one. An MpdPlayer follows MPD for as long as MPD is the player (also what
other clients play), and playing replaces MPD's queue; its calls wait for MPD, so they run in
workers. Listener callbacks arrive on the player's threads and are handed to the UI thread as
messages. A worker's failure reaches the person through the app's one handler (app.report_error).
"""

from __future__ import annotations

import os
import threading
from typing import Callable

from tuneup.playback.players import default_player
from tuneup.playback.radio_queue import RADIO
from tuneup.tui.feedback_writer import FeedbackWriter
from tuneup.tui.messages import FeedbackChanged, PlayState, PlayStateChanged
from tuneup.tui.text import clean

PLAYBACK_HINTS = {
    "audio output initialization failed": ". mpv found no working sound output: check the sound setup "
    "(`mpv --ao=help` lists the outputs), or choose MPD in Settings.",
}


def _remote(player) -> bool:
    return bool(getattr(player, "remote", False))


FEEDBACK_DONE = {
    "like": "Liked",
    "unlike": "Like taken back",
    "dislike": "Disliked",
    "undislike": "Dislike taken back",
    "ban": "Banned",
    "unban": "Ban lifted",
    "exclude": "Excluded from your taste",
}


class PlaybackController:
    def __init__(self, app, player_factory: Callable | None = None):
        self.app = app
        self.radio_policy = RADIO  # radio never ends: the same top-up rule as `tuneup mpd radio`
        self.player_factory = player_factory or default_player
        self.player = None
        self.state = PlayState()
        self.radio_session = None
        self._lock = threading.Lock()  # one start/stop at a time
        self._radio_lock = (
            threading.Lock()
        )  # the session's DB connection is used by one thread at a time
        self._extending = False
        self._connected: bool | None = None  # MPD's, as last shown
        self.feedback_writer = FeedbackWriter(
            app.env.paths.db_file, self._feedback_written, self._marks_changed
        )
        self.playing_from = ""  # the now-playing bar's "from Discover Weekly", set by play()
        self.last_feedback: tuple[int, str] | None = None  # (item_id, what was done) for undo (u)
        self._errors_of, self._errors_seen, self._reasons_told = None, 0, set()

    # ---- starting and stopping (in a worker: mpv takes a moment) -------------------------------
    def play(self, item_ids: list[int], start: int = 0, source: str = "", label: str = "") -> None:
        if not item_ids:
            return
        self.playing_from = label
        if source != "radio":
            self.radio_session = None
        queue = list(item_ids[start:]) or list(item_ids)
        self.app.run_worker(
            lambda: self._start(queue),
            thread=True,
            group="player",
            name="play",
            exit_on_error=False,
        )

    def _start(self, item_ids: list[int]) -> None:
        from tuneup.playback.queue import entries_for
        from tuneup.store import connection

        with self._lock:
            with connection(self.app.env.paths.db_file) as db:
                entries = entries_for(db, item_ids)  # a failure goes to the app's worker handler
            player = self.player if self._reusable(self.player) else None
            try:
                if player is None:
                    self._release(halt=True)
                    player = self._new_player()
                player.start(entries)
            except Exception as exc:  # not only a report: what happens to the player depends on it
                self.app.report_error("Cannot start the player", exc)
                if player is None or not (_remote(player) and player.running):
                    return  # an MpdPlayer stays: it follows MPD and reconnects when MPD is back
            self.player = player
            self._on_player_state(player.state())

    def _new_player(self):
        player = self.player_factory(self.app.env, self.app.profile_id)
        player.add_listener(self._on_player_state)
        return player

    def _reusable(self, player) -> bool:
        """An MpdPlayer following the MPD the settings name, for this profile, plays the next queue too."""
        if not (_remote(player) and player.running) or self.app.env.config.get("player") != "mpd":
            return False
        if player.profile_id != self.app.profile_id:
            return False
        from tuneup.playback.mpd import address_from

        try:
            return player.address == address_from(self.app.env.config)  # host, port and password
        except (
            Exception
        ):  # an address the settings cannot name is not the one followed: not reusable
            return False

    def _release(self, *, halt: bool) -> None:
        """Let go of the player: mpv quits (recording its item); MPD stops playing only when ``halt``."""
        player, self.player = self.player, None
        if player is None:
            return
        try:
            if _remote(player):
                if halt:
                    player.stop()
                player.detach()
            else:
                player.stop()
        except (
            Exception
        ) as exc:  # letting go goes on regardless: the log has it, nobody waits on it
            self.app.log.warning(f"stopping the player: {exc}")

    def stop(self) -> None:
        self.radio_session = None
        self.app.run_worker(
            self._stop_locked, thread=True, group="player", name="stop", exit_on_error=False
        )

    def _stop_locked(self) -> None:
        with self._lock:
            if _remote(self.player):  # MPD stops; the bar keeps following it
                self.player.stop()
                return
            self._release(halt=True)
        self._show(PlayState())

    def shutdown(self) -> None:
        """At exit: likes and bans written, mpv stopped so the current item's listen is recorded; MPD plays on."""
        self.feedback_writer.flush()
        with self._lock:
            self._release(halt=False)

    # ---- following MPD ----------------------------------------------------------------------------
    def follow(self) -> None:
        """When MPD is the player: show what it plays (whoever started it) and record it."""
        if self.app.env.config.get("player") == "mpd":
            self.app.run_worker(
                self._follow, thread=True, group="player", name="MPD", exit_on_error=False
            )

    def player_changed(self) -> None:
        """The player setting (or MPD's address) changed: follow the new one."""
        self.app.run_worker(
            self._switch, thread=True, group="player", name="MPD", exit_on_error=False
        )

    def _follow(self) -> None:
        with self._lock:
            if self._reusable(self.player) or self.app.env.config.get("player") != "mpd":
                return
            self._release(halt=False)
            player = self._new_player()
            player.attach()
            self.player = player

    def _switch(self) -> None:
        with self._lock:
            if _remote(self.player) and not self._reusable(self.player):
                self._release(halt=False)  # MPD plays on; it is just not this app's player any more
                self._connected = None
                self._show(PlayState())
        self._follow()

    # ---- controls (mpv: socket sends, fast enough for the UI thread; MPD: in workers) -------------
    def _call(self, name: str, *args) -> bool:
        player = self.player
        if player is None or not player.running:
            self.app.notify(
                "Nothing is playing. Press enter on an item to play it.", severity="warning"
            )
            return False
        if _remote(player):  # waits for MPD's answer: not on the UI thread
            self.app.run_worker(
                lambda: getattr(player, name)(*args),
                thread=True,
                group="player-keys",
                name="player",
                exit_on_error=False,
            )
            return True
        try:
            getattr(player, name)(*args)
        except Exception as exc:  # not only a report: the caller acts on whether the key took
            self.app.report_error("Player", exc)
            return False
        return True

    def toggle_pause(self) -> None:
        self._call("pause_toggle")

    def next(self) -> None:
        self._call("next")

    def previous(self) -> None:
        self._call("prev")

    def skip(self) -> None:
        item_id = self.state.item_id
        if self._call("skip") and self.radio_session is not None and item_id is not None:
            self.app.run_worker(
                lambda: self._radio_skipped(item_id), thread=True, exit_on_error=False
            )

    def volume(self, delta: int) -> None:
        self._call("volume", delta)

    def seek(self, seconds: float) -> None:
        self._call("seek", seconds)

    # ---- radio ----------------------------------------------------------------------------------
    def radio(self, item_id: int) -> None:
        self.app.notify("Starting radio…")
        self.app.run_worker(
            lambda: self._radio(item_id),
            thread=True,
            group="radio",
            name="radio",
            exit_on_error=False,
        )

    def _radio(self, item_id: int) -> None:
        from tuneup.mixes.radio import RadioSession
        from tuneup.store import open_db
        from tuneup.store.items import label_of
        from tuneup.tui.home_rows import app_model

        db = open_db(self.app.env.paths.db_file)
        try:
            seed = label_of(db, item_id)
            model = app_model(db, self.app.env.paths.model_dir)
            session = RadioSession(db, model, self.app.profile_id, [str(item_id)])
            items = session.next_batch(self.radio_policy.first)
        except BaseException:  # the session keeps the connection only when it starts
            db.conn.close()
            raise
        self.radio_session = session
        ids = [item_id] + [i.item_id for i in items if i.item_id != item_id]
        self.app.call_from_thread(self.play, ids, 0, "radio", f"Radio from {seed}")

    def _radio_skipped(self, item_id: int) -> None:
        session = self.radio_session
        if session is not None:
            try:
                with self._radio_lock:
                    session.skipped(item_id)  # later batches steer away from it
            except (
                Exception
            ) as exc:  # steering is a nicety; the skip itself is recorded by the player
                self.app.log.warning(f"radio skip: {exc}")

    def _maybe_extend_radio(self, snap, queue: list) -> None:
        """On the Player's thread: when a radio's queue runs low, fetch more on another thread."""
        session, player = self.radio_session, self.player
        if session is None or player is None or snap is None or not snap.running or self._extending:
            return
        wanted = self.radio_policy.to_add(len(queue) - (snap.index or 0) - 1)
        if wanted <= 0:
            return
        self._extending = True
        threading.Thread(
            target=self._extend_radio, args=(session, player, wanted), daemon=True
        ).start()

    def _extend_radio(self, session, player, wanted: int) -> None:
        try:
            with self._radio_lock:
                items = session.next_batch(wanted)
            if items and self.radio_session is session and self.player is player:
                player.enqueue([i.item_id for i in items])
        except (
            Exception
        ) as exc:  # a plain thread on the player's behalf: the next low queue retries
            self.app.log.warning(f"radio: {exc}")
        finally:
            self._extending = False

    # ---- feedback ---------------------------------------------------------------------------------
    def feedback(self, kind: str) -> None:
        """Like, dislike, ban (each a toggle: a second press takes it back) or exclude from the taste
        what is playing, or else the focused item."""
        item_id = self.state.item_id if self.state.playing else focused_item(self.app)
        if item_id is None:
            self.app.notify(f"Nothing to {kind}: play or focus an item first.", severity="warning")
            return
        what = kind if kind == "exclude" else f"toggle-{kind}"
        self.feedback_writer.submit(self.app.profile_id, item_id, what)

    def undo_feedback(self) -> None:
        """Take back the last like, dislike or ban (or put back the last one taken back)."""
        if self.last_feedback is None:
            self.app.notify("Nothing to undo: no like, dislike or ban yet.", severity="warning")
            return
        item_id, done = self.last_feedback
        back = done.removeprefix("un") if done.startswith("un") else "un" + done
        self.feedback_writer.submit(self.app.profile_id, item_id, back)

    def _feedback_written(
        self, kind: str, item_id: int, label: str | None, error: str | None
    ) -> None:
        """On the writer's thread: notify() only posts a message."""
        if error is not None:
            self.app.notify(f"Could not save the {kind}: {error}", severity="error", markup=False)
            return
        self.app.notify(f"{FEEDBACK_DONE[kind]}: {label} (u undoes)", markup=False)
        if kind != "exclude":
            self.last_feedback = (item_id, kind)
        if kind == "ban" and self.state.playing and self.state.item_id == item_id:
            self.app.call_from_thread(self._call, "next")

    def _marks_changed(self, item_id: int, marks: tuple[str, ...]) -> None:
        """On the writer's thread: every screen shows the item's new marks (a banned card goes)."""
        for screen in self.app.screen_stack:
            screen.post_message(FeedbackChanged(item_id, marks))

    # ---- state ------------------------------------------------------------------------------------
    def _on_player_state(self, snapshot) -> None:
        """Called on the Player's thread, under its lock: hand over without waiting for the UI."""
        queue = self._queue_labels()
        state = state_from(snapshot, queue)
        if state.playing:
            state.playing_from = self.playing_from
        self._show(state)
        self._maybe_extend_radio(snapshot, queue)
        self._tell_connection(snapshot)
        self._tell_errors(self.player)

    def _tell_errors(self, player) -> None:
        """What the player could not play, once per reason and player (a whole queue can fail alike)."""
        errors = getattr(player, "errors", None)
        if not errors:
            return
        if self._errors_of is not player:
            self._errors_of, self._errors_seen, self._reasons_told = player, 0, set()
        new, self._errors_seen = errors[self._errors_seen :], len(errors)
        for error in new:
            where, _, reason = error.rpartition(": ")
            if reason in self._reasons_told:
                continue
            self._reasons_told.add(reason)
            name = clean(os.path.basename(where) or where)
            hint = PLAYBACK_HINTS.get(reason, "")
            self.app.notify(
                f"{name}: {clean(reason)}{hint}",
                title="Cannot play",
                severity="error",
                markup=False,
                timeout=10,
            )

    def _tell_connection(self, snapshot) -> None:
        """One notification when MPD goes away (with what to do) and one when it is back."""
        connected = getattr(snapshot, "connected", None)
        if connected is None or connected == self._connected:
            return
        was, self._connected = self._connected, connected
        if (
            not connected
        ):  # notify() only posts a message: safe from this thread, and it does not wait
            self.app.notify(
                snapshot.error,
                title="MPD not connected",
                severity="error",
                markup=False,
                timeout=10,
            )
        elif was is False:
            self.app.notify(
                f"Connected to MPD {snapshot.version} again.", title="MPD", markup=False
            )

    def _queue_labels(self) -> list:
        player = self.player
        return list(getattr(player, "_queue", []) or []) if player is not None else []

    def _show(self, state: PlayState) -> None:
        self.state = state
        stack = self.app.screen_stack
        if stack:
            stack[0].post_message(PlayStateChanged(state))  # post_message is thread-safe


def state_from(snap, queue: list) -> PlayState:
    """What the bar shows, from the player's state snapshot and the queue it plays."""
    if snap is None:
        return PlayState()
    entry = getattr(snap, "entry", None)
    mpd = hasattr(snap, "connected")
    if mpd and snap.connected is False and snap.running:
        return PlayState(notice="MPD not connected")
    if not snap.running or entry is None:
        return PlayState(notice="MPD: nothing playing" if mpd and snap.running else "")
    index = snap.index or 0
    upcoming = [e.label() for e in queue[index + 1 : index + 4]]
    notice = "via MPD" if mpd else ("video in mpv's window" if entry.is_video else "")
    return PlayState(
        item_id=entry.item_id,
        title=entry.title or entry.path,
        artist=entry.artist or "",
        kind=entry.kind,
        position=float(snap.position or 0.0),
        duration=snap.duration or entry.duration_s,
        paused=bool(snap.paused),
        volume=int(snap.volume if snap.volume is not None else 100),
        up_next=upcoming,
        playing=True,
        notice=notice,
    )


def focused_item(app) -> int | None:
    focused = app.screen.focused
    item = getattr(focused, "item", None)
    if item is not None and hasattr(item, "item_id"):
        return item.item_id
    return getattr(focused, "current_id", None)
