"""`tuneup mpd radio`: keep MPD's queue topped up with radio picks, learning from skips.

It runs the same idle loop as `tuneup mpd watch` (so every play is recorded as a listen), and after
each event makes sure at least ``target`` songs wait after the current one. A skipped radio pick
is passed to the :class:`~tuneup.mixes.radio.RadioSession`, which steers away from it.
"""

from __future__ import annotations

from typing import Callable

from tuneup.history.events import is_skip
from tuneup.playback.mpd import MpdAddress, PathMap, queue_paths
from tuneup.playback.mpd_watch import MpdWatcher

DEFAULT_TARGET = 10


def upcoming(status: dict) -> int:
    """Songs in MPD's queue after the current one (all of them when nothing is current)."""
    length = int(status.get("playlistlength", 0))
    if "song" not in status:
        return length
    return max(0, length - int(status["song"]) - 1)


def top_up(client, pathmap: PathMap, session, target: int) -> list[str]:
    """Add radio picks until ``target`` songs wait after the current one; returns the paths added."""
    missing = target - upcoming(client.status())
    if missing <= 0:
        return []
    paths = [item.path for item in session.next_batch(missing)]
    queue_paths(client, pathmap, paths, append=True)
    return paths


class MpdRadio:
    def __init__(
        self,
        db,
        profile_id: int,
        address: MpdAddress,
        session,
        *,
        target: int = DEFAULT_TARGET,
        config=None,
        log: Callable[[str], None] = lambda line: None,
        backoff=None,
        lock=None,
    ):
        self.session, self.target, self.log = session, target, log
        extra = {"backoff": backoff} if backoff else {}
        self.watcher = MpdWatcher(
            db,
            profile_id,
            address,
            config=config,
            log=log,
            after_event=self._after_event,
            on_listen=self._on_listen,
            lock=lock,
            **extra,
        )
        self.started = False

    def run(self, cancel=None) -> None:
        self.watcher.run(cancel)

    def _after_event(self, client) -> None:
        added = top_up(client, self.watcher.pathmap, self.session, self.target)
        if added:
            self.log(f"queued {len(added)} radio picks")
        if not self.started and client.status().get("state") != "play":
            client.play()  # the radio starts playing once, then leaves play/pause to the person
        self.started = True

    def _on_listen(self, listen, listen_id) -> None:
        skipped = is_skip(listen.end_reason, listen.ms_played, self.watcher.skip_seconds)
        if skipped and listen.item_id in self.session.queued:
            self.session.skipped(listen.item_id)
            self.log("skipped: radio steers away from it and its close neighbours")
