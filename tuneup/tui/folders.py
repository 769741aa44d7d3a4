"""Checking a folder the person typed: it exists, it is readable, and how many media files it holds."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MEDIA_EXTENSIONS = frozenset(
    "mp3 flac ogg oga opus m4a mp4 m4v aac wav wv aiff aif ape mpc wma alac mkv webm avi mov ts m2ts mpg mpeg "
    "wmv ogv".split())


@dataclass
class FolderCheck:
    path: Path
    ok: bool
    media_files: int = 0
    message: str = ""


def check_folder(raw: str, limit: int = 200_000) -> FolderCheck:
    """Validate ``raw`` as a library folder; counts media files by extension (stat-free walk)."""
    path = Path(os.path.expanduser(raw.strip())).absolute()
    if not raw.strip():
        return FolderCheck(path, False, message="type a folder path")
    if not path.exists():
        return FolderCheck(path, False, message=f"{path} does not exist")
    if not path.is_dir():
        return FolderCheck(path, False, message=f"{path} is not a folder")
    if not os.access(path, os.R_OK | os.X_OK):
        return FolderCheck(path, False, message=f"{path} is not readable")
    count = 0
    for _dirpath, _dirs, files in os.walk(path):
        count += sum(1 for f in files if f.rsplit(".", 1)[-1].lower() in MEDIA_EXTENSIONS)
        if count >= limit:
            break
    if count == 0:
        return FolderCheck(path, False, 0, f"{path} holds no media files")
    more = "+" if count >= limit else ""
    return FolderCheck(path, True, count, f"{path}: {count:,}{more} media files")
