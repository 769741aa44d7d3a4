"""The home screen's rows, in the order a person sees them. `tuneup rows` and the TUI both call
:func:`build_rows`; rows with nothing in them are left out."""

from __future__ import annotations

from datetime import datetime, timedelta

from tuneup.errors import NothingToMixError
from tuneup.mixes import episodes, history_rows
from tuneup.mixes.catalog import aware, banned_ids, iso, mix_items, profile_name
from tuneup.mixes.modelref import lazy_model, setting
from tuneup.mixes.select import from_recs
from tuneup.mixes.types import Mix, Pick
from tuneup.store.groups import in_series
from tuneup.store.items import artist_key, get, has_items, ids_by_artist

ROW_SIZE = history_rows.ROW_SIZE
LISTENED_ROWS = 2
WATCHED_ROWS = 2


class _Rows:
    """Everything one call of build_rows shares: the store, the profile, the clock, one lazily loaded model."""

    def __init__(self, db, model_dir, profile_id: int, now: datetime, config, model=None):
        self.db, self.model_dir, self.profile_id, self.now, self.config = (
            db,
            model_dir,
            profile_id,
            now,
            config,
        )
        # loaded only if a row needs it (weekly and daily read their stored copy)
        self.model = model if model is not None else lazy_model(db, model_dir)
        self.profile = profile_name(db, profile_id)
        self.generated = iso(now)

    def mix(self, kind: str, name: str, entries, description: str = "") -> Mix:
        return Mix(
            kind, name, mix_items(self.db, entries), self.profile, self.generated, None, description
        )


def build_rows(
    db, model_dir, profile_id: int, *, now: datetime | None = None, config=None, model=None
) -> list[Mix]:
    """Every home row for this profile. NothingToMixError when the library is empty."""
    if not has_items(db):
        raise NothingToMixError("the library is empty: run `tuneup scan DIR` first")
    r = _Rows(db, model_dir, profile_id, aware(now), config, model)
    rows: list[Mix] = [
        r.mix(
            "continue_watching", "Continue watching", history_rows.continue_watching(db, profile_id)
        )
    ]
    rows += _music_mixes(r)
    rows.append(
        r.mix(
            "on_repeat",
            "On repeat",
            history_rows.on_repeat(db, profile_id, r.now),
            "What you played most in the last 30 days",
        )
    )
    rows += because_listened(r)
    rows += because_watched(r)
    rows.append(time_of_day(r))
    rows.append(
        r.mix(
            "rediscover",
            "Rediscover",
            history_rows.rediscover(r.model, profile_id, r.now),
            "Loved long ago, not heard lately",
        )
    )
    rows.append(
        r.mix(
            "new",
            "New in your library",
            history_rows.new_in_library(db, r.model, profile_id, r.now),
            "Added in the last 30 days, not played yet",
        )
    )
    return [row for row in rows if row is not None and row.items]


def _music_mixes(r: _Rows) -> list[Mix]:
    from tuneup.mixes.daily import daily
    from tuneup.mixes.weekly import weekly

    try:
        out = [weekly(r.db, r.model_dir, r.profile_id, now=r.now, config=r.config, model=r.model)]
    except NothingToMixError:  # a video-only library, or every track banned
        return []
    return out + daily(r.db, r.model_dir, r.profile_id, now=r.now, config=r.config, model=r.model)


def because_listened(r: _Rows) -> list[Mix]:
    """For the artists played most in the last 14 days: close tracks by other artists."""
    played = r.db.execute(
        "SELECT coalesce(i.artist, i.albumartist) AS a, count(*) AS n FROM listens l JOIN items i ON i.id = l.item_id "
        "WHERE l.profile_id = ? AND l.started_at >= ? AND l.end_reason <> 'skipped' AND l.skipped = 0 "
        "AND i.kind = 'track' AND a IS NOT NULL GROUP BY a ORDER BY n DESC, a",
        [r.profile_id, iso(r.now - timedelta(days=14))],
    ).fetchall()
    # one artist per artist_key ("The Beatles" and "Beatles, The" are one row, named as played most)
    counts: dict[str, list] = {}
    for name, n in played:
        if artist_key(name):
            counts.setdefault(artist_key(name), [name, 0])[1] += n
    top = sorted(counts.items(), key=lambda kv: (-kv[1][1], kv[1][0]))[:LISTENED_ROWS]
    by_artist = ids_by_artist(r.db, [key for key, _ in top])
    out = []
    for key, (artist, _n) in top:
        everything_by = by_artist[key]
        own = _most_played(r.model, r.profile_id, everything_by, 10)
        recs = r.model.similar(
            own, k=ROW_SIZE, exclude=everything_by, kinds="track", profile_id=r.profile_id
        )
        out.append(
            r.mix(
                "because_listened",
                f"Because you listened to {artist}",
                from_recs(recs),
                f"Close to what you play by {artist}",
            )
        )
    return out


