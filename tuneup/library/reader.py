"""What a scan worker does with one file: stat, fingerprint, read tags (or video info), guess from the path.

Kept apart from scan.py so worker processes import only this (and mutagen), not the store.
Results are small tuples: ``(path, "ok", row, None)`` (from read_batch: ``(path, "ok", (values, extras), None)``), ``(path, "error", None, reason)`` or
``(path, "gone", None, reason)`` for a file deleted since the walk saw it.
"""

from __future__ import annotations

import errno
import json
import os

from tuneup.errors import MediaReadError
from tuneup.library.fingerprint import fingerprint_fd
from tuneup.library.pathguess import apply_guess
from tuneup.library.tags import read_audio

_TAGGED = ("title", "artist", "album", "tracknumber")  # with all four, the path is not consulted

# (path, root_len): root_len is the length of the root's bytes path, for path guessing.
Task = tuple[bytes, int]


def read_batch(tasks: list[Task], video_exts: frozenset[bytes], columns: list[str]) -> list[tuple]:
    """Results for a batch, rows already flattened to ``columns`` order (the writer only binds them)."""
    out = []
    for path, root_len in tasks:
        try:
            result = read_one(path, root_len, video_exts)
        except Exception as exc:  # a bug in a reader must cost one file, not the scan
            result = (path, "error", None, f"internal error while reading ({type(exc).__name__}: {exc})")
        if result[1] == "ok":
            result = (path, "ok", to_values(result[2], columns), None)
        out.append(result)
    return out


def to_values(row: dict, columns: list[str]) -> tuple[tuple, dict | None]:
    """(values in ``columns`` order with lists/dicts as JSON, extras such as _series and _warnings)."""
    extras = {k: row.pop(k) for k in ("_series", "_warnings") if k in row} or None
    row.setdefault("kind", "track")
    values = [row.get(c) for c in columns]
    for i, value in enumerate(values):
        if isinstance(value, (list, dict, tuple)):
            values[i] = json.dumps(value, ensure_ascii=False)
    return tuple(values), extras


def read_one(path: bytes, root_len: int, video_exts: frozenset[bytes]) -> tuple:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return path, "gone", None, "file disappeared during the scan"
        return path, "error", None, f"cannot open: {exc.strerror}"
    try:
        st = os.fstat(fd)
        if st.st_size == 0 and os.path.splitext(path)[1].lower() not in video_exts:
            return path, "error", None, "empty file (0 bytes)"
        fp = fingerprint_fd(fd, st.st_size)
    except OSError as exc:
        return path, "error", None, f"cannot read: {exc.strerror}"
    finally:
        os.close(fd)
    try:
        row = _read_media(path, video_exts)
    except MediaReadError as exc:
        if not os.path.lexists(path):
            return path, "gone", None, "file disappeared during the scan"
        return path, "error", None, str(exc)
    row["size"], row["mtime_ns"], row["fingerprint"] = st.st_size, st.st_mtime_ns, fp
    if row.get("kind", "track") == "track" and not all(k in row for k in _TAGGED):
        rel = path[root_len:].lstrip(b"/").decode("utf-8", "backslashreplace")
        apply_guess(row, rel.split("/"))
    return path, "ok", row, None


def _read_media(path: bytes, video_exts: frozenset[bytes]) -> dict:
    if os.path.splitext(path)[1].lower() in video_exts:
        from pathlib import Path

        from tuneup.library import video

        try:
            return dict(video.read_video(Path(os.fsdecode(path))))
        except MediaReadError:
            raise
        except Exception as exc:  # a reader bug must not stop the scan
            raise MediaReadError(f"cannot read video ({type(exc).__name__}: {exc})") from None
    return read_audio(path)
