"""Last.fm scrobbles exported as CSV, in its two common layouts.

- no header: ``artist,album,track,date`` with dates like ``31 Jan 2021 18:03`` (UTC);
- header ``uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid``.

A scrobble is a play of at least half the track; its time is when it started. Last.fm does not
say how long it played, so the track's length stands in when the file is known.
"""

from __future__ import annotations

import csv
from pathlib import Path

from tuneup.errors import ImportFormatError
from tuneup.history.importers.base import (
    UNKNOWN_MS,
    Options,
    Where,
    capped_lines,
    check_epoch,
    epoch_from_format,
    ignored,
    listen,
    whole_number,
)

FORMAT = "lastfm"
SOURCE = "lastfm"
HELP = (
    "Last.fm CSV (artist,album,track,date without header, or uts,utc_time,artist,... with header)"
)

HEADER = ["uts", "utc_time", "artist", "artist_mbid", "album", "album_mbid", "track", "track_mbid"]
REQUIRED = ("uts", "artist", "track")


def parse(path: Path, options: Options = Options()):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        try:
            yield from _parse(path, csv.reader(capped_lines(fh, path)))
        except UnicodeDecodeError as exc:
            raise ImportFormatError(f"{path}: not UTF-8 text ({exc.reason})") from None
        except csv.Error as exc:
            raise ImportFormatError(f"{path}: bad CSV ({exc})") from None


def _parse(path: Path, rows):
    where = Where(path, "line")
    first = next(rows, None)
    if first is None:
        return
    if first and first[0].strip().lower() == "uts":
        yield from _with_header([c.strip().lower() for c in first], rows, where)
    else:
        where.n = 1
        yield _plain(first, where)
        yield from _plain_rows(rows, where)


def _plain_rows(rows, where):
    for row in rows:
        where.n = rows.line_num
        if row:
            yield _plain(row, where)


def _plain(row: list[str], where: Where) -> tuple:
    if len(row) != 4:
        raise where.error(f"expected 4 columns (artist,album,track,date), got {len(row)}")
    artist, album, track, date = row
    if not track.strip():
        raise where.error("missing track name")
    if date.strip().startswith("01 Jan 1970"):
        return ignored("no date (now-playing scrobble)")
    started = epoch_from_format(date, "%d %b %Y %H:%M", where, "date")
    return listen(started, UNKNOWN_MS, "finished", False, artist or None, track, album or None)


def _with_header(header: list[str], rows, where: Where):
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise where.error(f"missing column {', '.join(map(repr, missing))} in the header")
    col = {name: i for i, name in enumerate(header)}
    for row in rows:
        where.n = rows.line_num
        if not row:
            continue
        if len(row) != len(header):
            raise where.error(f"expected {len(header)} columns, got {len(row)}")
        uts = whole_number(row[col["uts"]])
        if uts is None or uts < 0:
            raise where.error(f"'uts' must be a unix time, got {row[col['uts']].strip()!r}")
        if uts == 0:
            yield ignored("no date (now-playing scrobble)")
            continue
        started = check_epoch(uts, where, "uts")
        get = lambda name: (row[col[name]].strip() or None) if name in col else None  # noqa: E731
        if not get("track"):
            raise where.error("missing track name")
        yield listen(
            started,
            UNKNOWN_MS,
            "finished",
            False,
            get("artist"),
            get("track"),
            get("album"),
            get("track_mbid"),
        )
