"""Replacing a file atomically, and sweeping up after writers that were killed mid-write.

The new content goes to a temporary file next to the target, is synced, and renamed over it, so a
reader (or the next run after a crash) sees the old file or the complete new one, never a torn one.
A temporary file is named ``.<name>.<pid>.<random>.tmp``: a later writer can tell the leftovers of
a process that died (kill -9, power cut) from another process's write in progress, and removes them.
"""

from __future__ import annotations

import os
import re
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from tuneup.errors import DiskFullError, is_disk_full


def temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale(path: Path) -> None:
    """Delete temporary files for ``path`` left by writers that are no longer running."""
    own = re.compile(
        re.escape(f".{path.name}.") + r"(\d+)\.[0-9a-f]{8}\.tmp"
    )  # temp_path's shape exactly
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        match = own.fullmatch(name)
        if match and not _alive(int(match.group(1))):
            try:
                os.unlink(path.parent / name)
            except OSError:
                pass


@contextmanager
def replacing(path: Path, *, what: str = "file", mode: int = 0o666) -> Iterator[BinaryIO]:
    """Write the new content of ``path`` to the yielded binary file; it replaces ``path`` when the block ends.

    ``mode`` is filtered by the umask as usual (0o600: owner only). Nothing is replaced if the block
    raises; a full disk becomes a :class:`DiskFullError` naming the file and ``what`` it is.
    """
    path = Path(path)
    remove_stale(path)
    tmp = temp_path(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if is_disk_full(exc):
            raise DiskFullError(f"{path}: cannot write the {what}: the disk is full") from None
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: not every file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
