"""Duration, the video track and the iTunes tags of an MP4/M4V/MOV, walking only the atoms needed.

mutagen parses the whole atom tree (sample tables included) and then the tags, ~1 ms for even
a tiny file; this walk seeks past everything else and reads a few hundred bytes. Anything
unexpected raises MediaReadError and the caller falls back to mutagen.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

from tuneup.errors import MediaReadError

TEXT_KEYS = {
    b"\xa9nam": "title",
    b"tvsh": "show",
    b"tven": "episode_id",
    b"desc": "short_description",
    b"ldes": "description",
    b"\xa9day": "date",
}
INT_KEYS = {b"tvsn": "season", b"tves": "episode", b"stik": "stik", b"hdvd": "hd"}
MAX_TAG = 1024 * 1024  # cover art and other big items are skipped
# iTunes media kind (stik) codes.
STIK = {
    0: "music",
    1: "music",
    2: "audiobook",
    6: "music video",
    9: "movie",
    10: "tv show",
    11: "booklet",
    14: "ringtone",
    21: "podcast",
    23: "itunes u",
}


def read_mp4(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return _read(fh, os.fstat(fh.fileno()).st_size)
    except (OSError, EOFError, struct.error, ValueError, UnicodeDecodeError) as exc:
        raise MediaReadError(f"{path}: not a readable MP4 ({type(exc).__name__} {exc})") from None


def _children(fh, start: int, end: int):
    """(name, payload start, payload end) of each atom between ``start`` and ``end``."""
    pos = start
    while pos + 8 <= end:
        fh.seek(pos)
        size, name = struct.unpack(">I4s", fh.read(8))
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", fh.read(8))[0], 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise ValueError(f"bad atom size at {pos}")
        yield name, pos + header, pos + size
        pos += size


def _find(fh, start: int, end: int, name: bytes) -> tuple[int, int] | None:
    for child, a, b in _children(fh, start, end):
        if child == name:
            return a, b
    return None


def _read(fh, size: int) -> dict:
    moov = _find(fh, 0, size, b"moov")
    if moov is None:
        raise ValueError("no moov atom")
    out: dict = {"container": "mp4", "tags": {}}
    for name, a, b in _children(fh, *moov):
        if name == b"mvhd":
            out["duration"] = _duration(_payload(fh, a, min(b, a + 32)))
        elif name == b"trak" and "width" not in out:
            out.update(_video_track(fh, a, b))
        elif name == b"udta":
            out["tags"] = _tags(fh, a, b)
    return {k: v for k, v in out.items() if v is not None}


def _payload(fh, a: int, b: int) -> bytes:
    fh.seek(a)
    data = fh.read(b - a)
    if len(data) != b - a:
        raise EOFError("truncated atom")
    return data


def _duration(mvhd: bytes) -> float | None:
    if mvhd[0] == 1:
        scale, length = struct.unpack(">IQ", mvhd[20:32])
    else:
        scale, length = struct.unpack(">II", mvhd[12:20])
    return length / scale if scale and length else None


def _video_track(fh, a: int, b: int) -> dict:
    tkhd = _find(fh, a, b, b"tkhd")
    mdia = _find(fh, a, b, b"mdia")
    if tkhd is None or mdia is None:
        return {}
    hdlr = _find(fh, *mdia, b"hdlr")
    if hdlr is None or _payload(fh, hdlr[0], hdlr[0] + 12)[8:12] != b"vide":
        return {}
    width, height = (v >> 16 for v in struct.unpack(">II", _payload(fh, tkhd[1] - 8, tkhd[1])))
    codec = None
    minf = _find(fh, *mdia, b"minf")
    stbl = _find(fh, *minf, b"stbl") if minf else None
    stsd = _find(fh, *stbl, b"stsd") if stbl else None
    if stsd and stsd[1] - stsd[0] >= 16:
        codec = _payload(fh, stsd[0] + 12, stsd[0] + 16).decode("latin-1").strip() or None
    return {"width": width or None, "height": height or None, "codec": codec}


def _tags(fh, a: int, b: int) -> dict:
    meta = _find(fh, a, b, b"meta")
    ilst = _find(fh, meta[0] + 4, meta[1], b"ilst") if meta else None  # meta is a full atom
    if ilst is None:
        return {}
    tags: dict = {}
    for name, x, y in _children(fh, *ilst):
        if (
            name in TEXT_KEYS or name in INT_KEYS or name in (b"\xa9gen", b"gnre")
        ) and y - x <= MAX_TAG:
            for kind, value in _data_atoms(_payload(fh, x, y)):
                _store(tags, name, kind, value)
    return _finish(tags)


def _data_atoms(item: bytes):
    """(type flag, value bytes) of each ``data`` atom inside one ilst item."""
    pos = 0
    while pos + 16 <= len(item):
        size, name = struct.unpack(">I4s", item[pos : pos + 8])
        if size < 16 or pos + size > len(item):
            raise ValueError("bad data atom")
        if name == b"data":
            yield int.from_bytes(item[pos + 9 : pos + 12], "big"), item[pos + 16 : pos + size]
        pos += size


def _store(tags: dict, name: bytes, kind: int, value: bytes) -> None:
    if name in TEXT_KEYS and kind == 1:
        tags.setdefault(TEXT_KEYS[name], value.decode("utf-8", "replace"))
    elif name in INT_KEYS and kind in (0, 21) and value:
        tags.setdefault(INT_KEYS[name], int.from_bytes(value, "big", signed=kind == 21))
    elif name == b"\xa9gen" and kind == 1:
        tags.setdefault("genres", []).append(value.decode("utf-8", "replace"))
    elif name == b"gnre" and len(value) >= 2:
        from mutagen.id3 import TCON

        index = int.from_bytes(value[:2], "big") - 1
        if 0 <= index < len(TCON.GENRES):
            tags.setdefault("genres", []).append(TCON.GENRES[index])


def _finish(tags: dict) -> dict:
    stik = tags.pop("stik", None)
    if stik is not None:
        tags["media_kind"] = STIK.get(stik, str(stik))
    if "hd" in tags:
        tags["hd"] = bool(tags["hd"])
    if "description" not in tags and "short_description" in tags:
        tags["description"] = tags["short_description"]
    return {k: v for k, v in tags.items() if v not in (None, "", [])}
