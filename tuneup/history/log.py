"""`tuneup log`: a listen reported by another player or a script."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tuneup.history.events import Listen, file_tags, parse_time, record_listen, to_utc
from tuneup.store.items import get
from tuneup.store.resolve import id_by_path


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
    """Record one play of ``path``. A file outside the library is kept by its tags and matched after a scan.

    The same report twice (same file, start time and source) is stored once.
    """
    full = str(Path(path).expanduser().absolute())
    started = parse_time(at) if at else datetime.now(timezone.utc) - timedelta(seconds=played)
    started_at = to_utc(started)
    item_id = id_by_path(db, full)
    tags = {} if item_id is not None else file_tags(full)
    if duration is None and item_id is not None:
        item = get(db, item_id)
        duration = item.duration if item else None
    duration_ms = int(duration * 1000) if duration else tags.get("duration_ms")
    key = hashlib.blake2b(
        f"{source}|{os.fsencode(full)!r}|{started_at}".encode(), digest_size=12
    ).hexdigest()
    listen = Listen(
        profile_id,
        started_at,
        int(round(played * 1000)),
        ended,
        source,
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
        "started_at": started_at,
        "ms_played": listen.ms_played,
        "end_reason": ended,
        "duplicate": listen_id is None,
    }
