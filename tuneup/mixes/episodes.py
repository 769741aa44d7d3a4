"""Series and watch progress for rows, over the video library's own queries
(:mod:`tuneup.history.watch`, :mod:`tuneup.library.video.series`).

Rewatch aware because ``series.next_episode`` follows the most recently watched episode, not the
"completed" flags: someone who finished a series and started again from episode 1 is offered episode 2.
"""

from __future__ import annotations

from tuneup.store.items import present


def in_progress(db, profile_id: int) -> list[dict]:
    """Items started and not finished, newest first."""
    from tuneup.history.watch import in_progress as started

    return started(db, profile_id)


def series_by_activity(db, profile_id: int) -> list[tuple[int, str, str]]:
    """(series id, title, last watched at) of every series this profile has watched, newest first."""
    rows = db.execute(
        "SELECT i.series_id, s.title, max(w.last_watched_at) AS last FROM watch_progress w "
        "JOIN items i ON i.id = w.item_id JOIN series s ON s.id = i.series_id WHERE w.profile_id = ? "
        f"AND {present('i')} GROUP BY i.series_id ORDER BY last DESC, i.series_id",
        [profile_id],
    )
    return rows.fetchall()


def next_episodes(db, profile_id: int) -> list[tuple[int, str, dict]]:
    """(series id, series title, next episode) for each series in progress: the latest watched episode is
    finished and another follows it. Resuming is :func:`in_progress`'s job; a finished series is not
    "in progress"."""
    from tuneup.library.video.series import next_episode

    out = []
    for series_id, title, _last in series_by_activity(db, profile_id):
        ep = next_episode(db, profile_id, series_id)
        if ep and ep["reason"] == "next":
            out.append((series_id, title, ep))
    return out


def series_entry(db, profile_id: int, series_id: int) -> dict | None:
    """Where a recommended series starts for this person: the next episode (the first one when nothing was
    watched, episode 1 again when all of it was)."""
    from tuneup.library.video.series import next_episode

    return next_episode(db, profile_id, series_id)


def rewatching(db, profile_id: int, series_id: int) -> bool:
    """Whether this profile finished an episode of the series more than once (a rewatch is under way)."""
    row = db.execute(
        "SELECT max(w.times_completed) FROM watch_progress w JOIN items i ON i.id = w.item_id "
        "WHERE w.profile_id = ? AND i.series_id = ?",
        [profile_id, series_id],
    ).fetchone()
    return bool(row and row[0] and row[0] > 1)
