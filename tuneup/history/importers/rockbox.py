"""Rockbox (and other portable players') ``.scrobbler.log``, Audioscrobbler portable format 1.1.

Header lines: ``#AUDIOSCROBBLER/1.1``, ``#TZ/UTC`` or ``#TZ/UNKNOWN`` (times are the device's local
wall clock, read here in this machine's zone), ``#CLIENT/...``. Then one tab-separated line per
play: artist, album, title, track number, duration (s), rating (L listened, S skipped), unix start
time, MusicBrainz track id.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from tuneup.errors import ImportFormatError
from tuneup.history.importers.base import (
    MAX_NUMBER,
    Options,
    Where,
    capped_lines,
    check_epoch,
    listen,
    whole_number,
)

FORMAT = "rockbox"
SOURCE = "rockbox"
HELP = "Rockbox .scrobbler.log (Audioscrobbler portable format)"


def parse(path: Path, options: Options = Options()):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        try:
            yield from _parse(path, capped_lines(fh, path))
        except UnicodeDecodeError as exc:
            raise ImportFormatError(f"{path}: not UTF-8 text ({exc.reason})") from None


def _parse(path: Path, lines):
    where = Where(path, "line")
    local = False
    seen_header = False
    for where.n, line in enumerate(lines, 1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        if line.startswith("#"):
            seen_header = seen_header or line.startswith("#AUDIOSCROBBLER/")
            if line.startswith("#TZ/"):
                local = line[4:].strip().upper() != "UTC"
            continue
        if not seen_header:
            raise where.error(
                "not a .scrobbler.log (no #AUDIOSCROBBLER header before the first play)"
            )
        yield _play(line, where, local)


def _play(line: str, where: Where, local: bool) -> tuple:
    fields = line.rstrip("\r\n").split("\t")
    if len(fields) not in (7, 8):
        raise where.error(f"expected 7 or 8 tab-separated fields, got {len(fields)}")
    artist, album, title, _track, duration, rating, stamp = fields[:7]
    mbid = fields[7].strip() if len(fields) == 8 else ""
    if not title.strip():
        raise where.error("missing title")
    seconds = whole_number(duration)
    if seconds is None or not 0 <= seconds <= MAX_NUMBER:
        raise where.error(f"duration must be whole seconds, got {duration!r}")
    if rating not in ("L", "S"):
        raise where.error(f"rating must be L or S, got {rating!r}")
    epoch = whole_number(stamp)
    if epoch is None or epoch < 0:
        raise where.error(f"timestamp must be a unix time, got {stamp!r}")
    started = check_epoch(epoch, where, "timestamp")
    if local:  # the device's wall clock written as if it were UTC
        wall = datetime.fromtimestamp(started, timezone.utc).replace(tzinfo=None)
        started = int(wall.astimezone(timezone.utc).timestamp())
    duration_ms = seconds * 1000
    listened = rating == "L"
    return listen(
        started,
        duration_ms if listened else 0,
        "finished" if listened else "skipped",
        not listened,
        artist or None,
        title,
        album or None,
        mbid or None,
        duration_ms or None,
    )
