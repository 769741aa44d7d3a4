"""Duration, title and the first video track of a Matroska/WebM file, read from its EBML header.

MediaInfo takes 1-5 ms a file; these few elements sit in the first kilobytes, so reading
them here costs a tenth of that. Anything unexpected raises MediaReadError and the caller
falls back to MediaInfo.
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

from tuneup.errors import MediaReadError

EBML, DOCTYPE, SEGMENT = 0x1A45DFA3, 0x4282, 0x18538067
SEEKHEAD, SEEK, SEEK_ID, SEEK_POS = 0x114D9B74, 0x4DBB, 0x53AB, 0x53AC
INFO, TIMESCALE, DURATION, TITLE = 0x1549A966, 0x2AD7B1, 0x4489, 0x7BA9
TRACKS, TRACK, TRACK_TYPE, CODEC_ID, VIDEO, WIDTH, HEIGHT = (
    0x1654AE6B,
    0xAE,
    0x83,
    0x86,
    0xE0,
    0xB0,
    0xBA,
)
CLUSTER = 0x1F43B675
UNKNOWN = -1
MAX_ELEMENT = 4 * 1024 * 1024  # Info and Tracks are small; anything bigger is not what we want
CODECS = {
    "V_MPEG4/ISO/AVC": "AVC",
    "V_MPEGH/ISO/HEVC": "HEVC",
    "V_VP8": "VP8",
    "V_VP9": "VP9",
    "V_AV1": "AV1",
    "V_MPEG2": "MPEG Video",
    "V_MPEG1": "MPEG Video",
    "V_THEORA": "Theora",
    "V_MPEG4/ISO/ASP": "MPEG-4 Visual",
    "V_MPEG4/ISO/SP": "MPEG-4 Visual",
    "V_MPEG4/ISO/AP": "MPEG-4 Visual",
    "V_PRORES": "ProRes",
}


def read_matroska(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return _read(fh, path)
    except (OSError, EOFError, struct.error, IndexError, ValueError, UnicodeDecodeError) as exc:
        raise MediaReadError(
            f"{path}: not a readable Matroska file ({type(exc).__name__} {exc})"
        ) from None


def _vint(fh, keep_marker: bool) -> tuple[int, int]:
    """(value, length) of an EBML variable-size integer; value UNKNOWN for an all-ones size."""
    first = fh.read(1)
    if not first:
        raise EOFError
    b = first[0]
    length = 1
    while length <= 8 and not b & (0x80 >> (length - 1)):
        length += 1
    if length > 8:
        raise ValueError("bad EBML length")
    value = b if keep_marker else b & (0xFF >> length)
    rest = fh.read(length - 1)
    if len(rest) != length - 1:
        raise EOFError
    for byte in rest:
        value = (value << 8) | byte
    if not keep_marker and value == (1 << (7 * length)) - 1:
        return UNKNOWN, length
    return value, length


def _header(fh) -> tuple[int, int]:
    element_id, _ = _vint(fh, keep_marker=True)
    size, _ = _vint(fh, keep_marker=False)
    return element_id, size


def _children(data: bytes):
    """(id, payload) of each element inside ``data`` (parsed in place, no copies of the headers)."""
    pos, end = 0, len(data)
    while pos < end:
        try:
            element_id, pos = _vint_at(data, pos, keep_marker=True)
            size, pos = _vint_at(data, pos, keep_marker=False)
        except IndexError:
            return
        if size == UNKNOWN:
            return
        yield element_id, data[pos : pos + size]
        pos += size


def _vint_at(data: bytes, pos: int, keep_marker: bool) -> tuple[int, int]:
    """(value, next position) of the EBML variable-size integer at ``pos`` in ``data``."""
    b = data[pos]
    length = 8 - b.bit_length() + 1
    if length > 8:
        raise ValueError("bad EBML length")
    value = b if keep_marker else b & (0xFF >> length)
    for byte in data[pos + 1 : pos + length]:
        value = (value << 8) | byte
    if pos + length > len(data):
        raise IndexError("truncated EBML integer")
    if not keep_marker and value == (1 << (7 * length)) - 1:
        return UNKNOWN, pos + length
    return value, pos + length


def _uint(data: bytes) -> int:
    """An EBML unsigned integer: 0 to 8 bytes by the spec, so never wider than 64 bits."""
    if len(data) > 8:
        raise ValueError(f"an EBML integer {len(data)} bytes wide (at most 8)")
    return int.from_bytes(data, "big")


def _read(fh, path: Path) -> dict:
    element_id, size = _header(fh)
    if element_id != EBML:
        raise MediaReadError(f"{path}: not a Matroska file")
    doctype = next(
        (p.decode("ascii") for i, p in _children(fh.read(size)) if i == DOCTYPE), "matroska"
    )
    element_id, segment_size = _header(fh)
    if element_id != SEGMENT:
        raise MediaReadError(f"{path}: no Matroska segment")
    segment_start = fh.tell()
    found: dict[int, bytes] = {}
    seekhead = b""
    while INFO not in found or TRACKS not in found:
        try:
            element_id, size = _header(fh)
        except EOFError:
            break
        if element_id == CLUSTER or size == UNKNOWN:
            break
        if element_id in (INFO, TRACKS, SEEKHEAD) and size <= MAX_ELEMENT:
            payload = fh.read(size)
            if element_id == SEEKHEAD:
                seekhead = (
                    seekhead or payload
                )  # parsed only if Info or Tracks are not found in order
            else:
                found[element_id] = payload
        else:
            fh.seek(size, 1)
    seeks = (
        _seek_entries(seekhead) if seekhead and (INFO not in found or TRACKS not in found) else {}
    )
    for wanted in (INFO, TRACKS):
        if (
            wanted not in found and wanted in seeks
        ):  # written after the clusters: follow the SeekHead
            fh.seek(segment_start + seeks[wanted])
            element_id, size = _header(fh)
            if element_id == wanted and size != UNKNOWN and size <= MAX_ELEMENT:
                found[wanted] = fh.read(size)
    if INFO not in found:
        raise MediaReadError(f"{path}: Matroska segment without Info")
    out = {"container": "WebM" if doctype == "webm" else "Matroska", **_info(found[INFO])}
    out.update(_video_track(found.get(TRACKS, b"")))
    return out


def _seek_entries(payload: bytes) -> dict[int, int]:
    entries = {}
    for element_id, seek in _children(payload):
        if element_id == SEEK:
            fields = dict(_children(seek))
            if SEEK_ID in fields and SEEK_POS in fields:
                entries[_uint(fields[SEEK_ID])] = _uint(fields[SEEK_POS])
    return entries


def _info(payload: bytes) -> dict:
    fields = dict(_children(payload))
    scale = _uint(fields[TIMESCALE]) if TIMESCALE in fields else 1_000_000
    out: dict = {"tags": {}}
    raw = fields.get(DURATION)
    if raw and len(raw) in (4, 8):
        ticks = struct.unpack(">f" if len(raw) == 4 else ">d", raw)[0]
        seconds = ticks * scale / 1e9 if math.isfinite(ticks) and ticks > 0 else None
        if seconds is not None and math.isfinite(seconds):  # +inf, or huge x TimecodeScale
            out["duration"] = seconds
    title = fields.get(TITLE, b"").decode("utf-8", "replace").strip("\x00 ")
    if title:
        out["tags"]["title"] = title
    return out


def _video_track(payload: bytes) -> dict:
    for element_id, entry in _children(payload):
        if element_id != TRACK:
            continue
        fields = dict(_children(entry))
        if _uint(fields.get(TRACK_TYPE, b"")) != 1:
            continue
        video = dict(_children(fields.get(VIDEO, b"")))
        codec = fields.get(CODEC_ID, b"").decode("ascii", "replace").strip("\x00 ")
        out = {
            "has_video": True,
            "codec": CODECS.get(codec, codec) or None,
            "width": _uint(video[WIDTH]) if WIDTH in video else None,
            "height": _uint(video[HEIGHT]) if HEIGHT in video else None,
        }
        return {k: v for k, v in out.items() if v is not None}
    return {"has_video": False}
