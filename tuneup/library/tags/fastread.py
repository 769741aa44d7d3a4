"""Fast paths for the two most common formats, MP3 (ID3v2) and FLAC: read only what a scan needs.

mutagen builds an object for every frame and block (cover art included). Here the ID3v2 text
frames and the FLAC STREAMINFO and Vorbis comment blocks are parsed straight from the bytes,
skipping everything else; MP3 stream properties still come from mutagen's MPEGInfo. Anything
unusual (ID3v2.2, compressed or encrypted frames, unsynchronised or extended headers, ID3v1-only
tags, a tag that does not parse cleanly) returns None and the caller uses full mutagen, so
results are the same either way (tests/test_tags.py compares the two).
"""

from __future__ import annotations

import os
import struct

from tuneup.library.tags.keys import ALIASES, ID3_KEYS

HEAD = 1 << 16  # bytes read from the start of a file in one go
TAIL = 4096  # ...and from its end (ID3v1 lives in the last 128)


class _Fallback(Exception):
    """This file needs the full mutagen reader."""


def read_fast(path: bytes, ext: str) -> tuple[str, str, dict, dict] | None:
    """(format, codec, properties, canonical tags) for an .mp3 or .flac file, or None to use mutagen."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            head = f.read(HEAD)
            tail = head[-TAIL:] if size <= len(head) else os.pread(f.fileno(), TAIL, size - TAIL)
            return parse(f, head, tail, size, ext)
    except OSError:
        return None  # mutagen will report it with its own reason


def parse(f, head: bytes, tail: bytes, size: int, ext: str) -> tuple[str, str, dict, dict] | None:
    """Like read_fast, on an open file whose first HEAD bytes and last TAIL bytes are already read."""
    try:
        if ext == ".mp3":
            return _mp3(f, head, tail, size)
        if ext == ".flac" and head[:4] == b"fLaC":
            return _flac(f, head, size)
    except (_Fallback, struct.error, IndexError, ValueError, UnicodeError, OSError):
        return None
    return None


# --- MP3 --------------------------------------------------------------------------------------


def _syncsafe(b: bytes) -> int:
    if (b[0] | b[1] | b[2] | b[3]) & 0x80:
        raise _Fallback
    return (b[0] << 21) | (b[1] << 14) | (b[2] << 7) | b[3]


_ENCODINGS = ("latin-1", "utf-16", "utf-16-be", "utf-8")
_WANTED = frozenset(
    (
        "TIT2",
        "TPE1",
        "TALB",
        "TPE2",
        "TRCK",
        "TPOS",
        "TDRC",
        "TYER",
        "TDOR",
        "TCON",
        "TCOM",
        "TBPM",
        "TKEY",
        "TMOO",
        "TPUB",
        "TCMP",
        "TXXX",
        "UFID",
        "TDAT",
        "TIME",
        "TORY",
    )
)


class _Window:
    """Bytes of an open file by position: served from the last read when they are in it, else read
    afresh. Big frames and blocks nobody wants (cover art) are stepped over without being read."""

    def __init__(self, f, head: bytes):
        self.f, self.data, self.base = f, head, 0

    def get(self, pos: int, n: int) -> bytes:
        rel = pos - self.base
        if rel >= 0 and rel + n <= len(self.data):
            return self.data[rel : rel + n]
        self.f.seek(pos)
        self.data, self.base = self.f.read(max(n, HEAD)), pos
        return self.data[:n]


def _mp3(f, head: bytes, tail: bytes, file_size: int):
    if b"TAG" in tail[-133:]:
        raise _Fallback  # an ID3v1 tag (mutagen merges it into the ID3v2 frames)
    window = _Window(f, head)
    end, tags = 0, {}
    if head[:3] == b"ID3":
        major, flags = head[3], head[5]
        if major not in (3, 4) or flags & 0xC0:  # v2.2, unsynchronised or extended header: rare
            raise _Fallback
        end = 10 + _syncsafe(head[6:10])
        tags = _id3_frames(window, end, major)
    audio = window.get(end, 8192)
    if audio[:3] == b"ID3":
        raise _Fallback  # stacked tags (WMP)
    return "mp3", "mp3", _mpeg(audio, 0, file_size - end), tags


_XING_OFFSET = {(1, True): 36, (1, False): 21, (2, True): 21, (2, False): 13}


def _frame_header(data: bytes, pos: int) -> tuple | None:
    """(bitrate, sample_rate, channels, frame_size, frame_length, version, mode) of the MPEG frame at pos."""
    from mutagen.mp3 import MPEGFrame

    if pos + 4 > len(data) or data[pos] != 0xFF or data[pos + 1] & 0xE0 != 0xE0:
        return None
    b1, b2, b3 = data[pos + 1], data[pos + 2], data[pos + 3]
    version_bits, layer_bits = (b1 >> 3) & 3, (b1 >> 1) & 3
    bitrate_index, rate_index, padding = b2 >> 4, (b2 >> 2) & 3, (b2 >> 1) & 1
    mode = b3 >> 6
    if version_bits == 1 or layer_bits == 0 or rate_index == 3 or bitrate_index in (0, 15):
        return None
    version = [2.5, None, 2, 1][version_bits]
    layer = 4 - layer_bits
    bitrate = MPEGFrame._MPEGFrame__BITRATE[(version, layer)][bitrate_index] * 1000
    sample_rate = MPEGFrame._MPEGFrame__RATES[version][rate_index]
    if layer == 1:
        frame_size, slot = 384, 4
    elif version >= 2 and layer == 3:
        frame_size, slot = 576, 1
    else:
        frame_size, slot = 1152, 1
    frame_length = ((frame_size // 8 * bitrate) // sample_rate + padding) * slot
    return (
        bitrate,
        sample_rate,
        1 if mode == 3 else 2,
        frame_size,
        frame_length,
        version,
        mode,
        layer,
    )


def _mpeg(data: bytes, pos: int, file_size: int) -> dict:
    """Stream properties from the first frame (and its Xing/LAME header), computed as mutagen's MPEGInfo does.

    Only the plain case: a frame right where the tag ends, then either a Xing/Info header or
    four consecutive valid frames. Anything else (junk before the first frame, VBRI) falls back."""
    first = _frame_header(data, pos)
    if first is None:
        raise _Fallback
    bitrate, sample_rate, channels, frame_size, frame_length, version, mode, layer = first
    props = {"length": -1.0, "bitrate": bitrate, "sample_rate": sample_rate, "channels": channels}
    if layer == 3:
        xing_at = pos + _XING_OFFSET[(1 if version == 1 else 2, mode != 3)]
        if data[xing_at : xing_at + 4] in (b"Xing", b"Info"):
            _xing(data, xing_at, frame_size, frame_length, props)
            return _estimate(props, pos, file_size)
        if data[pos + 36 : pos + 40] == b"VBRI":
            raise _Fallback
    at, header = pos, first
    for _ in range(3):  # mutagen wants four valid frames in a row when there is no VBR header
        at += header[4]
        header = _frame_header(data, at)
        if header is None:
            raise _Fallback
        if header[7] == 3:
            xing_at = at + _XING_OFFSET[(1 if header[5] == 1 else 2, header[6] != 3)]
            if (
                data[xing_at : xing_at + 4] in (b"Xing", b"Info")
                or data[at + 36 : at + 40] == b"VBRI"
            ):
                raise _Fallback
    return _estimate(props, pos, file_size)


def _estimate(props: dict, pos: int, file_size: int) -> dict:
    if props["length"] == -1:
        props["length"] = 8 * (file_size - pos) / float(props["bitrate"])
    return props


def _xing(data: bytes, at: int, frame_size: int, frame_length: int, props: dict) -> None:
    from mutagen._util import intround

    flags = int.from_bytes(data[at + 4 : at + 8], "big")
    pos, frames, total_bytes = at + 8, -1, -1
    for flag, width in (
        (1, 4),
        (2, 4),
        (4, 100),
        (8, 4),
    ):  # frames, bytes, TOC, VBR scale (skipped)
        if flags & flag:
            field = data[pos : pos + width]
            if len(field) != width:
                raise _Fallback
            if flag == 1:
                frames = int.from_bytes(field, "big")
            elif flag == 2:
                total_bytes = int.from_bytes(field, "big")
            pos += width
    delay = _lame_delay(data, pos)
    if frames == -1:
        return
    samples = frame_size * frames
    if total_bytes != -1 and samples > 0:
        audio_bytes = max(0, total_bytes - frame_length)
        props["bitrate"] = intround((audio_bytes * 8 * props["sample_rate"]) / float(samples))
    samples = max(0, samples - delay)
    props["length"] = float(samples) / props["sample_rate"]


def _lame_delay(data: bytes, pos: int) -> int:
    """Encoder delay + padding from a LAME tag (0 when there is none)."""
    import io

    from mutagen.mp3._util import LAMEError, LAMEHeader

    try:
        _, _, has_header = LAMEHeader.parse_version(io.BytesIO(data[pos : pos + 20]))
    except LAMEError:
        return 0
    payload = data[pos + 9 : pos + 36]
    if not has_header or len(payload) != 27 or payload[0] >> 4 != 0:
        return 0
    return ((payload[12] << 4) | (payload[13] >> 4)) + (((payload[13] & 0x0F) << 8) | payload[14])


def _id3_frames(window: _Window, end: int, major: int) -> dict[str, list[str]]:
    """The wanted frames of the ID3v2 tag that ends at ``end`` (its 10-byte header at 0)."""
    out: dict[str, list[str]] = {}
    pos = 10
    date_parts: dict[str, str] = {}
    while pos + 10 <= end:
        header = window.get(pos, 10)
        fid = header[:4]
        if len(header) < 10:
            raise _Fallback
        if fid[0] == 0:
            break  # padding
        if not fid.isalnum() or not fid.isupper() and not fid[:3].isupper():
            raise _Fallback
        size = _syncsafe(header[4:8]) if major == 4 else int.from_bytes(header[4:8], "big")
        flags = int.from_bytes(header[8:10], "big")
        start, pos = pos + 10, pos + 10 + size
        if pos > end:
            raise _Fallback
        name = fid.decode("ascii")
        if name not in _WANTED:
            continue
        if (major == 4 and flags & 0x000F) or (major == 3 and flags & 0x00E0):
            raise _Fallback  # compressed, encrypted, unsynchronised, grouped or length-prefixed frame
        frame = window.get(start, size)
        if len(frame) < size:
            raise _Fallback
        if name == "UFID":
            owner, _, ident = frame.partition(b"\x00")
            if owner == b"http://musicbrainz.org" and ident:
                out.setdefault("musicbrainz_trackid", []).append(ident.decode("utf-8", "replace"))
            continue
        if not frame:
            continue
        values = _text(frame)
        if name == "TXXX":
            if values:
                desc = values[0].lower()
                _extend(out, ALIASES.get(desc, desc), values[1:])
        elif name == "TCON":
            from mutagen.id3 import TCON

            _extend(out, "genre", TCON(encoding=3, text=values).genres)
        elif name in ("TYER", "TDAT", "TIME", "TORY"):
            date_parts.setdefault(name, values[0] if values else "")
        elif name in ("TDRC", "TDOR"):
            _extend(out, ID3_KEYS[name], [_timestamp(v) for v in values])
        else:
            _extend(out, ID3_KEYS[name], values)
    if date_parts:
        _old_dates(out, date_parts)
    return out


def _timestamp(text: str) -> str:
    from mutagen.id3 import ID3TimeStamp

    return str(ID3TimeStamp(text))


def _old_dates(out: dict, parts: dict[str, str]) -> None:
    """TYER + TDAT + TIME and TORY become v2.4's TDRC and TDOR, as mutagen does."""
    import re

    year = re.match(r"([0-9]{4})(-[0-9]{2}-[0-9]{2})?\Z", parts.get("TYER", ""))
    day = re.match(r"([0-9]{2})([0-9]{2})\Z", parts.get("TDAT", ""))
    clock = re.match(r"([0-9]{2})([0-9]{2})\Z", parts.get("TIME", ""))
    if year and "date" not in out:
        stamp, month_day = year.group(1), year.group(2)
        if day:
            month_day = "-%s-%s" % day.groups()[::-1]
        if month_day:
            stamp += month_day
            if clock:
                stamp += "T%s:%s:00" % clock.groups()
        _extend(out, "date", [_timestamp(stamp)])
    if parts.get("TORY") and "originaldate" not in out:
        _extend(out, "originaldate", [_timestamp(parts["TORY"])])


