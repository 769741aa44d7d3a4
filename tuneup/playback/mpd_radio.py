"""`tuneup mpd radio`: keep MPD's queue topped up with radio picks, learning from skips.

It runs the same idle loop as `tuneup mpd watch` (so every play is recorded as a listen), and after
each event tops the queue up by the same rule as the app's radio (:class:`~tuneup.playback.radio_queue.TopUp`).
A skipped radio pick is passed to the :class:`~tuneup.mixes.radio.RadioSession`, which steers away from it.
"""

from __future__ import annotations

from typing import Callable

from tuneup.history.events import is_skip
from tuneup.playback.mpd import MpdAddress, PathMap, queue_paths
from tuneup.playback.mpd_watch import MpdWatcher
from tuneup.playback.radio_queue import RADIO, TopUp


def upcoming(status: dict) -> int:
    """Songs in MPD's queue after the current one (all of them when nothing is current)."""
    length = int(status.get("playlistlength", 0))
    if "song" not in status:
        return length
    return max(0, length - int(status["song"]) - 1)


def top_up(client, pathmap: PathMap, session, policy: TopUp, started: bool) -> list[str]:
    """Add radio picks as ``policy`` says for what waits after the current song; returns the paths added."""
    missing = policy.to_add(upcoming(client.status()), started=started)
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
        policy: TopUp = RADIO,
        config=None,
        log: Callable[[str], None] = lambda line: None,
        backoff=None,
        lock=None,
    ):
        self.session, self.policy, self.log = session, policy, log
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
        added = top_up(client, self.watcher.pathmap, self.session, self.policy, self.started)
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
