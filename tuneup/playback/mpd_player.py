"""MPD as the app's player, with the interface of the mpv Player (start, enqueue, pause_toggle, next,
prev, skip, seek, volume, state, add_listener, stop, running), so a front end only picks the factory.

It follows MPD on two threads, each with its own MPD connection and database connection:

- the watcher is the same idle loop as `tuneup mpd watch` (MpdWatcher): it records each song MPD
  plays, whoever started it, under the RecorderLock, so the app and a running `tuneup mpd watch`
  never store one play twice (the first one started records; the other takes over when it ends);
- the poller reads ``status`` (and the queue when its version changed) every ``poll_s`` seconds and
  calls the listeners with an :class:`MpdState`, each song mapped back to its library item. It
  reconnects with backoff; meanwhile the state says ``connected=False``.

Commands use a third connection (reopened when MPD closed it) and wait for MPD's answer, so a
front end calls them off its UI thread (``remote`` is True). ``stop()`` stops MPD's playback and
keeps following; ``detach()`` stops following and leaves MPD as it is.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from tuneup.errors import PlayerError, TuneupError
from tuneup.playback.listeners import StateListeners
from tuneup.playback.mpd import (
    MpdAddress,
    PathMap,
    address_from,
    connect,
    disconnect_quietly,
    first_tag,
    queue_paths,
)
from tuneup.playback.mpd_lock import RecorderLock
from tuneup.playback.mpd_watch import BACKOFF_S, MpdWatcher
from tuneup.playback.mpv import PlayerState
from tuneup.playback.queue import QueueEntry

POLL_S = 0.5


@dataclass(frozen=True)
class MpdState(PlayerState):
    connected: bool | None = None  # None: not tried yet
    error: str = ""  # why MPD cannot be reached
    version: str = ""  # MPD's protocol version once connected


def unreachable(address: MpdAddress, exc: BaseException) -> str:
    """One line saying what is wrong and what to do."""
    why = str(exc) or type(exc).__name__
    return (
        f"MPD is not reachable at {address} ({why}): start MPD, or set its host or socket in Settings "
        "(mpd.host, mpd.port); tuneup reconnects when it is back"
    )


def probe(address: MpdAddress) -> str:
    """MPD's protocol version at ``address``; TuneupError with a one-line reason when it cannot connect."""
    try:
        client = connect(address)
    except OSError as exc:
        raise TuneupError(unreachable(address, exc)) from None
    try:
        return client.mpd_version
    finally:
        disconnect_quietly(client)


class _AppWatcher(MpdWatcher):
    """The watch loop, with the app's `s` (always a skip) honoured and each event waking the poller."""

    def __init__(self, player: "MpdPlayer", db):
        super().__init__(
            db,
            player.profile_id,
            player.address,
            config=player.config,
            log=player.log.append,
            after_event=lambda client: player._wake.set(),
            backoff=player.backoff,
            lock=player.lock,
        )
        self.forced_skips = player._forced_skips

    def listen_for(self, play, reason):
        listen = super().listen_for(play, reason)
        if play.song_id in self.forced_skips:
            self.forced_skips.discard(play.song_id)
            listen.skipped = True
        return listen


