"""A cheap content fingerprint for noticing that a file was moved or renamed.

The size plus a hash of the first and last 4 KiB: the reader has those bytes in hand anyway
(tags live at the start, audio at the end), and they are the same for a file that was only
moved or renamed. Retagging changes the fingerprint; so does a re-encode.
"""

from __future__ import annotations

import hashlib
import os

BLOCK = 4096


def fingerprint_blocks(size: int, head: bytes, tail: bytes) -> str:
    """``head``: the file's first bytes (at least BLOCK when the file is that big); ``tail``: its last BLOCK."""
    digest = hashlib.blake2b(
        size.to_bytes(8, "little") + head[:BLOCK] + tail[-BLOCK:], digest_size=12
    )
    return f"{size:x}-{digest.hexdigest()}"


def read_tail(fd: int, size: int, head: bytes) -> bytes:
    """The last BLOCK bytes, from ``head`` when the file is that short."""
    if size <= len(head):
        return head[-BLOCK:]
    return os.pread(fd, BLOCK, size - BLOCK)


def fingerprint(path: bytes | str) -> str:
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        head = f.read(BLOCK)
        return fingerprint_blocks(size, head, read_tail(f.fileno(), size, head))
