"""Rows that are plain queries over the history: On repeat, Rediscover (from the model's play counts),
New in your library, Continue watching, and the time-of-day picks the model then ranks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tuneup.mixes import episodes
from tuneup.mixes.catalog import banned_ids, iso, times
from tuneup.store.items import present

ROW_SIZE = 20
NOT_SKIPPED = "end_reason = 'finished' OR (skipped = 0 AND end_reason <> 'skipped')"


def on_repeat(
    db, profile_id: int, now: datetime, size: int = ROW_SIZE
) -> list[tuple[int, str, bool]]:
    """Most played (not skipped) in the last 30 days."""
    rows = db.execute(
        f"SELECT l.item_id, count(*) AS n FROM listens l JOIN items i ON i.id = l.item_id "
        f"WHERE l.profile_id = ? AND l.started_at >= ? AND ({NOT_SKIPPED}) AND {present('i')} "
        f"GROUP BY l.item_id ORDER BY n DESC, max(l.started_at) DESC LIMIT ?",
        [profile_id, iso(now - timedelta(days=30)), size * 2],
    )
    banned = banned_ids(db, profile_id)
    return [
        (iid, f"you played it {times(n)} in the last 30 days", False)
        for iid, n in rows
        if iid not in banned
    ][:size]


def rediscover(
    model, profile_id: int, now: datetime, size: int = ROW_SIZE
) -> list[tuple[int, str, bool]]:
    """Loved long ago (finished three times or more, or liked) and not heard for 90 days.

    Read from the model's per-profile counts, which already hold every play: a pass over the whole
    history in SQL costs seconds at a million listens."""
    import numpy as np

    st = model.state(profile_id)
    cutoff = now.timestamp() - 90 * 86400
    long_ago = st.last_played < cutoff
    wanted = ((st.finishes >= 3) | st.liked) & long_ago & ~st.banned & ~st.disliked
    rows = np.flatnonzero(wanted)
    score = st.finishes[rows] + 5.0 * st.liked[rows]
    out = []
    for r in rows[np.lexsort((model.item_ids[rows], -score))][:size]:
        n, iid = int(st.finishes[r]), int(model.item_ids[r])
        if n:
            last = datetime.fromtimestamp(st.last_played[r], timezone.utc).date().isoformat()
            out.append((iid, f"you played it {times(n)}, last on {last}", False))
        else:
            out.append((iid, "you liked it, and have not played it for 90 days", False))
    return out


def new_in_library(
    db, model, profile_id: int, now: datetime, size: int = ROW_SIZE, per_album: int = 2
) -> list[tuple[int, str, bool]]:
    """Added in the last 30 days and never played (the model's counts say which were); at most ``per_album``
    from one album or series."""
    rows = db.execute(
        f"SELECT id, added_at, coalesce(album, ''), series_id FROM items WHERE {present()} AND added_at >= ? "
        "ORDER BY added_at DESC, id LIMIT ?",
        [iso(now - timedelta(days=30)), size * 250],
    ).fetchall()
    plays = model.state(profile_id).plays
    watched = {
        r[0]
        for r in db.execute("SELECT item_id FROM watch_progress WHERE profile_id = ?", [profile_id])
    }
    rows = [
        r
        for r in rows
        if r[0] not in watched and model.row(r[0]) >= 0 and plays[model.row(r[0])] == 0
    ]
    banned = banned_ids(db, profile_id)
    seen: dict[tuple, int] = {}
    out = []
    for iid, added, album, series_id in rows:
        group = ("s", series_id) if series_id else ("a", album.casefold()) if album else ("i", iid)
        if iid in banned or seen.get(group, 0) >= per_album:
            continue
        seen[group] = seen.get(group, 0) + 1
        days = max(0, (now.date() - datetime.fromisoformat(added).date()).days)
        when = "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"
        out.append((iid, f"new in your library: added {when}", False))
        if len(out) >= size:
            break
    return out


def continue_watching(db, profile_id: int, size: int = ROW_SIZE) -> list[tuple[int, str, bool]]:
    """In-progress items first, then the next episode of each series in progress (rewatch aware)."""
    out: list[tuple[int, str, bool]] = []
    started_series = set()
    for p in episodes.in_progress(db, profile_id):
        minutes = int(p["position_s"] // 60)
        left = (
            f", {int((p['duration_s'] - p['position_s']) // 60)} min left"
            if p["duration_s"]
            else ""
        )
        out.append((p["item_id"], f"you stopped at {minutes} min{left}", False))
        if p["series_id"] is not None:
            started_series.add(p["series_id"])
    for series_id, title, ep in episodes.next_episodes(db, profile_id):
        if series_id in started_series:
            continue
        again = " (rewatching)" if episodes.rewatching(db, profile_id, series_id) else ""
        out.append((ep["id"], f"next episode of {title}{again}", False))
    banned = banned_ids(db, profile_id)
    return [e for e in out if e[0] not in banned][:size]


DAYPARTS = [
    ("Morning", range(5, 12)),
    ("Afternoon", range(12, 17)),
    ("Evening", range(17, 22)),
    ("Late night", (22, 23, 0, 1, 2, 3, 4)),
]


def daypart(local: datetime) -> tuple[str, tuple[int, ...]]:
    for name, hours in DAYPARTS:
        if local.hour in hours:
            return name, tuple(hours)
    raise AssertionError(local.hour)  # every hour is in one part


def daypart_favourites(
    db, profile_id: int, now: datetime, limit: int = 200
) -> list[tuple[int, int]]:
    """(item_id, plays) this profile played at this time of day (local time) in the last 180 days."""
    _name, hours = daypart(now.astimezone())
    marks = ",".join("?" * len(hours))
    rows = db.execute(
        f"SELECT item_id, count(*) AS n FROM listens WHERE profile_id = ? AND item_id IS NOT NULL "
        f"AND started_at >= ? AND ({NOT_SKIPPED}) "
        f"AND CAST(strftime('%H', started_at, 'localtime') AS INTEGER) IN ({marks}) "
        f"GROUP BY item_id ORDER BY n DESC LIMIT ?",
        [profile_id, iso(now - timedelta(days=180)), *hours, limit],
    )
    return rows.fetchall()
