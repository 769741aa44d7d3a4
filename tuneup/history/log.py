"""`tuneup log`: a listen reported by another player or a script.

A player hook must never wait for tuneup. The report is checked (finite, bounded, a date within
1990-2100 like the importers'), written to the spool (:mod:`tuneup.history.spool`, fsynced) and
only then recorded, with a short wait for the store; if another writer holds it longer, a detached
process records it and `log` returns at once. Nothing is lost either way: a spooled report stays
until it is in the store, and the next `log` or `history` records any that are left.
"""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tuneup.bounds import MAX_DURATION_S, finite
from tuneup.errors import TuneupError
from tuneup.history.events import END_REASONS, Listen, file_tags, parse_time, record_listen, to_utc
from tuneup.store.items import get
from tuneup.store.resolve import id_by_path

MIN_YEAR, MAX_YEAR = 1990, 2100  # as the importers


def prepare(
    path: str,
    *,
    played: float,
    duration: float | None = None,
    ended: str = "finished",
    at: str | None = None,
    source: str = "hook",
) -> dict:
    """The report as plain data, checked: what the spool keeps and :func:`record` stores."""
    if ended not in END_REASONS:
        raise TuneupError(f"unknown end reason {ended!r}; use one of {', '.join(END_REASONS)}")
    played = _seconds(played, "--played", allow_zero=True)
    duration = None if duration is None else _seconds(duration, "--duration", allow_zero=False)
    started = parse_time(at) if at else datetime.now(timezone.utc) - timedelta(seconds=played)
    if not MIN_YEAR <= started.year < MAX_YEAR:
        raise TuneupError(f"--at {at!r} is outside {MIN_YEAR}-{MAX_YEAR}; not a time a play began")
    full = os.fsencode(Path(os.fsdecode(path)).expanduser().absolute())
    return {
        "path": os.fsdecode(full),
        "played": played,
        "duration": duration,
        "ended": ended,
        "started_at": to_utc(started),
        "source": source,
    }


def _seconds(value: float, option: str, *, allow_zero: bool) -> float:
    number = finite(value)
    if number is None or number < 0 or number > MAX_DURATION_S or (not allow_zero and not number):
        raise TuneupError(
            f"{option} must be a number of seconds from 0 to {int(MAX_DURATION_S):,} (a week), "
            f"got {value!r}"
        )
    return number


def record(db, profile_id: int, event: dict, *, skip_seconds: int = 30) -> dict:
    """Store one prepared report; the same report twice (file, start, source) is stored once."""
    full, played, duration = event["path"], event["played"], event["duration"]
    item_id = id_by_path(db, full)
    tags = {} if item_id is not None or not regular_file(full) else file_tags(full)
    if duration is None and item_id is not None:
        item = get(db, item_id)
        duration = finite(item.duration) if item else None
    duration_ms = int(duration * 1000) if duration else tags.get("duration_ms")
    key = hashlib.blake2b(
        f"{event['source']}|{os.fsencode(full)!r}|{event['started_at']}".encode(), digest_size=12
    ).hexdigest()
    listen = Listen(
        profile_id,
        event["started_at"],
        int(round(played * 1000)),
        event["ended"],
        event["source"],
        item_id=item_id,
        duration_ms=duration_ms,
        artist=tags.get("artist"),
        title=tags.get("title") or (None if item_id else Path(full).stem),
        album=tags.get("album"),
        mbid=tags.get("mbid"),
        dedup_key=key,
    )
    listen_id = record_listen(db, listen, skip_seconds=skip_seconds)
    return {
        "listen_id": listen_id,
        "item_id": item_id,
        "started_at": event["started_at"],
        "ms_played": listen.ms_played,
        "end_reason": event["ended"],
        "duplicate": listen_id is None,
    }


def regular_file(path: str) -> bool:
    """Only a regular file's tags are read: a FIFO would block the read forever and /dev/zero
    never ends (the listen is still recorded, by its name)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def log_play(
    db,
    profile_id: int,
    path: str,
    *,
    played: float,
    duration: float | None = None,
    ended: str = "finished",
    at: str | None = None,
    source: str = "hook",
    skip_seconds: int = 30,
) -> dict:
    """Check and record one play of ``path`` now (the core's call; the CLI spools first)."""
    event = prepare(path, played=played, duration=duration, ended=ended, at=at, source=source)
    return record(db, profile_id, event, skip_seconds=skip_seconds)
