"""What a scan worker does with one file: stat, fingerprint, read tags (or video info), guess from the path.

Kept apart from scan.py so worker processes import only this (and mutagen), not the store.
read_one returns ``(path, "ok", row, None)``, ``(path, "error", None, reason)`` or ``(path, "gone",
None, reason)`` for a file deleted since the walk saw it; read_batch turns each row into the sparse
``(filled positions, values, extras)`` that the writer binds directly.
"""

from __future__ import annotations

import errno
import json
import os
import stat

from tuneup.bounds import check_value
from tuneup.errors import MediaReadError
from tuneup.library.scan.fingerprint import fingerprint_blocks, read_tail
from tuneup.library.tags import fastread
from tuneup.library.tags.canonical import canonicalise
from tuneup.library.tags.pathguess import apply_guess
from tuneup.library.tags.read import FAST_EXTENSIONS, read_audio
from tuneup.library.video.sidecars import effective_mtime

_FAST = frozenset(e.encode() for e in FAST_EXTENSIONS)

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
            result = (
                path,
                "error",
                None,
                f"internal error while reading ({type(exc).__name__}: {exc})",
            )
        if result[1] == "ok":
            result = (path, "ok", to_values(result[2], columns), None)
        out.append(result)
    return out


def to_values(row: dict, columns: list[str]) -> tuple[tuple, tuple, dict | None]:
    """(positions in ``columns`` that have a value, those values with lists/dicts as JSON, extras such
    as _series and _warnings). Sparse, because a typical file fills a third of the columns."""
    extras = {k: row.pop(k) for k in ("_series", "_warnings") if k in row} or None
    row.setdefault("kind", "track")
    index = _index_of(columns)
    pairs, dropped = [], []
    for key, value in row.items():
        i = index.get(key)
        if i is not None and value is not None:
            if type(value) in (list, dict, tuple):
                try:
                    value = json.dumps(value, ensure_ascii=False, allow_nan=False)
                except (ValueError, TypeError, RecursionError):
                    dropped.append(f"{key} holds values JSON cannot carry: left out")
                    continue
            value, why = check_value(key, value)
            if why:
                dropped.append(why)
            if value is not None:
                pairs.append((i, value))
    if dropped:  # indexed anyway; the scan reports what was left out
        extras = extras or {}
        extras["_warnings"] = [*(extras.get("_warnings") or []), *dropped]
    pairs.sort()
    return tuple(i for i, _ in pairs), tuple(v for _, v in pairs), extras


_last_index: list = [
    None,
    {},
]  # (columns list, {column: position}); the list is the same for a whole scan


def _index_of(columns: list[str]) -> dict[str, int]:
    if _last_index[0] is not columns:
        _last_index[:] = [columns, {c: i for i, c in enumerate(columns)}]
    return _last_index[1]


def read_one(path: bytes, root_len: int, video_exts: frozenset[bytes]) -> tuple:
    ext = os.path.splitext(path)[1].lower()
    try:
        fd = os.open(
            path, os.O_RDONLY | os.O_NONBLOCK
        )  # never block on a FIFO swapped in since the walk
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return path, "gone", None, "file disappeared during the scan"
        return path, "error", None, f"cannot open: {exc.strerror}"
    with open(fd, "rb") as f:
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return path, "error", None, "not a regular file"
            if st.st_size == 0 and ext not in video_exts:
                return path, "error", None, "empty file (0 bytes)"
            head = f.read(fastread.HEAD)
            tail = read_tail(fd, st.st_size, head)
        except OSError as exc:
            return path, "error", None, f"cannot read: {exc.strerror}"
        quick = None
        if ext in _FAST:
            quick = fastread.parse(f, head, tail, st.st_size, ext.decode())
    try:
        row = read_audio(path, quick=quick) if quick else _read_media(path, video_exts)
    except MediaReadError as exc:
        if not os.path.lexists(path):
            return path, "gone", None, "file disappeared during the scan"
        return path, "error", None, str(exc)
    row["size"], row["mtime_ns"] = st.st_size, st.st_mtime_ns
    if ext in video_exts:  # the same change time the walk reports: NFO edits count
        row["mtime_ns"] = effective_mtime(path, st.st_mtime_ns)
    row["fingerprint"] = fingerprint_blocks(st.st_size, head, tail)
    if row.get("kind", "track") == "track":
        canonicalise(row)  # placeholders out first: the path may fill what they held
        if not all(k in row for k in _TAGGED):
            rel = path[root_len:].lstrip(b"/").decode("utf-8", "backslashreplace")
            apply_guess(row, rel.split("/"))
    return path, "ok", row, None


def _read_media(path: bytes, video_exts: frozenset[bytes]) -> dict:
    if os.path.splitext(path)[1].lower() in video_exts:
        from pathlib import Path

        from tuneup.library.video import classify as video

        try:
            return dict(video.read_video(Path(os.fsdecode(path))))
        except MediaReadError:
            raise
        except Exception as exc:  # a reader bug must not stop the scan
            raise MediaReadError(f"cannot read video ({type(exc).__name__}: {exc})") from None
    return read_audio(path)
