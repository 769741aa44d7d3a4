"""Stream properties and embedded tags of video containers.

MP4/M4V/MOV go through a lean atom walk (tuneup/library/video/mp4.py; mutagen when that fails):
tags, and width/height/codec from the video track's ``tkhd``/``stsd`` atoms; MKV/WebM through a small EBML
reader (tuneup/library/video/matroska.py); MPEG-PS through tuneup/library/video/mpegps.py.
Everything else, and any file those refuse, goes through
MediaInfo (pymediainfo ships the library in its wheels) with a small output template, which
is several times faster than its full XML report. mutagen is never asked about MPEG-PS
``.mpg`` files: it takes their MP2 audio for an MP3 file.
"""

from __future__ import annotations

import struct
from pathlib import Path

from tuneup.bounds import finite
from tuneup.errors import MediaReadError
from tuneup.library.video.mp4 import STIK, read_mp4

MP4_EXTENSIONS = frozenset({".mp4", ".m4v", ".mov"})
MATROSKA_EXTENSIONS = frozenset({".mkv", ".webm", ".mk3d"})
MPEG_PS_EXTENSIONS = frozenset({".mpg", ".mpeg", ".vob"})
_MI_TEMPLATE = (
    "General;G\t%Format%\t%Duration%\t%Title%\t%Movie%\t%Genre%\t%Recorded_Date%\t%VideoCount%\t%AudioCount%"
    "\\n\r\nVideo;V\t%Width%\t%Height%\t%Format%\\n"
)


def read_container(path: Path) -> dict:
    """``{"duration", "width", "height", "codec", "container", "tags": {...}}``; missing keys are
    unknown. Raises MediaReadError when the file is not a container the readers recognise."""
    suffix = path.suffix.lower()
    fast = (
        _read_mp4
        if suffix in MP4_EXTENSIONS
        else _read_mkv
        if suffix in MATROSKA_EXTENSIONS
        else _read_mpg
        if suffix in MPEG_PS_EXTENSIONS
        else None
    )
    if fast is not None:
        try:
            return fast(path)
        except MediaReadError:
            pass  # mislabelled or unusual: MediaInfo knows more
    return _read_mediainfo(path)


def _read_mpg(path: Path) -> dict:
    from tuneup.library.video.mpegps import read_mpeg_ps

    return read_mpeg_ps(path)


def _read_mkv(path: Path) -> dict:
    from tuneup.library.video.matroska import read_matroska

    return read_matroska(path)


def _read_mp4(path: Path) -> dict:
    try:
        return read_mp4(path)
    except MediaReadError:
        return _read_mp4_mutagen(path)


def _read_mp4_mutagen(path: Path) -> dict:
    """mutagen's full atom tree: duration from ``mvhd``, the video track, iTunes tags."""
    from mutagen import MutagenError
    from mutagen.mp4 import Atoms, MP4Tags

    try:
        with open(path, "rb") as fh:
            atoms = Atoms(fh)
            duration = _mp4_duration(fh, atoms)
            video = _mp4_video_track(fh, atoms)
            try:
                atoms.path(b"moov", b"udta", b"meta", b"ilst")
            except KeyError:
                tags = {}
            else:
                tags = MP4Tags(atoms, fh)
    except (MutagenError, OSError, struct.error, ValueError, IndexError, KeyError) as exc:
        raise MediaReadError(f"{path}: not a readable MP4 ({exc})") from None
    out = {"container": "mp4", "duration": duration, "tags": _mp4_tags(tags), **video}
    return {k: v for k, v in out.items() if v is not None}


def _mp4_duration(fh, atoms) -> float | None:
    ok, data = atoms[b"moov", b"mvhd"].read(fh)
    if data[0] == 1:
        scale, length = struct.unpack(">IQ", data[20:32])
    else:
        scale, length = struct.unpack(">II", data[12:20])
    return length / scale if scale and length else None


def _first(tags, key):
    value = tags.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    return value