def _text(frame: bytes) -> list[str]:
    encoding = frame[0]
    if encoding > 3:
        raise _Fallback
    raw = frame[1:]
    if encoding in (1, 2):
        if len(raw) % 2:
            raw = raw[:-1]
        text = raw.decode(_ENCODINGS[encoding]) if raw else ""
        if encoding == 1 and "\ufeff" in text:
            text = _utf16_values(raw)
    else:
        text = raw.decode(_ENCODINGS[encoding], "replace")
    return [v for v in text.rstrip("\x00").split("\x00")]


def _utf16_values(raw: bytes) -> str:
    """UTF-16 with a BOM before each value (multi-valued frames)."""
    parts, i = [], 0
    while i < len(raw):
        j = i
        while j + 1 < len(raw) and raw[j : j + 2] != b"\x00\x00":
            j += 2
        chunk = raw[i:j]
        parts.append(chunk.decode("utf-16") if chunk else "")
        i = j + 2
    return "\x00".join(parts)


def _extend(out: dict, key: str, values) -> None:
    bucket = out.setdefault(key, [])
    for value in values:
        for v in (
            value.split("\x00") if "\x00" in value else (value,)
        ):  # NUL separates values, as in tags.py
            v = v.strip(" ")
            if v:
                bucket.append(v)