def _most_played(model, profile_id: int, ids: list[int], n: int) -> list[int]:
    """The ``n`` of ``ids`` this profile played most (the model's counts: no pass over the history)."""
    plays = model.state(profile_id).plays
    counted = [(int(plays[model.row(i)]), i) for i in ids if model.row(i) >= 0]
    return [i for c, i in sorted(counted, key=lambda x: (-x[0], x[1])) if c > 0][:n]


def because_watched(r: _Rows) -> list[Mix]:
    """For the latest movies and series watched to the end: similar ones, a series from its next episode."""
    watched = r.db.execute(
        "SELECT i.id, i.kind, i.series_id, coalesce(s.title, i.title), max(w.last_watched_at) AS last "
        "FROM watch_progress w JOIN items i ON i.id = w.item_id LEFT JOIN series s ON s.id = i.series_id "
        "WHERE w.profile_id = ? AND (w.completed = 1 OR w.times_completed > 0) AND i.kind IN ('movie', 'episode') "
        "GROUP BY coalesce('s' || i.series_id, 'i' || i.id) ORDER BY last DESC LIMIT ?",
        [r.profile_id, WATCHED_ROWS],
    ).fetchall()
    out = []
    banned = banned_ids(r.db, r.profile_id)
    for item_id, kind, series_id, title, _last in watched:
        seeds = _series_items(r.db, series_id) if series_id else [item_id]
        recs = r.model.similar(
            seeds,
            k=ROW_SIZE * 3,
            kinds=("movie", "episode"),
            profile_id=r.profile_id,
            exclude=seeds,
        )
        entries = _as_series(r, recs, skip_series={series_id}, banned=banned)
        out.append(
            r.mix(
                "because_watched",
                f"Because you watched {title}",
                entries[:ROW_SIZE],
                f"Movies and series like {title}",
            )
        )
    return out


def _series_items(db, series_id: int) -> list[int]:
    return in_series(db, series_id)


def _as_series(r: _Rows, recs, *, skip_series: set, banned: set) -> list[tuple[int, str, bool]]:
    """Movies as they are; an episode stands for its series, entered at this person's next episode."""
    out, seen = [], set(skip_series)
    for rec in recs:
        item = get(r.db, rec.item_id)
        sid = item.series_id if item else None
        if sid is None:
            if not _finished(r.db, r.profile_id, rec.item_id):
                out.append(Pick(rec.item_id, rec.reason, rec.exploration, rec.evidence))
            continue
        if sid in seen:
            continue
        seen.add(sid)
        entry = episodes.series_entry(r.db, r.profile_id, sid)
        if entry is None or entry["reason"] == "rewatch" or entry["id"] in banned:
            continue
        where = _episode_label(entry)
        start = "starts at" if entry["reason"] == "start" else "continue at"
        out.append(
            Pick(entry["id"], f"{rec.reason}; {start} {where}", rec.exploration, rec.evidence)
        )
    return out


def _episode_label(ep: dict) -> str:
    if ep.get("season") is not None and ep.get("episode") is not None:
        return f"S{ep['season']:02d}E{ep['episode']:02d}"
    return "the first episode"


def _finished(db, profile_id: int, item_id: int) -> bool:
    row = db.execute(
        "SELECT completed OR times_completed > 0 FROM watch_progress WHERE profile_id = ? "
        "AND item_id = ?",
        [profile_id, item_id],
    ).fetchone()
    return bool(row and row[0])


def time_of_day(r: _Rows) -> Mix | None:
    """What this person plays at this time of day, ranked by the model for the moment."""
    favourites = history_rows.daypart_favourites(r.db, r.profile_id, r.now)
    if not favourites:
        return None
    name, _hours = history_rows.daypart(r.now.astimezone())
    recs = r.model.recommend(
        r.profile_id,
        k=ROW_SIZE,
        candidates=[i for i, _n in favourites],
        kinds="track",
        context=r.now,
        adventurousness=0,
        artist_cap=setting(r.config, "mix.artist_cap"),
    )
    from tuneup.mixes.catalog import times
    from tuneup.mixes.truth import OFTEN_PLAYS, honest_recs

    plays = dict(favourites)
    entries = [
        Pick(
            rec.item_id,
            f"{_daypart_plays(plays.get(rec.item_id, 0), name.lower(), times, OFTEN_PLAYS)}: "
            f"{rec.reason}",
            False,
            rec.evidence,
        )
        for rec in honest_recs(r.db, r.profile_id, recs)
    ]
    return r.mix("time_of_day", f"{name} mix", entries, f"What you play in the {name.lower()}")


def _daypart_plays(n: int, part: str, times, often: int) -> str:
    """ "you often play this in the evening" only for what was played there ``often`` times."""
    if n >= often:
        return f"you often play this in the {part}"
    return f"you played this {times(n)} in the {part}"
