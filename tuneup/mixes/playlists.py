"""Playlist writers: m3u8, xspf, jspf, json and bare paths, written atomically.

Tag text is data: every string goes through ``tuneup.text.playlist_field`` (one line: a
newline in a title must not start a new M3U line; no control or bidi character) and XML is
built by ElementTree, which escapes ``<``, ``&`` and ``]]>``; JSON is written by
``tuneup.text.to_json``. A path that a line-based format cannot hold as text (a control
or bidi character, bytes that are not UTF-8, a relative path starting with ``#``)
is written as a percent-encoded ``file://`` URI, which every player reads; a relative path starting
with ``#`` gets a ``./`` in front so it is not read as a comment.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from tuneup.atomic import replacing
from tuneup.mixes.types import Mix, MixItem
from tuneup.text import is_plain, playlist_field, to_json

FORMATS = ("m3u8", "xspf", "jspf", "json", "paths")
PATH_STYLES = ("absolute", "relative")
EXTENSIONS = {"m3u8": ".m3u8", "xspf": ".xspf", "jspf": ".jspf", "json": ".json", "paths": ".txt"}
XSPF_NS = "http://xspf.org/ns/0/"


def file_uri(path: str) -> str:
    """``file://`` URI of an absolute path, percent-encoded from its bytes (so any file name survives)."""
    return "file://" + quote(os.fsencode(path), safe="/")


def relative_uri(path: str) -> str:
    return quote(os.fsencode(path), safe="/")


def item_path(item: MixItem, style: str, base_dir: Path | None) -> str:
    """The item's path as the playlist should name it: absolute, or relative to ``base_dir``."""
    path = os.path.abspath(item.path)
    if style == "relative":
        base = os.path.abspath(base_dir or os.getcwd())
        try:
            path = os.path.relpath(path, base)
        except ValueError:  # another drive on Windows: keep it absolute
            pass
    return path


def _line_path(item: MixItem, style: str, base_dir: Path | None) -> str:
    """A path for a line-based format (m3u8, paths), where a line break or a leading '#' would break it."""
    path = item_path(item, style, base_dir)
    if not is_plain(path):
        return file_uri(os.path.abspath(item.path))  # only a URI can hold it; URIs are absolute
    if path.startswith("#"):
        return "./" + path
    return path


def _uri(path: str) -> str:
    return file_uri(path) if os.path.isabs(path) else relative_uri(path)


def render_m3u8(mix: Mix, style: str = "absolute", base_dir: Path | None = None) -> str:
    lines = ["#EXTM3U", f"#PLAYLIST:{playlist_field(mix.name)}"]
    for item in mix.items:
        seconds = int(round(item.duration_s)) if item.duration_s is not None else -1
        title, artist = playlist_field(item.title), playlist_field(item.artist)
        label = f"{artist} - {title}" if artist else title
        lines.append(f"#EXTINF:{seconds},{label}")
        if artist:
            lines.append(f"#EXTART:{artist}")
        if item.album:
            lines.append(f"#EXTALB:{playlist_field(item.album)}")
        lines.append(_line_path(item, style, base_dir))
    return "\n".join(lines) + "\n"


def render_paths(mix: Mix, style: str = "absolute", base_dir: Path | None = None) -> str:
    return "".join(_line_path(i, style, base_dir) + "\n" for i in mix.items)


def render_xspf(mix: Mix, style: str = "absolute", base_dir: Path | None = None) -> str:
    import xml.etree.ElementTree as ET

    root = ET.Element("playlist", {"version": "1", "xmlns": XSPF_NS})
    _sub(root, "title", mix.name)
    _sub(root, "creator", "tuneup")
    if mix.description:
        _sub(root, "annotation", mix.description)
    _sub(root, "date", mix.generated_at)
    tracks = ET.SubElement(root, "trackList")
    for item in mix.items:
        track = ET.SubElement(tracks, "track")
        _sub(track, "location", _uri(item_path(item, style, base_dir)))
        _sub(track, "title", item.title)
        _sub(track, "creator", item.artist)
        _sub(track, "album", item.album)
        _sub(track, "annotation", item.reason)
        if item.duration_s is not None:
            _sub(track, "duration", str(int(round(item.duration_s * 1000))))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _sub(parent, tag: str, text: object) -> None:
    import xml.etree.ElementTree as ET

    cleaned = playlist_field(text)
    if cleaned:
        ET.SubElement(parent, tag).text = cleaned


