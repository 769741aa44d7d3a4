"""NFO sidecars that describe a video file, and the change time that covers them.

A video's stored mtime is the newest of its own and its sidecars' (``<name>.nfo``,
``movie.nfo``, ``tvshow.nfo`` beside it or one folder up), so editing or adding an NFO
makes the next scan re-read the video even though the video file itself did not change.
"""

from __future__ import annotations

import os


def sidecar_paths(path: bytes) -> tuple[bytes, ...]:
    folder = os.path.dirname(path)
    return (
        os.path.splitext(path)[0] + b".nfo",
        os.path.join(folder, b"movie.nfo"),
        os.path.join(folder, b"tvshow.nfo"),
        os.path.join(os.path.dirname(folder), b"tvshow.nfo"),
    )


def effective_mtime(path: bytes, own_mtime_ns: int) -> int:
    newest = own_mtime_ns
    for candidate in sidecar_paths(path):
        try:
            newest = max(newest, os.stat(candidate).st_mtime_ns)
        except OSError:
            continue
    return newest
