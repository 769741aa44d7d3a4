"""Series and watch progress for rows: what is in progress, which episode comes next, where a series
starts for someone who has not finished it.

Rewatch aware: the next episode follows the most recently watched one in series order, not the
"completed" flags, so someone who finished a series and started again from episode 1 is offered
episode 2, even though it was completed the first time round. Specials (season 0) are left out of
"next episode": they sit apart from the story order.
"""

from __future__ import annotations

from dataclasses import dataclass

EPISODE_ORDER = "coalesce(season, 1), coalesce(episode, absolute_episode, 0), id"


@dataclass
class Progress:
    item_id: int
    series_id: int | None
    position_s: float
    duration_s: float | None
    last_watched_at: str
    completed: bool
    times_completed: int


def progress(db, profile_id: int) -> list[Progress]:
    """This profile's watch progress on present items, most recently watched first."""
    rows = db.execute(
        "SELECT w.item_id, i.series_id, w.position_s, coalesce(w.duration_s, i.duration), w.last_watched_at, "
        "w.completed, w.times_completed FROM watch_progress w JOIN items i ON i.id = w.item_id "
        "WHERE w.profile_id = ? AND i.status = 'present' ORDER BY w.last_watched_at DESC, w.item_id",
        [profile_id])
    return [Progress(r[0], r[1], r[2] or 0.0, r[3], r[4], bool(r[5]), r[6] or 0) for r in rows]


def series_episodes(db, series_id: int) -> list[int]:
    """The series' present episodes in story order, specials (season 0) left out."""
    rows = db.execute(f"SELECT id FROM items WHERE series_id = ? AND status = 'present' "
                      f"AND coalesce(season, 1) > 0 ORDER BY {EPISODE_ORDER}", [series_id])
    return [r[0] for r in rows]


def in_progress(db, profile_id: int) -> list[Progress]:
    """Items started and not finished (the latest watch of each, newest first)."""
    return [p for p in progress(db, profile_id) if not p.completed and p.position_s > 0]


def next_episodes(db, profile_id: int) -> list[tuple[int, int, Progress]]:
    """(series_id, next episode id, latest watch) for each series in progress, newest activity first.

    A series whose latest-watched episode is itself unfinished is left to :func:`in_progress`.
    """
    latest: dict[int, Progress] = {}
    for p in progress(db, profile_id):
        if p.series_id is not None and p.series_id not in latest:
            latest[p.series_id] = p
    out = []
    for series_id, last in latest.items():
        if not last.completed:
            continue
        episodes = series_episodes(db, series_id)
        if last.item_id not in episodes:
            continue
        position = episodes.index(last.item_id)
        if position + 1 < len(episodes):
            out.append((series_id, episodes[position + 1], last))
    return out


def first_unwatched(db, profile_id: int, series_id: int) -> int | None:
    """Where the series starts for this person: the first episode never completed, else episode 1."""
    episodes = series_episodes(db, series_id)
    if not episodes:
        return None
    done = {r[0] for r in db.execute(
        "SELECT w.item_id FROM watch_progress w JOIN items i ON i.id = w.item_id WHERE w.profile_id = ? "
        "AND i.series_id = ? AND (w.completed = 1 OR w.times_completed > 0)", [profile_id, series_id])}
    for item_id in episodes:
        if item_id not in done:
            return item_id
    return episodes[0]
