"""Playing a queue in mpv, driven over its JSON IPC socket, recording one listen per item played.

Every item mpv starts yields exactly one listen with the time really played (time-pos advancing
while not paused; seeks are not counted): when it finishes, when the person skips or stops, when
mpv quits, and when mpv dies or is killed (what was played until then).

The event reader runs in its own thread; listens are written by a writer thread with its own
database connection, so a long write by another process (a big import) delays the write, never the
reader or the controls. Listeners are called from the reader thread with a :class:`PlayerState` snapshot.

    player = Player.from_env(env)            # PlayerError(INSTALL_HINT) on start() if mpv is missing
    player.add_listener(on_state)            # on_state(PlayerState) from the reader thread
    player.start(mix.items)                  # QueueEntry, MixItem, item ids or paths
    player.pause_toggle(); player.seek(10); player.volume(-5); player.next(); player.prev()
    player.skip()                            # always recorded as a skip
    player.stop()                            # records the current item as stopped, quits mpv
    player.wait()                            # until mpv has exited and every listen is written
"""

from __future__ import annotations

import atexit
import os
import queue
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from tuneup.errors import PlayerError
from tuneup.playback.ipc import Connection, socket_path
from tuneup.playback.listeners import StateListeners
from tuneup.playback.queue import QueueEntry

INSTALL_HINT = "mpv is not installed; install it with: sudo apt install mpv"
# Tells assets/mpv/tuneup.lua not to report plays itself (tuneup records them).
HOOK_OFF_ARGS = ["--script-opts-append=tuneup-disable=yes"]
# Items in a row that fail before a second of them played: the player stops (no sound output, a
# folder gone) instead of running down the whole queue.
MAX_FAILURES_IN_ROW = 3
OBSERVED = ("time-pos", "percent-pos", "pause", "duration", "volume", "idle-active", "vid")


def mpv_available(binary: str = "mpv") -> bool:
    """Whether mpv can be started (front ends check once and show INSTALL_HINT)."""
    return shutil.which(binary) is not None


@dataclass(frozen=True)
class PlayerState:
    running: bool = False
    index: int | None = None
    entry: QueueEntry | None = None
    position: float | None = None
    duration: float | None = None
    percent: float | None = None
    paused: bool = False
    volume: float | None = None
    queue_length: int = 0
    video: bool = False  # mpv shows a video track (in its window)


@dataclass
class _Play:
    """The item playing now and how much of it has really been played."""

    index: int
    entry: QueueEntry
    started_at: str
    played: float = 0.0
    last_pos: float | None = None
    last_wall: float = 0.0
    recorded: bool = False


