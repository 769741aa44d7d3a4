"""`tuneup mpd watch`: follow MPD over its idle protocol and record each song it plays as a listen.

Played time is wall time spent in the "play" state, so pauses do not count and seeks neither add
nor remove time; a song already under way when first seen (the watcher just started) is credited
with its position then. A song counts as finished when MPD's position (its last reported elapsed plus the
time played since) reached the end; when MPD went on to the song it had queued next, the person
skipped it (the common skip rule, history.skip_seconds, decides whether that is a skip); anything
else (stopped, the queue replaced, another song picked) ends it as "stopped", never a skip. When MPD goes away the
loop reconnects with backoff; a song cut off by that is recorded with end reason "error".
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from tuneup.cancel import cancel_check
from tuneup.history.events import DEFAULT_SKIP_SECONDS, Listen, is_skip, record_listen
from tuneup.playback.mpd import MpdAddress, PathMap, connect, disconnect_quietly, first_tag, song_ms

END_SLACK_S = 2.0  # a song whose position got this close to its end was played to the end
BACKOFF_S = (0.25, 0.5, 1, 2, 5, 10, 30)
POLL_S = 0.25  # how often a waiting loop looks at the cancel flag


@dataclass
class _Play:
    song_id: str
    file: str
    song: dict
    started_at: str
    played_s: float = 0.0
    elapsed_s: float = 0.0  # MPD's position at the last observation
    playing: bool = False
    seen_at: float = 0.0  # monotonic time of the last observation


class PlayTracker:
    """Turns a sequence of (status, currentsong) observations into finished plays."""

    def __init__(self, on_end: Callable[[_Play, str], None], clock=time.monotonic):
        self.on_end, self.clock = on_end, clock
        self.current: _Play | None = None
        self.suspended: _Play | None = None  # the song playing when the connection dropped
        self.next_id: str | None = None  # the song MPD had queued next at the last observation

    def observe(self, status: dict, song: dict) -> None:
        now = self.clock()
        state = status.get("state", "stop")
        song_id = status.get("songid") if state != "stop" else None
        self._resume(song_id, song, now)
        play = self.current
        if play is not None:
            self._advance(play, now)
            if song_id != play.song_id or song.get("file") != play.file:
                self._end(play, self._moved_on(song_id))
                play = None
        self.next_id = status.get("nextsongid") if state != "stop" else None
        if play is None and song_id is not None and song.get("file"):
            # A song first seen mid-way (the watcher or the app just started) has played up to its position.
            before = float(status.get("elapsed") or 0.0)
            play = _Play(song_id, song["file"], song, _utcnow(before), played_s=before, seen_at=now)
        if play is not None:
            play.elapsed_s = float(status.get("elapsed") or 0.0)
            play.playing = state == "play"
            play.seen_at = now
        self.current = play

    def _moved_on(self, song_id) -> str:
        """How a song that did not reach its end ended: "skipped" only when MPD went on to the song it
        had queued next (next pressed). A stop, a replaced queue (its songs get new ids), a jump to
        another song or going back is the person choosing something, not rejecting this one."""
        if song_id is not None and song_id == self.next_id:
            return "skipped"
        return "stopped"

    def lost(self) -> None:
        """The connection dropped: the song is held until MPD is seen again (a network blip is one play)."""
        if self.current is not None:
            self._advance(self.current, self.clock())
            self.current.playing = False  # time while we cannot see MPD is not counted
            self.end_suspended()
            self.suspended, self.current = self.current, None

    def _resume(self, song_id, song: dict, now: float) -> None:
        held, self.suspended = self.suspended, None
        if held is None:
            return
        if song_id is not None and song_id == held.song_id and song.get("file") == held.file:
            held.seen_at = now
            self.current = held  # the same song still playing: the same play goes on
        else:
            self._end(held, "error")  # MPD restarted or moved on while we were away: it ended there

    def end_suspended(self) -> None:
        """The watcher stops while the connection is down: the held song ends as it was last seen."""
        held, self.suspended = self.suspended, None
        if held is not None:
            self._end(held, "error")

    def _advance(self, play: _Play, now: float) -> None:
        if play.playing:
            delta = max(0.0, now - play.seen_at)
            play.played_s += delta
            play.elapsed_s += delta
            play.seen_at = now

    def _end(self, play: _Play, reason: str) -> None:
        duration = song_ms(play.song)
        if (
            duration
            and play.elapsed_s * 1000 >= duration - END_SLACK_S * 1000
            and reason != "error"
        ):
            reason = "finished"
        self.on_end(play, reason)


class MpdWatcher:
    """The idle loop. ``log(line)`` gets one line per event; ``after_event(client)`` runs after each
    observation (the radio tops the queue up there); ``on_listen(listen, id)`` after each play (``id`` is
    None when it was not stored). With a ``lock`` (mpd_lock.RecorderLock) plays are stored only while
    this watcher holds it, so two watchers of one MPD (the service and the app) store each play once."""

    def __init__(
        self,
        db,
        profile_id: int,
        address: MpdAddress,
        *,
        config=None,
        log: Callable[[str], None] = lambda line: None,
        after_event=None,
        on_listen=None,
        backoff=BACKOFF_S,
        lock=None,
    ):
        self.db, self.profile_id, self.address, self.config = db, profile_id, address, config
        self.log, self.after_event, self.on_listen, self.backoff = (
            log,
            after_event,
            on_listen,
            backoff,
        )
        self.lock = lock
        self.skip_seconds = (
            config.get("history.skip_seconds") if config is not None else DEFAULT_SKIP_SECONDS
        )
        self.tracker = PlayTracker(self._record)
        self.pathmap: PathMap | None = None
        self.recorded = 0

    def run(self, cancel=None) -> None:
        if self.lock is not None and not self.lock.acquire():
            self.log("another tuneup records MPD's plays now; this one takes over when it ends")
        try:
            self._run(cancel_check(cancel))
        finally:
            self.tracker.end_suspended()
            if self.lock is not None:
                self.lock.release()

    def _run(self, cancelled) -> None:
        failures = 0
        while not cancelled():
            try:
                client = connect(self.address)
            except OSError as exc:
                self._wait_retry(failures, f"cannot reach MPD at {self.address} ({exc})", cancelled)
                failures += 1
                continue
            failures = 0
            self.log(f"connected to MPD at {self.address}")
            try:
                self._follow(client, cancelled)
            except (OSError, _mpd_connection_error()) as exc:
                self.tracker.lost()
                self._wait_retry(
                    0, f"lost MPD at {self.address} ({exc or 'connection closed'})", cancelled
                )
            finally:
                disconnect_quietly(client)

    def _follow(self, client, cancelled) -> None:
        self.pathmap = PathMap.for_client(self.db, client, self.config)
        done = threading.Event()
        threading.Thread(
            target=_hang_up_on_cancel, args=(client, cancelled, done), daemon=True
        ).start()
        try:
            self._observe(client)
            while not cancelled():
                client.idle("player", "playlist")
                self._observe(client)
        except (OSError, _mpd_connection_error()):
            if not cancelled():
                raise
        finally:
            done.set()

    def _observe(self, client) -> None:
        status, song = client.status(), client.currentsong()
        before = self.tracker.current
        self.tracker.observe(status, song)
        now = self.tracker.current
        if now is not None and now is not before:
            self.log(f"playing {_label(now.song)}")
        if self.after_event is not None:
            self.after_event(client)

    def listen_for(self, play: _Play, reason: str) -> Listen:
        item_id = self.pathmap.item_of(play.file) if self.pathmap else None
        return Listen(
            self.profile_id,
            play.started_at,
            int(play.played_s * 1000),
            reason,
            "mpd",
            item_id=item_id,
            duration_ms=song_ms(play.song),
            artist=first_tag(play.song, "artist"),
            title=first_tag(play.song, "title"),
            album=first_tag(play.song, "album"),
            dedup_key=f"mpd:{play.started_at}:{play.file}",
        )

    def _record(self, play: _Play, reason: str) -> None:
        listen = self.listen_for(play, reason)
        ms, listen_id = listen.ms_played, None
        mine = self.lock is None or self.lock.acquire()
        if mine:
            listen_id = record_listen(self.db, listen, skip_seconds=self.skip_seconds)
            self.recorded += 1
        skip = (
            " (a skip)"
            if (
                listen.skipped
                if listen.skipped is not None
                else is_skip(reason, ms, self.skip_seconds)
            )
            else ""
        )
        self.log(
            f"{reason} after {ms / 1000:.1f} s{skip}: {_label(play.song)}"
            + ("" if listen.item_id else " [not in the library]")
            + ("" if mine else " [recorded by the other tuneup following MPD]")
        )
        if self.on_listen is not None:
            self.on_listen(listen, listen_id)

    def _wait_retry(self, failures: int, why: str, cancelled) -> None:
        delay = self.backoff[min(failures, len(self.backoff) - 1)]
        self.log(f"{why}; retrying in {delay:g} s")
        end = time.monotonic() + delay
        while not cancelled() and time.monotonic() < end:
            time.sleep(min(POLL_S, max(0.0, end - time.monotonic())))


def _label(song: dict) -> str:
    artist, title = first_tag(song, "artist"), first_tag(song, "title")
    return f"{artist} - {title}" if artist and title else song.get("file", "?")


def _utcnow(ago_s: float = 0.0) -> str:
    return (datetime.now(timezone.utc) - timedelta(seconds=ago_s)).isoformat(timespec="seconds")


def _hang_up_on_cancel(client, cancelled, done: threading.Event) -> None:
    """Blocking ``idle`` cannot look at the cancel flag; shutting the socket down wakes it."""
    while not done.wait(POLL_S):
        if cancelled():
            try:
                sock = socket.socket(fileno=os.dup(client.fileno()))
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            except (OSError, Exception):
                pass
            return


def _mpd_connection_error():
    import mpd

    return mpd.ConnectionError
