"""Reading playlists back (m3u8, xspf, jspf, json, paths): the tests' check that what was written is valid,
and a way to take a playlist file in as radio seeds."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from tuneup.errors import ImportFormatError
from tuneup.mixes.playlists import XSPF_NS


@dataclass
class Entry:
    path: str
    title: str | None = None
    artist: str | None = None
    album: str | None = None
    duration_s: float | None = None
    reason: str | None = None


@dataclass
class Playlist:
    name: str | None
    entries: list[Entry]


def uri_to_path(uri: str) -> str:
    """A ``file://`` URI or a percent-encoded relative reference back to a file-system path."""
    if uri.startswith("file://"):
        uri = uri[len("file://") :]
    return os.fsdecode(unquote_to_bytes(uri))


def _line_to_path(line: str) -> str:
    if line.startswith("file://"):
        return uri_to_path(line)
    return line


def parse_m3u8(text: str) -> Playlist:
    lines = text.splitlines()
    if not lines or lines[0].lstrip("\ufeff") != "#EXTM3U":
        raise ImportFormatError("m3u8: line 1: expected #EXTM3U")
    name, entries, pending = None, [], Entry(path="")
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        if line.startswith("#PLAYLIST:"):
            name = line[len("#PLAYLIST:") :]
        elif line.startswith("#EXTINF:"):
            head, _, label = line[len("#EXTINF:") :].partition(",")
            try:
                seconds = float(head.split()[0]) if head.strip() else -1
            except ValueError:
                raise ImportFormatError(f"m3u8: line {number}: bad duration {head!r}") from None
            pending.duration_s = None if seconds < 0 else seconds
            pending.title = label
        elif line.startswith("#EXTART:"):
            pending.artist = line[len("#EXTART:") :]
        elif line.startswith("#EXTALB:"):
            pending.album = line[len("#EXTALB:") :]
        elif line.startswith("#"):
            continue
        else:
            pending.path = _line_to_path(line)
            if (
                pending.artist
                and pending.title
                and pending.title.startswith(pending.artist + " - ")
            ):
                pending.title = pending.title[len(pending.artist) + 3 :]
            entries.append(pending)
            pending = Entry(path="")
    return Playlist(name, entries)


def parse_paths(text: str) -> Playlist:
    return Playlist(
        None, [Entry(path=_line_to_path(line)) for line in text.splitlines() if line.strip()]
    )


def parse_xspf(text: str) -> Playlist:
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ImportFormatError(f"xspf: not well-formed XML ({exc})") from None
    ns = {"x": XSPF_NS}
    entries = []
    for track in root.findall("x:trackList/x:track", ns):
        duration = track.findtext("x:duration", None, ns)
        entries.append(
            Entry(
                path=uri_to_path(track.findtext("x:location", "", ns)),
                title=track.findtext("x:title", None, ns),
                artist=track.findtext("x:creator", None, ns),
                album=track.findtext("x:album", None, ns),
                duration_s=int(duration) / 1000 if duration else None,
                reason=track.findtext("x:annotation", None, ns),
            )
        )
    return Playlist(root.findtext("x:title", None, ns), entries)


def parse_jspf(text: str) -> Playlist:
    playlist = _load_json(text, "jspf").get("playlist")
    if not isinstance(playlist, dict):
        raise ImportFormatError("jspf: no 'playlist' object")
    entries = []
    for track in playlist.get("track", []):
        locations = track.get("location") or [""]
        duration = track.get("duration")
        entries.append(
            Entry(
                path=uri_to_path(locations[0]),
                title=track.get("title"),
                artist=track.get("creator"),
                album=track.get("album"),
                duration_s=duration / 1000 if duration is not None else None,
                reason=track.get("annotation"),
            )
        )
    return Playlist(playlist.get("title"), entries)


def parse_json(text: str) -> Playlist:
    data = _load_json(text, "json")
    entries = [
        Entry(
            path=i["path"],
            title=i.get("title"),
            artist=i.get("artist"),
            album=i.get("album"),
            duration_s=i.get("duration_s"),
            reason=i.get("reason"),
        )
        for i in data.get("items", [])
    ]
    return Playlist(data.get("name"), entries)


def _load_json(text: str, fmt: str) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{fmt}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise ImportFormatError(f"{fmt}: expected a JSON object")
    return data


PARSERS = {
    "m3u8": parse_m3u8,
    "xspf": parse_xspf,
    "jspf": parse_jspf,
    "json": parse_json,
    "paths": parse_paths,
}


def parse(text: str, fmt: str) -> Playlist:
    return PARSERS[fmt](text)