# --- FLAC -------------------------------------------------------------------------------------


def _flac(f, head: bytes, file_size: int):
    window = _Window(f, head)
    pos, streaminfo, comments = 4, None, {}
    while True:
        header = window.get(pos, 4)
        if len(header) < 4:
            raise _Fallback
        kind, last = header[0] & 0x7F, header[0] & 0x80
        size = int.from_bytes(header[1:4], "big")
        start, pos = pos + 4, pos + 4 + size
        if kind in (0, 4):
            block = window.get(start, size)
            if len(block) < size:
                raise _Fallback
            if kind == 0:
                streaminfo = block
            else:
                comments = _vorbis(block)
        elif kind == 127:
            raise _Fallback
        if last:
            break
    if streaminfo is None or len(streaminfo) < 18:
        raise _Fallback
    bits = int.from_bytes(streaminfo[10:18], "big")
    sample_rate = bits >> 44
    channels = ((bits >> 41) & 7) + 1
    total = bits & ((1 << 36) - 1)
    length = total / sample_rate if sample_rate else 0.0
    bitrate = int((file_size - pos) * 8 / length) if length else 0
    props = {"length": length, "bitrate": bitrate, "sample_rate": sample_rate, "channels": channels}
    return "flac", "flac", props, comments


def _vorbis(block: bytes) -> dict[str, list[str]]:
    vendor = int.from_bytes(block[0:4], "little")
    pos = 4 + vendor
    count = int.from_bytes(block[pos : pos + 4], "little")
    pos += 4
    out: dict[str, list[str]] = {}
    for _ in range(count):
        if pos + 4 > len(block):
            raise _Fallback  # more comments claimed than the block holds
        length = int.from_bytes(block[pos : pos + 4], "little")
        entry = block[pos + 4 : pos + 4 + length]
        if len(entry) < length:
            raise _Fallback
        pos += 4 + length
        key, sep, value = entry.partition(b"=")
        if not sep:
            continue
        key = key.decode("ascii", "replace").lower()
        _extend(out, ALIASES.get(key, key), [value.decode("utf-8", "replace")])
    return out
