"""A quick stat-only walk of a library root, on bytes paths (names need not be valid UTF-8).

Yields the media files found as ``(path, size, mtime_ns)`` tuples and the problems met on the way
(broken symlinks, symlink loops, folders that cannot be opened, special files) as ``Problem``, each
once. Hidden entries (names starting with a dot, e.g. macOS ``._`` resource forks) are skipped.
One stat per media file and per folder; other files cost nothing beyond the directory read.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from typing import Callable, Iterator

from tuneup.library.video.sidecars import effective_mtime
from tuneup.text import path_text

Found = tuple  # (path: bytes, size: int, mtime_ns: int)


@dataclass(slots=True)
class Problem:
    path: bytes
    reason: str


def display(path: bytes) -> str:
    """A printable, JSON-safe form of a bytes path (invalid UTF-8 bytes backslash-escaped)."""
    return path_text(path)


def suffix_of(name: bytes) -> bytes:
    """Lower-case suffix with its dot (b'' when there is none)."""
    dot = name.rfind(b".")
    return name[dot:].lower() if dot > 0 else b""


def walk(
    root: bytes,
    extensions: frozenset[bytes],
    *,
    follow_symlinks: bool = True,
    seen_files: set | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    with_sidecars: frozenset[bytes] = frozenset(),
) -> Iterator[Found | Problem]:
    """Media files under ``root`` whose lower-case suffix is in ``extensions`` (bytes, with the dot).

    ``seen_files`` (a set of (dev, inode)) is shared across roots so a file reached twice
    (hard links, symlinks, nested roots) is listed once. Files whose suffix is in
    ``with_sidecars`` (videos) report the newest mtime of the file and its NFO sidecars.
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
            name = entry.name
            if name[:1] == b".":
                continue
            if entry.is_symlink():
                if follow_symlinks:
                    yield from _symlink(
                        entry, extensions, seen_dirs, seen_files, subdirs, with_sidecars
                    )
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    seen_dirs.add((st.st_dev, st.st_ino))
                    subdirs.append(entry.path)
                    continue
                if suffix_of(name) not in extensions:
                    continue
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                if exc.errno != errno.ENOENT:  # ENOENT: deleted while we walked past it
                    yield Problem(entry.path, f"cannot read file information: {exc.strerror}")
                continue
            if not stat.S_ISREG(st.st_mode):
                yield Problem(entry.path, "not a regular file")
                continue
            key = (st.st_dev, st.st_ino)  # hard links and symlinks: list the file once
            if key in seen_files:
                continue
            seen_files.add(key)
            yield _found(entry.path, st, with_sidecars)
        stack.extend(reversed(subdirs))  # visit sub-folders in name order


def _found(path: bytes, st: os.stat_result, with_sidecars: frozenset[bytes]) -> Found:
    mtime = st.st_mtime_ns
    if with_sidecars and suffix_of(os.path.basename(path)) in with_sidecars:
        mtime = effective_mtime(path, mtime)
    return path, st.st_size, mtime


def _symlink(entry: os.DirEntry, extensions, seen_dirs, seen_files, subdirs, with_sidecars):
    path, suffix = entry.path, suffix_of(entry.name)
    try:
        st = entry.stat(follow_symlinks=True)
    except OSError as exc:
        if suffix in extensions or not suffix:
            if exc.errno == errno.ELOOP:
                yield Problem(path, "symlink loop")
            elif exc.errno == errno.ENOENT:
                yield Problem(path, "broken symlink (target does not exist)")
            else:
                yield Problem(path, f"cannot follow symlink: {exc.strerror}")
        return
    key = (st.st_dev, st.st_ino)
    if stat.S_ISDIR(st.st_mode):
        if key in seen_dirs:
            yield Problem(path, "symlink loop (points to a folder already scanned)")
            return
        seen_dirs.add(key)
        subdirs.append(path)
        return
    if suffix not in extensions:
        return
    if not stat.S_ISREG(st.st_mode):
        yield Problem(path, "not a regular file")
        return
    if key in seen_files:
        return
    seen_files.add(key)
    yield _found(path, st, with_sidecars)
