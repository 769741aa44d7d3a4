"""Listens and feedback: recording them and the skip rule (which item a text names: store.resolve).

A listen is one play of one item: when it started (UTC), how long it played, how it ended, where
it came from and whether it counts as a skip. Every write is one short ``write()`` transaction,
so the TUI, a player hook and an import can record at the same time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone

from tuneup.bounds import MAX_DURATION_S, finite
from tuneup.errors import TuneupError
from tuneup.store import write

END_REASONS = ("finished", "skipped", "stopped", "error")
FEEDBACK_KINDS = ("like", "dislike", "ban")
_OPPOSITE = {"like": "dislike", "dislike": "like"}
DEFAULT_SKIP_SECONDS = 30


def is_skip(end_reason: str, ms_played: int, skip_seconds: int = DEFAULT_SKIP_SECONDS) -> bool:
    """The common rule: the person moved on to the next item before ``skip_seconds``.

    Only that is a rejection. A stop, a quit, starting something else (the queue replaced) or an
    error ends a play without saying anything about the item, so it is never a skip."""
    return end_reason == "skipped" and ms_played < skip_seconds * 1000


def to_utc(when: datetime | str | float | int) -> str:
    """An ISO 8601 UTC string (seconds precision) from a datetime, an ISO string or a unix time."""
    try:
        if isinstance(when, (int, float)):
            dt = datetime.fromtimestamp(when, timezone.utc)
        elif isinstance(when, str):
            dt = parse_time(when)
        else:
            dt = when
        if dt.tzinfo is None:
            dt = dt.astimezone()  # naive means local time
        return dt.astimezone(timezone.utc).isoformat(timespec="seconds")
    except (ValueError, OverflowError, OSError):  # year 0 or 10000 once moved to UTC
        raise TuneupError(f"time out of range: {when!r}") from None


def parse_time(text: str) -> datetime:
    """Parse ISO 8601 (a trailing Z allowed; no zone means local time)."""
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        raise TuneupError(f"not an ISO 8601 time: {text!r} (e.g. 2026-11-27T18:03:00Z)") from None
    try:
        return dt if dt.tzinfo else dt.astimezone()
    except (ValueError, OverflowError, OSError):
        raise TuneupError(f"time out of range: {text!r}") from None


def local_time(utc_iso: str) -> str:
    """A stored UTC time shown in the local zone. One the local zone cannot hold (year 9999 east
    of UTC, stored before `log --at` was range-checked) or that is not a time is shown as stored."""
    try:
        return datetime.fromisoformat(utc_iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except (ValueError, OverflowError, OSError, TypeError):
        return str(utc_iso)


@dataclass
class Listen:
    profile_id: int
    started_at: str
    ms_played: int
    end_reason: str
    source: str
    item_id: int | None = None
    duration_ms: int | None = None
    skipped: bool | None = None  # None: apply the common rule
    artist: str | None = None
    title: str | None = None
    album: str | None = None
    mbid: str | None = None
    dedup_key: str | None = None


def record_listen(db, listen: Listen, *, skip_seconds: int = DEFAULT_SKIP_SECONDS) -> int | None:
    """Store one listen; returns its id, or None when the same event was already stored."""
    if listen.end_reason not in END_REASONS:
        raise TuneupError(
            f"unknown end reason {listen.end_reason!r}; use one of {', '.join(END_REASONS)}"
        )
    if listen.ms_played < 0:
        raise TuneupError(f"played time cannot be negative ({listen.ms_played} ms)")
    skipped = listen.skipped
    if skipped is None:
        skipped = is_skip(listen.end_reason, listen.ms_played, skip_seconds)
    with write(db):
        cur = db.execute(
            "INSERT OR IGNORE INTO listens (item_id, profile_id, started_at, ms_played, duration_ms, end_reason, "
            "skipped, source, artist, title, album, mbid, dedup_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                listen.item_id,
                listen.profile_id,
                to_utc(listen.started_at),
                int(listen.ms_played),
                listen.duration_ms,
                listen.end_reason,
                int(bool(skipped)),
                listen.source,
                listen.artist,
                listen.title,
                listen.album,
                listen.mbid,
                listen.dedup_key,
            ],
        )
        return cur.lastrowid if cur.rowcount else None


def file_tags(path: str | os.PathLike) -> dict:
    """Artist, title, album and duration of a file outside the library (for matching later)."""
    try:
        import mutagen

        f = mutagen.File(path, easy=True)
    except Exception:
        return {}
    if f is None:
        return {}
    tags = f.tags or {}

    def first(key):
        try:
            values = tags.get(key)
        except (ValueError, KeyError):
            return None
        return str(values[0]) if values else None

    info = getattr(f, "info", None)
    length = getattr(info, "length", None)
    return {
        "artist": first("artist"),
        "title": first("title"),
        "album": first("album"),
        "mbid": first("musicbrainz_trackid"),
        "duration_ms": int(length * 1000)
        if finite(length) and 0 < length <= MAX_DURATION_S
        else None,
    }


# --- feedback --------------------------------------------------------------------------------------


def set_feedback(db, profile_id: int, item_id: int, kind: str, *, source: str = "tuneup") -> bool:
    """Like, dislike or ban an item. A like replaces a dislike and the other way round.

    Returns False when the item already had that feedback.
    """
    if kind not in FEEDBACK_KINDS:
        raise TuneupError(f"unknown feedback {kind!r}")
    from tuneup.store import utcnow

    with write(db):
        if kind in _OPPOSITE:
            db.execute(
                "DELETE FROM feedback WHERE profile_id = ? AND item_id = ? AND kind = ?",
                [profile_id, item_id, _OPPOSITE[kind]],
            )
        cur = db.execute(
            "INSERT OR IGNORE INTO feedback (profile_id, item_id, kind, created_at, source) VALUES (?,?,?,?,?)",
            [profile_id, item_id, kind, utcnow(), source],
        )
        return bool(cur.rowcount)


def undo_feedback(db, profile_id: int, item_id: int, kind: str) -> bool:
    """Take back a like, dislike or ban. Returns False when there was nothing to undo."""
    with write(db):
        cur = db.execute(
            "DELETE FROM feedback WHERE profile_id = ? AND item_id = ? AND kind = ?",
            [profile_id, item_id, kind],
        )
        return bool(cur.rowcount)


def feedback_of(db, profile_id: int, item_id: int) -> list[str]:
    rows = db.execute(
        "SELECT kind FROM feedback WHERE profile_id = ? AND item_id = ? ORDER BY kind",
        [profile_id, item_id],
    )
    return [r[0] for r in rows]


def recent_listens(db, profile_id: int, limit: int = 50) -> list[dict]:
    """The latest listens, newest first, with times in UTC and in local time."""
    rows = db.execute(
        "SELECT l.id, l.item_id, l.started_at, l.ms_played, l.duration_ms, l.end_reason, l.skipped, l.source, "
        "coalesce(i.artist, l.artist), coalesce(i.title, l.title), coalesce(i.album, l.album), i.path "
        "FROM listens l LEFT JOIN items i ON i.id = l.item_id WHERE l.profile_id = ? "
        "ORDER BY l.started_at DESC, l.id DESC LIMIT ?",
        [profile_id, limit],
    )
    keys = (
        "id",
        "item_id",
        "started_at",
        "ms_played",
        "duration_ms",
        "end_reason",
        "skipped",
        "source",
        "artist",
        "title",
        "album",
        "path",
    )
    out = []
    for row in rows:
        d = dict(zip(keys, row))
        d["skipped"] = bool(d["skipped"])
        d["started_local"] = local_time(d["started_at"])
        out.append(d)
    return out
