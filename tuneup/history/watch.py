"""Watch progress per profile: where someone stopped, when, and whether it counts as watched.

A watch is complete at ``video.complete_ratio`` of the length (default 90%) or when less than
``video.credits_seconds`` remain (default 5 minutes), so an episode with long credits still
counts. The credits allowance never exceeds a fifth of the length: a 4-minute clip is not
"watched" after 10 seconds.

``watch_progress`` holds the current watch of each item; ``completed`` is whether that watch
is finished and ``times_completed`` counts every finished watch. Each finish is also kept in
``watch_history``. Starting again from the beginning of a finished item begins a new watch:
``completed`` goes back to 0 while the count and the history stay.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from tuneup.store.db import utcnow, write
from tuneup.store.items import get, present

CREDITS_SHARE_CAP = 0.2


@dataclass(frozen=True)
class CompletionRule:
    ratio: float = 0.9
    credits_s: float = 300.0

    @classmethod
    def from_config(cls, config) -> "CompletionRule":
        if config is None:
            return cls()
        return cls(
            float(config.get("video.complete_ratio")), float(config.get("video.credits_seconds"))
        )

    def threshold(self, duration_s: float) -> float:
        """The position from which a watch of this length counts as complete."""
        credits = min(self.credits_s, duration_s * CREDITS_SHARE_CAP)
        return min(duration_s * self.ratio, duration_s - credits)

    def is_complete(self, position_s: float, duration_s: float | None) -> bool:
        if not duration_s or duration_s <= 0:
            return False
        return position_s >= self.threshold(duration_s)


@dataclass
class WatchState:
    item_id: int
    position_s: float
    duration_s: float | None
    last_watched_at: str
    completed: bool
    times_completed: int
    watch_started_at: str | None = None
    event: str = "progress"  # progress | finished | restarted | unchanged

    def to_dict(self) -> dict:
        return asdict(self)


def record_progress(
    db,
    profile_id: int,
    item_id: int,
    position_s: float,
    duration_s: float | None = None,
    *,
    rule: CompletionRule | None = None,
    at: str | None = None,
) -> WatchState:
    """Record that ``profile_id`` is at ``position_s`` in ``item_id`` (seconds, at ``at``).

    ``duration_s`` defaults to the one known for the item. A finished item watched again from
    before its completion point starts a new watch.
    """
    rule = rule or CompletionRule()
    at = at or utcnow()
    position_s = max(0.0, float(position_s))
    with write(db):
        duration_s = duration_s or _item_duration(db, item_id)
        if duration_s:
            position_s = min(position_s, float(duration_s))
        row = db.execute(
            "SELECT completed, times_completed, watch_started_at, position_s FROM watch_progress "
            "WHERE profile_id = ? AND item_id = ?",
            [profile_id, item_id],
        ).fetchone()
        completed, times, started, _old = (
            (bool(row[0]), row[1], row[2], row[3]) if row else (False, 0, None, 0.0)
        )
        event = "progress"
        if completed and not rule.is_complete(position_s, duration_s):
            completed, started, event = False, at, "restarted"
        started = started or at
        if not completed and rule.is_complete(position_s, duration_s):
            completed, times, event = True, times + 1, "finished"
            db.execute(
                "INSERT INTO watch_history (profile_id, item_id, started_at, completed_at, position_s, duration_s) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [profile_id, item_id, started, at, position_s, duration_s],
            )
        db.execute(
            "INSERT INTO watch_progress (profile_id, item_id, position_s, duration_s, last_watched_at, completed, "
            "times_completed, watch_started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(profile_id, item_id) DO UPDATE SET position_s = excluded.position_s, "
            "duration_s = excluded.duration_s, last_watched_at = excluded.last_watched_at, "
            "completed = excluded.completed, times_completed = excluded.times_completed, "
            "watch_started_at = excluded.watch_started_at",
            [profile_id, item_id, position_s, duration_s, at, int(completed), times, started],
        )
    return WatchState(item_id, position_s, duration_s, at, completed, times, started, event)


def mark_watched(db, profile_id: int, item_id: int, *, at: str | None = None) -> WatchState:
    """Count the item as watched to the end (e.g. seen elsewhere)."""
    duration = _item_duration(db, item_id) or 1.0
    state = get_progress(db, profile_id, item_id)
    if state and state.completed:
        return state
    return record_progress(
        db, profile_id, item_id, duration, duration, rule=CompletionRule(), at=at
    )


def mark_unwatched(db, profile_id: int, item_id: int) -> None:
    """Forget the current watch (the history of earlier finished watches stays)."""
    with write(db):
        db.execute(
            "UPDATE watch_progress SET completed = 0, position_s = 0 WHERE profile_id = ? AND item_id = ?",
            [profile_id, item_id],
        )


def get_progress(db, profile_id: int, item_id: int) -> WatchState | None:
    row = db.execute(
        "SELECT item_id, position_s, duration_s, last_watched_at, completed, times_completed, watch_started_at "
        "FROM watch_progress WHERE profile_id = ? AND item_id = ?",
        [profile_id, item_id],
    ).fetchone()
    if row is None:
        return None
    return WatchState(row[0], row[1], row[2], row[3], bool(row[4]), row[5], row[6], "unchanged")


def watch_history(db, profile_id: int, item_id: int | None = None) -> list[dict]:
    """Finished watches, oldest first (of one item, or of everything)."""
    sql = (
        "SELECT item_id, started_at, completed_at, position_s, duration_s FROM watch_history "
        "WHERE profile_id = ?"
    )
    params: list = [profile_id]
    if item_id is not None:
        sql += " AND item_id = ?"
        params.append(item_id)
    rows = db.execute(sql + " ORDER BY completed_at, id", params).fetchall()
    keys = ("item_id", "started_at", "completed_at", "position_s", "duration_s")
    return [dict(zip(keys, r)) for r in rows]


def in_progress(db, profile_id: int, limit: int = 50) -> list[dict]:
    """Items started and not finished, most recently watched first (with item titles)."""
    rows = db.execute(
        "SELECT w.item_id, i.kind, i.title, i.series_id, s.title, i.season, i.episode, w.position_s, "
        "coalesce(w.duration_s, i.duration), w.last_watched_at, w.times_completed "
        "FROM watch_progress w JOIN items i ON i.id = w.item_id LEFT JOIN series s ON s.id = i.series_id "
        f"WHERE w.profile_id = ? AND w.completed = 0 AND w.position_s > 0 AND {present('i')} "
        "ORDER BY w.last_watched_at DESC, w.item_id LIMIT ?",
        [profile_id, limit],
    ).fetchall()
    keys = (
        "item_id",
        "kind",
        "title",
        "series_id",
        "series",
        "season",
        "episode",
        "position_s",
        "duration_s",
        "last_watched_at",
        "times_completed",
    )
    return [dict(zip(keys, r)) for r in rows]


def _item_duration(db, item_id: int) -> float | None:
    item = get(db, item_id)
    if item is None:
        from tuneup.errors import NotFoundError

        raise NotFoundError(f"no item with id {item_id}")
    return item.duration