class Player:
    def __init__(
        self,
        db_path: Path | str,
        profile_id: int,
        run_dir: Path,
        *,
        skip_seconds: int = 30,
        mpv_args: list[str] | None = None,
        mpv_binary: str = "mpv",
        source: str = "tuneup",
        quit_when_done: bool = True,
        terminal: bool = False,
        watch_rule=None,
    ):
        self.db_path, self.profile_id, self.run_dir = db_path, profile_id, Path(run_dir)
        self.skip_seconds, self.source, self.quit_when_done = skip_seconds, source, quit_when_done
        self.mpv_args, self.mpv_binary = list(mpv_args or []), mpv_binary
        self.terminal = (
            terminal  # let mpv read keys from (and draw its status line on) the terminal
        )
        self.watch_rule = (
            watch_rule  # history.watch.CompletionRule for videos (None: the default rule)
        )
        self._state = PlayerState()
        self._queue: list[QueueEntry] = []
        self._play: _Play | None = None
        self._pending: tuple[str, bool | None] | None = None  # how the next "stop" end-file ended
        self._video = False  # mpv shows video (else it was started with --no-video)
        self._lock = threading.RLock()
        self._proc: subprocess.Popen | None = None
        self._conn: Connection | None = None
        self._reader: threading.Thread | None = None
        self._writes: queue.SimpleQueue = (
            queue.SimpleQueue()
        )  # listens to write, in order; None ends
        self._writer: threading.Thread | None = None
        self._done = threading.Event()
        self._db = None
        self.recorded: list[int] = []  # listen ids written by this player
        self.errors: list[str] = []
        self.failed = 0  # items that failed before they played (no listen is recorded for them)
        self.gave_up = False  # stopped after MAX_FAILURES_IN_ROW such items in a row
        self._failures_in_row = 0
        self._listeners = StateListeners(self.errors.append)

    @classmethod
    def from_env(cls, env, **kwargs) -> "Player":
        kwargs.setdefault("skip_seconds", env.config.get("history.skip_seconds"))
        env.paths.ensure()
        return cls(env.paths.db_file, env.profile_id, env.paths.run_dir, **kwargs)

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self, queue: list) -> None:
        """Start mpv and play ``queue`` from the top.

        Entries may be QueueEntry, anything with ``path`` and ``item_id`` (a MixItem), an item id, or a path.
        """
        if not queue:
            raise PlayerError("nothing to play")
        if not mpv_available(self.mpv_binary):
            raise PlayerError(INSTALL_HINT)
        if self._proc is not None:
            raise PlayerError("this player is already running; make a new Player")
        queue = self._entries(queue)
        self._queue = list(queue)
        sock = socket_path(self.run_dir)
        video = self._video = any(e.is_video for e in queue)
        args = [
            self.mpv_binary,
            "--idle=yes",
            *([] if self.terminal else ["--no-terminal"]),
            f"--input-ipc-server={sock}",
            *(["--force-window=yes"] if video else ["--no-video", "--force-window=no"]),
            *HOOK_OFF_ARGS,
            *self.mpv_args,
        ]
        environ = {**os.environ, "TUNEUP_PLAYER": "1"}
        if self.terminal:  # mpv's messages go to stderr: tuneup's stdout carries data only
            self._proc = subprocess.Popen(args, stdout=2, env=environ)
        else:
            self._proc = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=environ,
            )
        try:
            self._conn = Connection(sock, alive=lambda: self._proc.poll() is None)
        except PlayerError as exc:
            exited = self._proc.poll() is not None and self._proc.stderr is not None
            err = self._proc.stderr.read().decode(errors="replace").strip() if exited else ""
            self._kill()
            raise PlayerError(f"{exc}{': ' + err.splitlines()[-1] if err else ''}") from None
        finally:
            _unlink_later(sock)
        self._set(running=True, queue_length=len(queue))
        atexit.register(self._at_exit)
        self._writer = threading.Thread(
            target=self._write_loop, name="tuneup-mpv-writer", daemon=True
        )
        self._writer.start()
        self._reader = threading.Thread(
            target=self._read_loop, name="tuneup-mpv-reader", daemon=True
        )
        self._reader.start()
        for n, name in enumerate(OBSERVED, 1):
            self._conn.send("observe_property", n, name)
        for entry in queue:
            self._conn.send("loadfile", entry.path, "append-play")

    def enqueue(self, entries: list) -> None:
        """Add entries at the end of the queue (played after the current ones)."""
        entries = self._entries(entries)
        with self._lock:
            self._queue.extend(entries)
            self._set(queue_length=len(self._queue))
        if not self._video and any(
            e.is_video for e in entries
        ):  # started audio-only: let video show
            self._video = True
            self._send("set_property", "vid", "auto")
            self._send("set_property", "force-window", "yes")
        for entry in entries:
            self._send("loadfile", entry.path, "append-play")

    def _entries(self, items: list) -> list[QueueEntry]:
        by_id, by_path = {}, {}
        if any(isinstance(i, (int, str, os.PathLike)) for i in items):
            by_id, by_path = self._lookup(items)
        out = []
        for item in items:
            if isinstance(item, QueueEntry):
                out.append(item)
            elif isinstance(item, int):
                out.append(by_id[item])
            elif isinstance(item, (str, os.PathLike)):
                out.append(by_path[str(item)])
            else:  # a MixItem or anything shaped like it
                out.append(
                    QueueEntry(
                        str(item.path),
                        getattr(item, "item_id", None),
                        getattr(item, "title", None),
                        getattr(item, "artist", None),
                        getattr(item, "kind", "track"),
                        getattr(item, "duration_s", None),
                    )
                )
        return out

    def _lookup(self, items: list) -> tuple[dict, dict]:
        """Entries for item ids and paths (a path outside the library is described by its tags)."""
        from tuneup.history.events import file_tags
        from tuneup.history.log import regular_file
        from tuneup.playback.queue import entries_for
        from tuneup.store import open_db
        from tuneup.store.resolve import id_by_path

        db = open_db(self.db_path)
        try:
            ids = [i for i in items if isinstance(i, int)]
            by_id = {e.item_id: e for e in entries_for(db, ids)}
            by_path = {}
            for path in (str(i) for i in items if isinstance(i, (str, os.PathLike))):
                item_id = id_by_path(db, path)
                if item_id is not None:
                    by_path[path] = replace(entries_for(db, [item_id])[0], path=path)
                else:  # only a regular file is opened for its tags (a FIFO would block)
                    tags = file_tags(path) if regular_file(path) else {}
                    seconds = tags.get("duration_ms") / 1000 if tags.get("duration_ms") else None
                    by_path[path] = QueueEntry(
                        path, None, tags.get("title"), tags.get("artist"), "track", seconds
                    )
            return by_id, by_path
        finally:
            db.conn.close()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def wait(self, timeout: float | None = None) -> bool:
        """Block until mpv has exited and every listen is recorded. False on timeout."""
        return self._done.wait(timeout)

    @property
    def running(self) -> bool:
        return self._proc is not None and not self._done.is_set()

    # --- controls -------------------------------------------------------------------------------

    def pause_toggle(self) -> None:
        self._send("cycle", "pause")

    def next(self) -> None:
        """Go to the next item; the current one ends as "skipped" (a skip if under the threshold)."""
        self._end_current_with("skipped", None, "playlist-next", "force")

    def skip(self) -> None:
        """Like next(), but always counted as a skip (the person rejected this item)."""
        self._end_current_with("skipped", True, "playlist-next", "force")

    def prev(self) -> None:
        """Go to the previous item (from the first one: back to its start)."""
        if (self._state.index or 0) == 0:
            self.seek(0, absolute=True)
        else:
            self._end_current_with("skipped", None, "playlist-prev", "force")

    def seek(self, seconds: float, *, absolute: bool = False) -> None:
        self._send("seek", seconds, "absolute" if absolute else "relative")

    def volume(self, delta: float) -> None:
        self._send("add", "volume", delta)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop playing and quit mpv; the current item ends as "stopped"."""
        if not self.running:
            return
        with self._lock:
            self._pending = ("stopped", None)
        self._send("quit")
        if threading.current_thread() is self._reader:
            return  # called from a listener: the reader finishes up after this returns
        if not self._done.wait(timeout):
            self._kill()
            self._done.wait(timeout)

    def _at_exit(self) -> None:
        """tuneup is exiting without stop(): record what is playing and do not leave mpv behind."""
        try:
            self.stop(timeout=3)
        except PlayerError:
            pass

    def state(self) -> PlayerState:
        return self._state

    def add_listener(self, callback: Callable[[PlayerState], None]) -> None:
        self._listeners.add(callback)

    def remove_listener(self, callback: Callable[[PlayerState], None]) -> None:
        self._listeners.remove(callback)

    # --- internals ------------------------------------------------------------------------------

    def _send(self, *command) -> None:
        if self._conn is None or not self.running:
            raise PlayerError("the player is not running")
        self._conn.send(*command)

    def _end_current_with(self, reason: str, skipped: bool | None, *command) -> None:
        with self._lock:
            self._pending = (reason, skipped)
        self._send(*command)

    def _kill(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()

    def _set(self, **changes) -> None:
        self._state = replace(self._state, **changes)
        self._listeners.notify(self._state)

    def _read_loop(self) -> None:
        try:
            for message in self._conn.read_messages():
                self._handle(message)
        finally:
            self._finish()

    def _handle(self, message: dict) -> None:
        event = message.get("event")
        if event == "property-change":
            self._on_property(message.get("name"), message.get("data"))
        elif event == "start-file":
            self._on_start(message.get("playlist_entry_id"))
        elif event == "end-file":
            self._on_end(message.get("reason"), message.get("file_error"))
        elif event == "idle":
            self._on_idle()
        elif message.get("error") not in (None, "success"):
            self.errors.append(str(message.get("error")))

    def _on_property(self, name: str, value) -> None:
        with self._lock:
            play = self._play
            if name == "time-pos" and value is not None:
                if play is not None:
                    _advance(play, float(value), self._state.paused)
                self._set(position=float(value))
            elif name == "pause":
                if play is not None:
                    play.last_wall = time.monotonic()
                self._set(paused=bool(value))
            elif name == "duration":
                self._set(duration=value)
            elif name == "percent-pos":
                self._set(percent=value)
            elif name == "volume":
                self._set(volume=value)
            elif name == "vid":
                self._set(video=value not in (None, False, "no"))
            elif name == "idle-active" and value:
                self._on_idle()

    def _on_idle(self) -> None:
        """The queue has run out: quit mpv (unless the front end keeps it for more)."""
        if self.quit_when_done and self._play is None and self._state.index is not None:
            self._conn.send("quit")

    def _on_start(self, entry_id) -> None:
        with self._lock:
            if (
                self._play is not None and not self._play.recorded
            ):  # no end-file seen: close it first
                self._record(self._play, "stopped", None)
            index = (entry_id - 1) if isinstance(entry_id, int) else (self._state.index or 0)
            index = min(max(index, 0), len(self._queue) - 1)
            now = datetime.now(timezone.utc).isoformat(timespec="seconds")
            self._play = _Play(
                index, self._queue[index], now, last_pos=0.0, last_wall=time.monotonic()
            )
            self._set(
                index=index,
                entry=self._queue[index],
                position=0.0,
                duration=self._queue[index].duration_s,
                percent=0.0,
            )

    def _on_end(self, mpv_reason: str | None, file_error) -> None:
        with self._lock:
            play = self._play
            if play is None or play.recorded:
                return
            skipped = None
            if mpv_reason == "eof":
                _credit_tail(play, self._state.duration, self._state.paused, finished=True)
                reason = "finished"
            elif mpv_reason == "error":
                reason = "error"
                if file_error:
                    self.errors.append(f"{play.entry.path}: {file_error}")
            else:  # stop, quit, redirect: a person's action, through us or in mpv itself (keys, window)
                _credit_tail(play, None, self._state.paused)
                reason, skipped = self._pending or (
                    ("skipped" if mpv_reason == "stop" else "stopped"),
                    None,
                )
                self._pending = None
            self._record(play, reason, skipped)
            self._play = None

    def _finish(self) -> None:
        """mpv is gone (quit, crashed or killed): record what was playing, then clean up."""
        with self._lock:
            play = self._play
            if play is not None and not play.recorded:
                _credit_tail(play, None, self._state.paused)
                reason, skipped = self._pending or ("error", False)
                self._record(play, reason, skipped)
            self._play = None
        if self._writer is not None:
            self._writes.put(None)
            self._writer.join()  # every listen written before wait() returns
        if self._proc is not None:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._kill()
            if self._proc.stderr:
                self._proc.stderr.close()
        if self._conn:
            self._conn.close()
        if self._db is not None:
            self._db.conn.close()
            self._db = None
        self._set(running=False)
        self._done.set()
        atexit.unregister(self._at_exit)

    @property
    def played_nothing(self) -> bool:
        """True when every item tried failed before it played (e.g. there is no sound output)."""
        return self.failed > 0 and not self.recorded and self._writes.empty()

    def _failed_before_playing(self, play: _Play) -> None:
        """An item mpv could not play: no listen (nobody heard it), and after a few in a row, stop."""
        self.failed += 1
        self._failures_in_row += 1
        if self._failures_in_row == MAX_FAILURES_IN_ROW and self._conn is not None:
            self.gave_up = True
            self._pending = ("error", False)  # the item mpv starts meanwhile fails with them
            try:
                self._conn.send("quit")
            except Exception:
                pass

    def _record(self, play: _Play, reason: str, skipped: bool | None) -> None:
        """Hand the finished play to the writer thread (the caller holds the lock: no waiting here)."""
        from tuneup.history.events import Listen

        play.recorded = True
        if reason == "error" and play.played < 1.0:
            self._failed_before_playing(play)
            return
        self._failures_in_row = 0
        entry = play.entry
        duration = self._state.duration or entry.duration_s
        listen = Listen(
            self.profile_id,
            play.started_at,
            int(round(play.played * 1000)),
            reason,
            self.source,
            item_id=entry.item_id,
            duration_ms=int(duration * 1000) if duration else None,
            skipped=skipped,
            artist=entry.artist,
            title=entry.title,
        )
        position = duration if reason == "finished" and duration else (self._state.position or 0.0)
        if reason == "error" or (reason != "finished" and play.played < 1.0):
            position = None  # it never really played: a saved resume point must not drop to 0
        self._writes.put((listen, entry, duration, position))

    def _write_loop(self) -> None:
        from tuneup.history.events import record_listen

        while (job := self._writes.get()) is not None:
            listen, entry, duration, position = job
            try:
                if self._db is None:
                    from tuneup.store import open_db

                    self._db = open_db(self.db_path)
                listen_id = record_listen(self._db, listen, skip_seconds=self.skip_seconds)
            except Exception as exc:
                self.errors.append(f"could not record the listen of {entry.path}: {exc}")
                continue
            if listen_id:
                self.recorded.append(listen_id)
            if entry.is_video and entry.item_id is not None and position is not None:
                self._record_watch(entry, duration, position)

    def _record_watch(self, entry: QueueEntry, duration: float | None, position: float) -> None:
        """A video's play also moves its watch progress (finished by history.watch's rule)."""
        from tuneup.history.watch import CompletionRule, record_progress

        try:
            record_progress(
                self._db,
                self.profile_id,
                entry.item_id,
                position,
                duration,
                rule=self.watch_rule or CompletionRule(),
            )
        except Exception as exc:
            self.errors.append(f"could not record the watch of {entry.path}: {exc}")


def _advance(play: _Play, pos: float, paused: bool) -> None:
    """Count time-pos moving forward at about the speed of the clock; a jump is a seek, not play."""
    now = time.monotonic()
    pos = max(pos, 0.0)  # negative while the previous file's last buffer plays out
    if play.last_pos is not None and not paused:
        delta = pos - play.last_pos
        if 0 < delta <= (now - play.last_wall) * 1.5 + 0.25:
            play.played += delta
    play.last_pos, play.last_wall = pos, now


def _credit_tail(
    play: _Play, duration: float | None, paused: bool, *, finished: bool = False
) -> None:
    """Add the bit played since the last time-pos update (up to the end of the file).

    At the end of a file mpv stops updating time-pos while its last buffer plays out, so a
    finished play is credited up to the duration (when that is under 2 s away).
    """
    if paused or play.last_pos is None:
        return
    tail = min(time.monotonic() - play.last_wall, 1.0)
    if duration is not None:
        rest = max(duration - play.last_pos, 0.0)
        tail = rest if finished and rest <= 2.0 else min(tail, rest)
    play.played += max(0.0, tail)
    play.last_wall = time.monotonic()


def _unlink_later(sock: Path) -> None:
    """The socket file is not needed once connected (mpv keeps its listening fd)."""
    try:
        sock.unlink()
    except OSError:
        pass
