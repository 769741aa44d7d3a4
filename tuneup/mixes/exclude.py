"""From what a person types to an exclusion rule (tuneup.store.exclusions): the one place the CLI and
the TUI turn "artist Foo", "genre christmas", "window 2026-11-28T18:00 2026-11-29" into a rule,
checking that it names something and offering "did you mean" when it does not."""

from __future__ import annotations

import difflib
import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tuneup.errors import NotFoundError
from tuneup.mixes.playlist_read import parse
from tuneup.store import exclusions
from tuneup.store.items import ALL, artist_key, genres
from tuneup.store.normalize import fold
from tuneup.store.resolve import id_by_path, resolve

_PLAYLIST_FORMATS = {".m3u": "m3u8", ".m3u8": "m3u8", ".xspf": "xspf", ".jspf": "jspf"}


def exclude(
    db,
    profile_id: int,
    kind: str,
    value: str,
    end: str | None = None,
    *,
    artist: str | None = None,
    season: str | None = None,
) -> exclusions.Rule:
    """Store the rule ``kind value`` for this profile (see the module docstring)."""
    if kind not in exclusions.KINDS:
        raise exclusions.ExclusionError(
            f"cannot exclude a {kind!r}: one of {', '.join(exclusions.KINDS)}"
        )
    if season is not None:
        exclusions.parse_season(season)
    value = value.strip()
    made = _BUILDERS[kind](db, value, end, artist)
    stored, label, extra = made
    return exclusions.add(db, profile_id, kind, stored, label, extra=extra, season=season)


def item_rule(db, profile_id: int, item_id: int) -> exclusions.Rule:
    """Exclude one item from the taste (the TUI's key on a card)."""
    return exclude(db, profile_id, "track", str(item_id))


def forget_cluster(db, profile_id: int, clusters, number: int) -> exclusions.Rule:
    """Leave taste cluster ``number`` (1-based, as ``tuneup taste`` lists them) out of the taste:
    stored as a fixed list of its items, like a playlist rule."""
    if not 1 <= number <= len(clusters):
        raise NotFoundError(
            f"cluster {number}: this profile's taste has {len(clusters)} clusters (see `tuneup taste`)"
        )
    cluster = clusters[number - 1]
    ids = [int(i) for i in cluster.item_ids]
    return exclusions.add(
        db,
        profile_id,
        "playlist",
        f"cluster:{number}",
        f"cluster {number}: {cluster.name} ({len(ids)} items)",
        extra=json.dumps(ids),
    )


def _track(db, value, _end, _artist):
    item = resolve(db, value, ALL)
    return str(item.id), f"track {item.label}", None


def _named(db, what: str, value: str, names: dict[str, str]) -> str:
    """The key of ``value`` among ``names`` (key -> shown name), else NotFoundError with suggestions."""
    key = fold(value) if what != "artist" else artist_key(value)
    if what == "genre":
        key = value.casefold()
    if key in names:
        return key
    close = difflib.get_close_matches(value.casefold(), [n.casefold() for n in names.values()], 3)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise NotFoundError(f"no {what} {value!r} in the library{hint}")


def _artist(db, value, _end, _artist):
    names = {}
    for a, aa in db.execute("SELECT artist, albumartist FROM items"):
        if a or aa:
            names.setdefault(artist_key(a, aa), a or aa)
    key = _named(db, "artist", value, names)
    return key, f"artist {names[key]}", None


def _album(db, value, _end, artist):
    names = {fold(al): al for (al,) in db.execute("SELECT DISTINCT album FROM items") if al}
    key = _named(db, "album", value, names)
    label = f"album {names[key]}" + (f" by {artist}" if artist else "")
    return key, label, artist_key(artist) if artist else None


def _genre(db, value, _end, _artist):
    names = {}
    for (raw,) in db.execute("SELECT genres FROM items WHERE genres IS NOT NULL"):
        for g in genres(raw):
            names.setdefault(g.casefold(), g)
    key = _named(db, "genre", value, names)
    return key, f"genre {names[key]}", None


def _folder(db, value, _end, _artist):
    folder = os.path.abspath(os.path.expanduser(value)).rstrip(os.sep)
    prefix = folder + os.sep
    if not db.execute(
        "SELECT 1 FROM items WHERE substr(path, 1, ?) = ? LIMIT 1", [len(prefix), prefix]
    ).fetchone():
        raise NotFoundError(f"folder {value!r}: no item of the library is under {folder}")
    return folder, f"folder {folder}", None


def _playlist(db, value, _end, _artist):
    path = Path(value).expanduser()
    fmt = _PLAYLIST_FORMATS.get(path.suffix.lower(), "paths")
    try:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        raise NotFoundError(f"playlist {value}: cannot read ({exc.strerror})") from None
    base = path.resolve().parent
    ids = []
    for entry in parse(text, fmt).entries:
        target = entry.path if os.path.isabs(entry.path) else str(base / entry.path)
        item_id = id_by_path(db, target)
        if item_id is not None and item_id not in ids:
            ids.append(item_id)
    if not ids:
        raise NotFoundError(f"playlist {value}: none of its entries is an item of the library")
    return str(path.resolve()), f"playlist {path.name} ({len(ids)} items)", json.dumps(ids)


def _source(db, value, _end, _artist):
    names = {
        s: s
        for (s,) in db.execute("SELECT source FROM listens UNION SELECT source FROM feedback")
        if s
    }
    if value not in names:
        close = difflib.get_close_matches(value, list(names), 3)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        known = f" (sources: {', '.join(sorted(names))})" if names and not close else ""
        raise NotFoundError(f"no listens from source {value!r}{hint}{known}")
    return value, f"source {value}", None


def _import(db, value, _end, _artist):
    row = (
        db.execute("SELECT id, format, source_path FROM imports WHERE id = ?", [value]).fetchone()
        if value.isdigit()
        else None
    )
    if row is None:
        raise NotFoundError(f"import {value!r}: no such import (see `tuneup history --json`)")
    return str(row[0]), f"import {row[0]} ({row[1]}, {os.path.basename(row[2])})", None


def parse_time(text: str, *, end: bool = False) -> datetime:
    """ISO 8601 date or date-time (UTC when no offset is given); a bare date as an END means the
    end of that day."""
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise exclusions.ExclusionError(
            f"time {text!r}: write it as 2026-11-28 or 2026-11-28T18:00"
        ) from None
    dt = dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)
    if end and len(text.strip()) == 10:
        dt += timedelta(days=1)
    return dt.astimezone(timezone.utc)


def _window(db, value, end, _artist):
    if not end:
        raise exclusions.ExclusionError("a window needs a START and an END")
    start, stop = parse_time(value), parse_time(end, end=True)
    if stop <= start:
        raise exclusions.ExclusionError(f"window {value} .. {end}: the end is not after the start")
    a, b = start.isoformat(timespec="seconds"), stop.isoformat(timespec="seconds")
    return a, f"window {a} .. {b}", b


_BUILDERS = {
    "track": _track,
    "album": _album,
    "artist": _artist,
    "genre": _genre,
    "folder": _folder,
    "playlist": _playlist,
    "source": _source,
    "import": _import,
    "window": _window,
}

__all__ = ["exclude", "forget_cluster", "item_rule", "parse_time"]
