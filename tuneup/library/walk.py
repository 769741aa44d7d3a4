"""A quick stat-only walk of a library root, on bytes paths (names need not be valid UTF-8).

Yields the media files found (path, size, mtime) and the problems met on the way (broken
symlinks, symlink loops, folders that cannot be opened, special files), each once. Hidden
entries (names starting with a dot, e.g. macOS ``._`` resource forks) are skipped.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from typing import Callable, Iterator


@dataclass(slots=True)
class Found:
    path: bytes
    size: int
    mtime_ns: int


@dataclass(slots=True)
class Problem:
    path: bytes
    reason: str


def display(path: bytes) -> str:
    """A printable, JSON-safe form of a bytes path (invalid UTF-8 bytes backslash-escaped)."""
    return path.decode("utf-8", "backslashreplace")


def walk(root: bytes, extensions: frozenset[bytes], *, follow_symlinks: bool = True,
         seen_files: set | None = None, cancelled: Callable[[], bool] = lambda: False,
         ) -> Iterator[Found | Problem]:
    """Media files under ``root`` whose lower-case suffix is in ``extensions`` (bytes, with the dot).

    ``seen_files`` (a set of (dev, inode)) is shared across roots so a file reached twice
    (hard links, symlinks, nested roots) is listed once.
    """
    seen_files = set() if seen_files is None else seen_files
    try:
        st = os.stat(root)
    except OSError as exc:
        yield Problem(root, f"root not reachable: {exc.strerror}")
        return
    seen_dirs = {(st.st_dev, st.st_ino)}
    stack = [root]
    while stack:
        if cancelled():
            return
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Problem(folder, f"cannot open folder: {exc.strerror}")
            continue
        subdirs: list[bytes] = []
        for entry in entries:
            if entry.name.startswith(b"."):
                continue
            yield from _visit(entry, extensions, follow_symlinks, seen_dirs, seen_files, subdirs)
        stack.extend(reversed(subdirs))  # visit sub-folders in name order


def _visit(entry: os.DirEntry, extensions, follow_symlinks, seen_dirs, seen_files, stack):
    path = entry.path
    is_link = entry.is_symlink()
    if is_link and not follow_symlinks:
        return
    suffix = os.path.splitext(entry.name)[1].lower()
    try:
        st = entry.stat(follow_symlinks=True)
    except OSError as exc:
        if is_link and (suffix in extensions or not suffix):
            if exc.errno == errno.ELOOP:
                yield Problem(path, "symlink loop")
            elif exc.errno == errno.ENOENT:
                yield Problem(path, "broken symlink (target does not exist)")
            else:
                yield Problem(path, f"cannot follow symlink: {exc.strerror}")
        elif exc.errno != errno.ENOENT and suffix in extensions:  # ENOENT: deleted during the walk
            yield Problem(path, f"cannot read file information: {exc.strerror}")
        return
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            if is_link:
                yield Problem(path, "symlink loop (points to a folder already scanned)")
            return
        seen_dirs.add(key)
        stack.append(path)
        return
    if suffix not in extensions:
        return
    if not stat.S_ISREG(mode):
        yield Problem(path, "not a regular file")
        return
    key = (st.st_dev, st.st_ino)
    if key in seen_files:
        return
    seen_files.add(key)
    yield Found(path, st.st_size, st.st_mtime_ns)