class MpdPlayer:
    remote = True  # every call waits for MPD: call from a worker, not from a UI thread

    def __init__(
        self,
        db_path: Path | str,
        profile_id: int,
        run_dir: Path | str,
        address: MpdAddress,
        *,
        config=None,
        poll_s: float = POLL_S,
        backoff=BACKOFF_S,
        record: bool = True,
    ):
        self.db_path, self.profile_id, self.address, self.config = (
            db_path,
            profile_id,
            address,
            config,
        )
        self.poll_s, self.backoff = poll_s, backoff
        self.lock = RecorderLock(run_dir, address) if record else None
        self.log: deque[str] = deque(maxlen=200)
        self._state = MpdState()
        self._queue: list[QueueEntry] = []
        self._listeners = StateListeners(self.log.append)
        self._forced_skips: set[str] = set()
        self._cancel = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._cmd_lock = threading.Lock()
        self._cmd = None  # (client, PathMap) for commands
        self.watcher: _AppWatcher | None = None

    @classmethod
    def from_env(cls, env, profile_id: int | None = None, **kwargs) -> "MpdPlayer":
        env.paths.ensure()
        return cls(
            env.paths.db_file,
            env.profile_id if profile_id is None else profile_id,
            env.paths.run_dir,
            address_from(env.config),
            config=env.config,
            **kwargs,
        )

    # --- following --------------------------------------------------------------------------------

    def attach(self) -> None:
        """Start following MPD (idempotent); never raises: an unreachable MPD shows in the state."""
        if self._threads:
            return
        for name, target in (
            ("tuneup-mpd-watch", self._watch_loop),
            ("tuneup-mpd-poll", self._poll_loop),
        ):
            thread = threading.Thread(target=target, name=name, daemon=True)
            self._threads.append(thread)
            thread.start()

    def detach(self, timeout: float = 2.0) -> None:
        """Stop following MPD; what it plays goes on (a running `tuneup mpd watch` records it from here)."""
        self._cancel.set()
        self._wake.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout)
        with self._cmd_lock:
            self._close_commands()
        self._set(running=False, connected=None, final=True)

    @property
    def running(self) -> bool:
        return bool(self._threads) and not self._cancel.is_set()

    def state(self) -> MpdState:
        return self._state

    def add_listener(self, callback: Callable[[MpdState], None]) -> None:
        self._listeners.add(callback)

    def remove_listener(self, callback: Callable[[MpdState], None]) -> None:
        self._listeners.remove(callback)

    # --- playing ------------------------------------------------------------------------------------

    def start(self, entries: list) -> None:
        """Replace MPD's queue with ``entries`` and play from the top."""
        paths = self._paths(entries)
        if not paths:
            raise PlayerError("nothing to play")
        self.attach()

        def load(client, pathmap):
            queue_paths(client, pathmap, paths)
            client.play(0)

        self._command(load)

    def enqueue(self, entries: list) -> None:
        paths = self._paths(entries)
        self._command(lambda client, pathmap: queue_paths(client, pathmap, paths, append=True))

    def pause_toggle(self) -> None:
        def toggle(client, _):
            state = client.status().get("state")
            client.play() if state == "stop" else client.pause(1 if state == "play" else 0)

        self._command(toggle)

    def next(self) -> None:
        """The next song; the current one ends as "skipped" (a skip if under the skip threshold)."""
        self._command(lambda client, _: client.next())

    def skip(self) -> None:
        """Like next(), always recorded as a skip."""

        def skip(client, _):
            song_id = client.status().get("songid")
            if song_id is not None:
                self._forced_skips.add(song_id)
            client.next()

        self._command(skip)

    def prev(self) -> None:
        self._command(lambda client, _: client.previous())

    def seek(self, seconds: float, *, absolute: bool = False) -> None:
        def seek(client, _):
            status = client.status()
            if status.get("state") == "stop":
                return
            target = seconds if absolute else float(status.get("elapsed") or 0.0) + seconds
            client.seekcur(f"{max(0.0, target):.1f}")

        self._command(seek)

    def volume(self, delta: float) -> None:
        def change(client, _):
            volume = int(client.status().get("volume", -1))
            if volume < 0:
                raise PlayerError(
                    "MPD has no volume control for its output (set mixer_type in mpd.conf)"
                )
            client.setvol(max(0, min(100, volume + int(delta))))

        self._command(change)

    def stop(self, timeout: float = 3.0) -> None:
        """Stop MPD's playback (the song playing is recorded as stopped); keep following MPD."""
        if not self.running:
            return
        self._command(lambda client, _: client.stop())
        watcher, deadline = self.watcher, time.monotonic() + timeout
        while (
            watcher is not None
            and watcher.tracker.current is not None
            and time.monotonic() < deadline
        ):
            time.sleep(0.05)  # until the watcher has recorded the song that was playing

    # --- internals ----------------------------------------------------------------------------------

    def _paths(self, entries: list) -> list[str]:
        ids = [e for e in entries if isinstance(e, int)]
        by_id = {}
        if ids:
            from tuneup.playback.queue import entries_for
            from tuneup.store import connection

            with connection(self.db_path) as db:
                by_id = {e.item_id: e for e in entries_for(db, ids)}
        return [
            by_id[e].path if isinstance(e, int) else str(getattr(e, "path", e)) for e in entries
        ]

    def _command(self, action):
        """Run ``action(client, pathmap)`` once on the command connection.

        A kept connection MPD has closed meanwhile (its idle timeout) is noticed by a ping and reopened
        before the action; the action itself is never retried, since `add` or `next` twice is not the same
        as once."""
        import mpd

        if not self.running and self._threads:
            raise PlayerError("the MPD player was stopped")
        with self._cmd_lock:
            if self._cmd is not None:
                try:
                    self._cmd[0].ping()
                except (OSError, mpd.ConnectionError):
                    self._close_commands()
            try:
                if self._cmd is None:
                    self._cmd = self._open_commands()
                result = action(*self._cmd)
            except (OSError, mpd.ConnectionError) as exc:
                self._close_commands()
                raise PlayerError(unreachable(self.address, exc)) from None
            except mpd.CommandError as exc:
                raise PlayerError(f"MPD refused: {exc}") from None
        self._wake.set()
        return result

    def _open_commands(self):
        from tuneup.store import connection

        client = connect(self.address)
        with connection(self.db_path) as db:
            pathmap = PathMap.for_client(
                db, client, self.config
            )  # to_mpd() needs no database later
        return client, pathmap

    def _close_commands(self) -> None:
        cmd, self._cmd = self._cmd, None
        if cmd is not None:
            disconnect_quietly(cmd[0])

    def _set(self, final: bool = False, **changes) -> None:
        if self._cancel.is_set() and not final:  # a poll that outlived detach(): stale, not news
            return
        new = replace(self._state, **changes)
        if new == self._state:
            return
        self._state = new
        self._listeners.notify(new)

    def _watch_loop(self) -> None:
        from tuneup.store import connection

        with connection(self.db_path) as db:
            self.watcher = _AppWatcher(self, db)
            try:
                self.watcher.run(self._cancel)
            except (
                Exception
            ) as exc:  # a refused password, say: the poller shows it; never a traceback
                self.log.append(f"recording stopped: {exc}")

    def _poll_loop(self) -> None:
        import mpd

        from tuneup.store import connection

        failures = 0
        with connection(self.db_path) as db:
            while not self._cancel.is_set():
                try:
                    client = connect(self.address)
                except (OSError, TuneupError) as exc:
                    self._lost(exc)
                    self._cancel.wait(self.backoff[min(failures, len(self.backoff) - 1)])
                    failures += 1
                    continue
                try:
                    self._follow(client, PathMap.for_client(db, client, self.config), db)
                except (
                    OSError,
                    mpd.MPDError,
                ) as exc:  # gone, or refusing us (a password is needed)
                    self._lost(exc)
                    failures = (
                        0 if isinstance(exc, (OSError, mpd.ConnectionError)) else failures + 1
                    )
                    self._cancel.wait(self.backoff[min(failures, len(self.backoff) - 1)])
                except (
                    Exception
                ) as exc:  # the store (an item deleted mid-poll, a locked write): keep following
                    self.log.append(f"following MPD: {type(exc).__name__}: {exc}")
                    failures += 1
                    self._cancel.wait(self.backoff[min(failures, len(self.backoff) - 1)])
                finally:
                    disconnect_quietly(client)

    def _lost(self, exc: BaseException) -> None:
        import mpd

        if isinstance(exc, (TuneupError, mpd.CommandError)):  # reachable, but refusing
            error = f"MPD at {self.address} refused tuneup ({exc}): check mpd.password in Settings"
        else:
            error = unreachable(self.address, exc)
        self._set(running=True, connected=False, error=error, entry=None, index=None)

    def _follow(self, client, pathmap: PathMap, db) -> None:
        version, cache = None, {}
        while not self._cancel.is_set():
            status = client.status()
            if status.get("playlist") != version:
                version = status.get("playlist")
                self._queue = [
                    self._entry(song, pathmap, db, cache) for song in client.playlistinfo()
                ]
            self._observe(status, client.mpd_version)
            self._wake.wait(self.poll_s)
            self._wake.clear()

    def _observe(self, status: dict, version: str) -> None:
        state = status.get("state", "stop")
        index = int(status["song"]) if state != "stop" and "song" in status else None
        entry = self._queue[index] if index is not None and index < len(self._queue) else None
        duration = status.get("duration")
        volume = int(status.get("volume", -1))
        self._set(
            running=True,
            connected=True,
            error="",
            version=version,
            index=index,
            entry=entry,
            position=float(status.get("elapsed") or 0.0),
            duration=float(duration) if duration else (entry.duration_s if entry else None),
            paused=state == "pause",
            volume=volume if volume >= 0 else None,
            queue_length=len(self._queue),
        )

    def _entry(self, song: dict, pathmap: PathMap, db, cache: dict) -> QueueEntry:
        """MPD's song as a queue entry: the library item's when it is one, else from MPD's tags."""
        from tuneup.playback.mpd import song_ms
        from tuneup.playback.queue import entries_for

        rel = song.get("file", "")
        if rel not in cache:
            item_id = pathmap.item_of(rel)
            if item_id is not None:
                cache[rel] = entries_for(db, [item_id])[0]
            else:
                ms = song_ms(song)
                cache[rel] = QueueEntry(
                    pathmap.to_absolute(rel) or rel,
                    None,
                    first_tag(song, "title") or rel,
                    first_tag(song, "artist"),
                    "track",
                    ms / 1000 if ms else None,
                )
        return cache[rel]
