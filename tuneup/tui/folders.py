"""Library folders: checking one (exists, readable, how many media files), listing them, removing one.

The folders are the store's ``roots`` table (the scan adds them). Removing one forgets the folder and
marks its items missing, the same state the scan gives a file that disappeared: nothing is deleted on
disk, the items keep their history, are no longer shown or played, and come back with the same ids if
the folder is added again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tuneup.text import path_text

MEDIA_EXTENSIONS = frozenset(
    "mp3 flac ogg oga opus m4a mp4 m4v aac wav wv aiff aif ape mpc wma alac mkv webm avi mov ts m2ts mpg mpeg "
    "wmv ogv".split()
)


@dataclass
class FolderCheck:
    path: Path
    ok: bool
    media_files: int = 0
    message: str = ""
    cancelled: bool = False


def shown(path: str | Path) -> str:
    """A printable form of a path whose name may not be valid UTF-8 (bad bytes backslash-escaped)."""
    return path_text(os.fsencode(str(path)))


def check_folder(
    raw: str | Path, limit: int = 200_000, cancel: Callable[[], bool] | None = None
) -> FolderCheck:
    """Validate ``raw`` as a library folder; counts media files by extension (stat-free walk).

    ``cancel`` is polled once per folder walked: a stale check (the person moved on) stops early."""
    # typed text is trimmed and may start with ~; a Path (chosen in the browser) is taken exactly
    text = str(raw) if isinstance(raw, Path) else str(raw).strip()
    path = (raw if isinstance(raw, Path) else Path(os.path.expanduser(text))).absolute()
    name = shown(path)
    if not text:
        return FolderCheck(path, False, message="type a folder path")
    if not path.exists():
        return FolderCheck(path, False, message=f"{name} does not exist")
    if not path.is_dir():
        return FolderCheck(path, False, message=f"{name} is not a folder")
    if not os.access(path, os.R_OK | os.X_OK):
        return FolderCheck(path, False, message=f"{name} is not readable")
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return FolderCheck(
            path, False, message=f"{name}: the name is not valid UTF-8; rename it to use it"
        )
    count = 0
    for _dirpath, _dirs, files in os.walk(path):
        if cancel is not None and cancel():
            return FolderCheck(path, False, count, f"{name}: check stopped", cancelled=True)
        count += sum(1 for f in files if f.rsplit(".", 1)[-1].lower() in MEDIA_EXTENSIONS)
        if count >= limit:
            break
    if count == 0:
        return FolderCheck(path, False, 0, f"{name} holds no media files")
    more = "+" if count >= limit else ""
    files = "media file" if count == 1 else "media files"
    return FolderCheck(path, True, count, f"{name}: {count:,}{more} {files}")
