"""Who records MPD's plays: one recorder per tuneup home and MPD server, so no play is stored twice.

`tuneup mpd watch` (or `tuneup mpd radio`) and the app with MPD as its player both follow MPD with
the same watch loop. Each takes this lock (an ``flock`` on a file in the run directory) when it
starts and, while it does not hold it, at each play it would record; only the holder records. The
first one started records; when it ends (the service stops, the app quits) the lock is released
and the other one takes over at the next song.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path


class RecorderLock:
    def __init__(self, run_dir: Path | str, address) -> None:
        digest = hashlib.sha1(str(address).encode()).hexdigest()[:12]
        self.path = Path(run_dir) / f"mpd-recorder-{digest}.lock"
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Take the lock if it is free (never waits); True while this object holds it."""
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing drops the flock