def render_jspf(mix: Mix, style: str = "absolute", base_dir: Path | None = None) -> str:
    tracks = []
    for item in mix.items:
        track = {"location": [_uri(item_path(item, style, base_dir))]}
        for key, value in (
            ("title", item.title),
            ("creator", item.artist),
            ("album", item.album),
            ("annotation", item.reason),
        ):
            if playlist_field(value):
                track[key] = playlist_field(value)
        if item.duration_s is not None:
            track["duration"] = int(round(item.duration_s * 1000))
        tracks.append(track)
    playlist = {
        "title": playlist_field(mix.name),
        "creator": "tuneup",
        "date": mix.generated_at,
        "track": tracks,
    }
    if mix.description:
        playlist["annotation"] = playlist_field(mix.description)
    return _dumps({"playlist": playlist})


def render_json(mix: Mix, style: str = "absolute", base_dir: Path | None = None) -> str:
    items = [
        {
            "item_id": i.item_id,
            "path": item_path(i, style, base_dir),
            "title": i.title,
            "artist": i.artist,
            "album": i.album,
            "kind": i.kind,
            "duration_s": i.duration_s,
            "reason": i.reason,
            "exploration": i.exploration,
        }
        for i in mix.items
    ]
    data = {
        "name": mix.name,
        "kind": mix.kind,
        "period": mix.period,
        "generated_at": mix.generated_at,
        "profile": mix.profile,
        "items": items,
    }
    if mix.figures:
        data["figures"] = mix.figures
    return _dumps(data)


def _dumps(data: dict) -> str:
    """JSON text; undecodable file names (lone surrogates), C1 and bidi controls are \\u-escaped."""
    return to_json(data) + "\n"


RENDERERS = {
    "m3u8": render_m3u8,
    "xspf": render_xspf,
    "jspf": render_jspf,
    "json": render_json,
    "paths": render_paths,
}


def render(
    mix: Mix, fmt: str = "m3u8", *, paths: str = "absolute", base_dir: Path | None = None
) -> str:
    """The playlist text. Relative paths are relative to ``base_dir`` (the playlist's folder)."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown playlist format {fmt!r}; use one of {', '.join(FORMATS)}")
    if paths not in PATH_STYLES:
        raise ValueError(f"unknown path style {paths!r}; use absolute or relative")
    return RENDERERS[fmt](mix, paths, base_dir)


def write_playlist(
    mix: Mix, out: Path | str, fmt: str = "m3u8", *, paths: str = "absolute"
) -> Path:
    """Write ``mix`` to ``out`` atomically; relative paths are relative to ``out``'s folder."""
    out = Path(out).absolute()
    text = render(mix, fmt, paths=paths, base_dir=out.parent)
    atomic_write(out, text.encode("utf-8"))
    return out


def write_mix_dir(
    mixes: list[Mix], directory: Path | str, fmt: str = "m3u8", *, paths: str = "absolute"
) -> list[Path]:
    """One file per mix in ``directory`` (named by the mix, "Daily Mix 2" for "Daily Mix 2: ..."), kept
    up to date: when there are fewer Daily Mixes than last time, the files of the ones that are gone
    are removed, so a player never shows a stale one. Returns the files written, in order."""
    from tuneup.config import SETTINGS

    directory = Path(directory)
    written = []
    for mix in mixes:
        target = directory / (safe_filename(mix.name.partition(":")[0]) + EXTENSIONS[fmt])
        written.append(write_playlist(mix, target, fmt, paths=paths))
    dailies = sum(m.kind == "daily" for m in mixes)
    if dailies:
        most = int(SETTINGS["mix.daily_count"].maximum)  # the most Daily Mixes there can be
        for n in range(dailies + 1, most + 1):
            (directory / f"Daily Mix {n}{EXTENSIONS[fmt]}").unlink(missing_ok=True)
    return written


def atomic_write(path: Path, data: bytes) -> None:
    """Readers (and the next run after a crash) see the old file or the new one, never a torn one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(
        path, what="playlist"
    ) as fh:  # 0o666 less the umask: players and servers can read it
        fh.write(data)


def safe_filename(name: str) -> str:
    """A file name for a mix title: no separators, no control characters, not hidden."""
    cleaned = playlist_field(name).replace("/", "-").replace("\\", "-").replace(":", " -")
    cleaned = cleaned.strip(". ") or "mix"
    return cleaned[:120]