def _mp4_tags(tags) -> dict:
    stik = _first(tags, "stik")
    out = {
        "title": _first(tags, "\xa9nam"),
        "show": _first(tags, "tvsh"),
        "season": _first(tags, "tvsn"),
        "episode": _first(tags, "tves"),
        "episode_id": _first(tags, "tven"),
        "genres": [str(g) for g in tags.get("\xa9gen", []) if str(g).strip()],
        "description": _first(tags, "ldes") or _first(tags, "desc"),
        "short_description": _first(tags, "desc"),
        "date": _first(tags, "\xa9day"),
        "media_kind": STIK.get(stik, str(stik)) if stik is not None else None,
        "hd": bool(_first(tags, "hdvd")) if "hdvd" in tags else None,
    }
    return {k: v for k, v in out.items() if v not in (None, "", [])}


def _mp4_video_track(fh, atoms) -> dict:
    """Width, height and codec of the first video track: tkhd holds the display size as
    16.16 fixed point in its last 8 bytes; stsd's first entry names the codec."""
    moov = next((a for a in atoms.atoms if a.name == b"moov"), None)
    for trak in (moov.children or []) if moov else []:
        if trak.name != b"trak":
            continue
        try:
            hdlr = trak[b"mdia", b"hdlr"]
            ok, data = hdlr.read(fh)
            if not ok or data[8:12] != b"vide":
                continue
            ok, tkhd = trak[(b"tkhd",)].read(fh)
            width, height = (v >> 16 for v in struct.unpack(">II", tkhd[-8:]))
            ok, stsd = trak[b"mdia", b"minf", b"stbl", b"stsd"].read(fh)
            codec = stsd[12:16].decode("latin-1").strip() if len(stsd) >= 16 else None
        except KeyError:
            continue
        return {"width": width or None, "height": height or None, "codec": codec or None}
    return {}


_mediainfo_lib = None


def _mediainfo():
    global _mediainfo_lib
    if _mediainfo_lib is None:
        from pymediainfo import MediaInfo

        _mediainfo_lib = MediaInfo
    return _mediainfo_lib


def _read_mediainfo(path: Path) -> dict:
    try:
        report = _mediainfo().parse(str(path), output=_MI_TEMPLATE, parse_speed=0)
    except FileNotFoundError:
        raise MediaReadError(f"{path}: file vanished while scanning") from None
    except Exception as exc:  # the C library or its loader: wrap at the boundary
        raise MediaReadError(f"{path}: MediaInfo failed ({type(exc).__name__}: {exc})") from None
    general, video = _split_report(report)
    if not general or not general[0]:
        raise MediaReadError(f"{path}: not a video container MediaInfo recognises")
    fmt, duration_ms, title, movie, genre, recorded, video_count, _audio = (general + [""] * 8)[:8]
    out = {
        "container": fmt,
        "duration": _num(duration_ms) / 1000 if _num(duration_ms) else None,
        "width": int(_num(video[0])) if video and _num(video[0]) else None,
        "height": int(_num(video[1])) if len(video) > 1 and _num(video[1]) else None,
        "codec": video[2] if len(video) > 2 and video[2] else None,
        "has_video": bool(video_count.strip()),
        "tags": {
            k: v
            for k, v in {
                "title": title or movie,
                "genres": [g.strip() for g in genre.split("/") if g.strip()],
                "date": recorded,
            }.items()
            if v
        },
    }
    return {k: v for k, v in out.items() if v is not None}


def _split_report(report: str) -> tuple[list[str], list[str]]:
    general: list[str] = []
    video: list[str] = []
    for line in report.splitlines():
        fields = line.split("\t")
        if fields[0] == "G" and not general:
            general = fields[1:]
        elif fields[0] == "V" and not video:
            video = fields[1:]
    return general, video


def _num(text: str) -> float | None:
    """A finite number from MediaInfo's text ("inf" and "nan" parse as floats but are not numbers)."""
    try:
        return finite(float(text.split(" / ")[0]))
    except (ValueError, AttributeError, IndexError):
        return None
