"""Duration and picture size of an MPEG program stream (.mpg, .mpeg, .vob) from its first and last
64 kB: the video sequence header gives the size and frame rate, the first and last video
presentation timestamps the length. A tenth of MediaInfo's cost; anything unexpected raises
MediaReadError and the caller falls back to MediaInfo.
"""

from __future__ import annotations

import os
from pathlib import Path

from tuneup.errors import MediaReadError

CHUNK = 64 * 1024
PACK, SEQUENCE = b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"
FRAME_RATES = {
    1: 24000 / 1001,
    2: 24.0,
    3: 25.0,
    4: 30000 / 1001,
    5: 30.0,
    6: 50.0,
    7: 60000 / 1001,
    8: 60.0,
}


def read_mpeg_ps(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            head = fh.read(CHUNK)
            size = os.fstat(fh.fileno()).st_size
            fh.seek(max(0, size - CHUNK))
            tail = fh.read(CHUNK)
    except OSError as exc:
        raise MediaReadError(f"{path}: cannot read ({exc.strerror})") from None
    if not head.startswith(PACK):
        raise MediaReadError(f"{path}: not an MPEG program stream")
    seq = head.find(SEQUENCE)
    if seq < 0 or seq + 8 > len(head):
        raise MediaReadError(
            f"{path}: no MPEG video sequence header in the first {CHUNK // 1024} kB"
        )
    b = head[seq + 4 : seq + 8]
    width, height, rate = (
        (b[0] << 4) | (b[1] >> 4),
        ((b[1] & 0x0F) << 8) | b[2],
        FRAME_RATES.get(b[3] & 0x0F),
    )
    first, last = _video_pes(head), _video_pes(tail)
    out = {
        "container": "MPEG-PS",
        "codec": "MPEG Video",
        "has_video": True,
        "width": width or None,
        "height": height or None,
        "tags": {},
    }
    if first and last and rate and first[0][0] >= 0 and last[0][0] >= 0:
        start = min((pts for pts, _ in first if pts >= 0), default=None)
        end, at = max(last)
        pictures = _pictures(tail, at) or 1  # the packet with the latest timestamp may hold several
        out["duration"] = (end - start) / 90000 + pictures / rate
    return {k: v for k, v in out.items() if v is not None}


def _video_pes(data: bytes) -> list[tuple[int, int]]:
    """(presentation timestamp, offset) of the video PES packets (ids 0xE0-0xEF) in ``data``
    that carry one; packets without a timestamp are listed with -1."""
    found = []
    start = data.find(b"\x00\x00\x01")
    while 0 <= start < len(data) - 14:
        if 0xE0 <= data[start + 3] <= 0xEF:
            pts = _pes_pts(data, start + 6)
            found.append((pts if pts is not None else -1, start))
        start = data.find(b"\x00\x00\x01", start + 3)
    return [(pts, i) for pts, i in found if pts >= 0] + [(-1, i) for pts, i in found if pts < 0]


def _pictures(data: bytes, start: int) -> int:
    """Pictures (start code 00 00 01 00) in the payload of the PES packet at ``start``."""
    length = int.from_bytes(data[start + 4 : start + 6], "big")
    return data[start + 6 : start + 6 + length].count(b"\x00\x00\x01\x00")


def _pes_pts(data: bytes, i: int) -> int | None:
    if data[i] & 0xC0 == 0x80:  # MPEG-2 PES header
        if data[i + 1] >> 6 not in (2, 3):
            return None
        return _timestamp(data[i + 3 : i + 8])
    while i < len(data) and data[i] == 0xFF:  # MPEG-1: stuffing, optional STD buffer, then PTS
        i += 1
    if i + 2 < len(data) and data[i] & 0xC0 == 0x40:
        i += 2
    if i + 5 <= len(data) and data[i] >> 4 in (2, 3):
        return _timestamp(data[i : i + 5])
    return None


def _timestamp(p: bytes) -> int | None:
    if len(p) < 5 or not (p[0] & 1 and p[2] & 1 and p[4] & 1):  # marker bits
        return None
    return ((p[0] >> 1) & 0x07) << 30 | p[1] << 22 | (p[2] >> 1) << 15 | p[3] << 7 | p[4] >> 1
