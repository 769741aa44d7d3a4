"""Listening statistics, straight from the listens, items and features tables: the TUI's Stats tab
draws :func:`load_stats`, `tuneup stats` prints :func:`listening_summary`."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from tuneup.store.items import artist_key
from tuneup.store.items import genres as decode_genres

ENERGY_KEYS = ("energy", "rms", "loudness", "rms_mean")
BRIGHTNESS_KEYS = (
    "brightness",
    "spectral_centroid_hz",
    "centroid_log2",
    "centroid",
    "spectral_centroid",
)


@dataclass
class Stats:
    days: list[str] = field(default_factory=list)
    plays_per_day: list[int] = field(default_factory=list)
    top_artists: list[tuple[str, int]] = field(default_factory=list)
    top_genres: list[tuple[str, int]] = field(default_factory=list)
    weeks: list[str] = field(default_factory=list)
    skip_rate: list[float] = field(default_factory=list)
    taste: list[tuple[float, float, bool]] = field(
        default_factory=list
    )  # (energy, brightness, played)
    taste_axes: tuple[str, str] = ("energy", "brightness")
    year: dict = field(default_factory=dict)


def _pick(data: dict, keys: tuple[str, ...]) -> tuple[str, float] | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return key, float(value)
    return None


def load_stats(
    db, profile_id: int, today: date | None = None, days: int = 60, weeks: int = 12
) -> Stats:
    today = today or datetime.now(timezone.utc).date()
    s = Stats()
    start = today - timedelta(days=days - 1)
    per_day = Counter()
    for day, n in db.execute(
        "SELECT substr(started_at, 1, 10), count(*) FROM listens WHERE profile_id = ? AND started_at >= ? "
        "AND skipped = 0 GROUP BY 1",
        [profile_id, start.isoformat()],
    ):
        per_day[day] = n
    s.days = [(start + timedelta(days=d)).isoformat() for d in range(days)]
    s.plays_per_day = [per_day.get(d, 0) for d in s.days]

    s.top_artists = top_artists(db, profile_id)
    s.top_genres = top_genres(db, profile_id)

    week_start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    by_week: dict[str, list[int]] = {}
    for day, skipped, n in db.execute(
        "SELECT substr(started_at, 1, 10), skipped, count(*) FROM listens WHERE profile_id = ? "
        "AND started_at >= ? GROUP BY 1, 2",
        [profile_id, week_start.isoformat()],
    ):
        d = date.fromisoformat(day)
        monday = (d - timedelta(days=d.weekday())).isoformat()
        total = by_week.setdefault(monday, [0, 0])
        total[0] += n
        total[1] += n if skipped else 0
    s.weeks = [(week_start + timedelta(weeks=w)).isoformat() for w in range(weeks)]
    s.skip_rate = [
        (by_week[w][1] / by_week[w][0]) if w in by_week and by_week[w][0] else 0.0 for w in s.weeks
    ]

    played = {
        r[0]
        for r in db.execute(
            "SELECT DISTINCT item_id FROM listens WHERE profile_id = ? AND item_id IS NOT NULL",
            [profile_id],
        )
    }
    axes = None
    for item_id, raw in db.execute(
        "SELECT item_id, data FROM features WHERE status = 'ok' LIMIT 20000"
    ):
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            continue
        x, y = _pick(data, ENERGY_KEYS), _pick(data, BRIGHTNESS_KEYS)
        if x and y:
            axes = axes or (x[0], y[0])
            s.taste.append((x[1], y[1], item_id in played))
    if axes:
        s.taste_axes = axes
    s.year = year_so_far(db, profile_id, today)
    return s


def listening_summary(db, profile_id: int, today: date | None = None, days: int = 60) -> dict:
    """What `tuneup stats` shows of a profile's listening: the year so far, plays in the last ``days``
    days, and the most played artists and genres (skips left out)."""
    today = today or datetime.now(timezone.utc).date()
    start = today - timedelta(days=days - 1)
    recent = db.execute(
        "SELECT count(*) FROM listens WHERE profile_id = ? AND started_at >= ? AND skipped = 0",
        [profile_id, start.isoformat()],
    ).fetchone()[0]
    return {
        "year": year_so_far(db, profile_id, today),
        "recent_days": days,
        "recent_plays": recent,
        "top_artists": [{"artist": a, "plays": n} for a, n in top_artists(db, profile_id)],
        "top_genres": [{"genre": g, "plays": n} for g, n in top_genres(db, profile_id)],
    }


def top_artists(db, profile_id: int, limit: int = 8) -> list[tuple[str, int]]:
    """The most played artists, one per artist_key ("The Beatles" = "Beatles, The"), each named by
    its most played spelling."""
    plays: dict[str, Counter] = {}
    for a, n in db.execute(
        "SELECT coalesce(i.artist, l.artist) AS a, count(*) FROM listens l LEFT JOIN items i ON i.id = l.item_id "
        "WHERE l.profile_id = ? AND l.skipped = 0 AND a IS NOT NULL AND a != '' GROUP BY a",
        [profile_id],
    ):
        if artist_key(a):
            plays.setdefault(artist_key(a), Counter())[a] += n
    named = [(min(c, key=lambda s: (-c[s], s)), sum(c.values())) for c in plays.values()]
    return sorted(named, key=lambda an: (-an[1], an[0]))[:limit]


def top_genres(db, profile_id: int, limit: int = 8) -> list[tuple[str, int]]:
    genres = Counter()
    for raw, n in db.execute(
        "SELECT i.genres, count(*) FROM listens l JOIN items i ON i.id = l.item_id "
        "WHERE l.profile_id = ? AND l.skipped = 0 GROUP BY i.genres",
        [profile_id],
    ):
        for g in decode_genres(raw):
            genres[g] += n
    return sorted(genres.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def year_so_far(db, profile_id: int, today: date) -> dict:
    first = date(today.year, 1, 1).isoformat()
    plays, ms, skips = db.execute(
        "SELECT count(*), coalesce(sum(ms_played), 0), coalesce(sum(skipped), 0) FROM listens "
        "WHERE profile_id = ? AND started_at >= ?",
        [profile_id, first],
    ).fetchone()
    artists = db.execute(
        "SELECT count(DISTINCT coalesce(i.artist, l.artist)) FROM listens l LEFT JOIN items i ON i.id = l.item_id "
        "WHERE l.profile_id = ? AND l.started_at >= ?",
        [profile_id, first],
    ).fetchone()[0]
    top = db.execute(
        "SELECT coalesce(i.title, l.title), coalesce(i.artist, l.artist), count(*) FROM listens l "
        "LEFT JOIN items i ON i.id = l.item_id WHERE l.profile_id = ? AND l.started_at >= ? AND l.skipped = 0 "
        "GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 1",
        [profile_id, first],
    ).fetchone()
    return {
        "year": today.year,
        "plays": plays,
        "hours": ms / 3_600_000,
        "skips": skips,
        "artists": artists,
        "top_title": top[0] if top else None,
        "top_artist": top[1] if top else None,
        "top_plays": top[2] if top else 0,
    }


def item_listening(db, item_id: int, profile_id: int) -> dict:
    """One item's history for a profile (the TUI's Details): plays, skips, the last play, feedback."""
    plays, skips, last = db.execute(
        "SELECT count(*), coalesce(sum(skipped), 0), max(started_at) FROM listens "
        "WHERE item_id = ? AND profile_id = ?",
        [item_id, profile_id],
    ).fetchone()
    feedback = [
        r[0]
        for r in db.execute(
            "SELECT kind FROM feedback WHERE item_id = ? AND profile_id = ?", [item_id, profile_id]
        )
    ]
    return {"plays": plays, "skips": skips, "last": last, "feedback": feedback}
