"""Queries over the video library: series → seasons → episodes in order (specials apart),
movie collections, a series' content, the next episode for a profile, counts for stats.

Story order is season, then episode (or the absolute number for anime-style files), then id.
Season 0 holds specials; they are listed apart and never offered as "next episode".
"""

from __future__ import annotations

import json

from tuneup.store.items import present

EPISODE_ORDER = "coalesce(i.season, 1), coalesce(i.episode, i.absolute_episode, 0), i.id"
_EPISODE_COLS = (
    "id",
    "season",
    "episode",
    "episode_end",
    "absolute_episode",
    "title",
    "episode_title",
    "duration",
    "path",
    "year",
)


def _loads(text, default):
    try:
        return json.loads(text) if text else default
    except ValueError:
        return default


def find_series(db, name: str) -> list[dict]:
    """Series whose title contains ``name`` (case-insensitive), exact matches first."""
    rows = db.execute(
        "SELECT id, title, year FROM series WHERE title LIKE ? ESCAPE '\\' ORDER BY lower(title) = lower(?) DESC, "
        "title, year",
        [f"%{like_escape(name)}%", name],
    ).fetchall()
    return [{"id": r[0], "title": r[1], "year": r[2]} for r in rows]


def like_escape(text: str) -> str:
    """``text`` for a LIKE pattern with ESCAPE '\\': its own % and _ match literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def episodes(db, series_id: int, *, specials: bool = True) -> list[dict]:
    """Present episodes of a series in story order (specials last when included)."""
    where = "" if specials else " AND coalesce(i.season, 1) > 0"
    rows = db.execute(
        f"SELECT {', '.join('i.' + c for c in _EPISODE_COLS)} FROM items i WHERE i.series_id = ? "
        f"AND {present('i')}{where} ORDER BY coalesce(i.season, 1) = 0, {EPISODE_ORDER}",
        [series_id],
    ).fetchall()
    return [dict(zip(_EPISODE_COLS, r)) for r in rows]


def series_tree(db, series_id: int) -> dict:
    """One series with its seasons (each with episodes in order) and its specials apart."""
    row = db.execute(
        "SELECT id, title, year, path, genres, plot, extra FROM series WHERE id = ?", [series_id]
    ).fetchone()
    if row is None:
        from tuneup.errors import NotFoundError

        raise NotFoundError(f"no series with id {series_id}")
    seasons: dict[int, list[dict]] = {}
    specials = []
    for ep in episodes(db, series_id):
        if ep["season"] == 0:
            specials.append(ep)
        else:
            seasons.setdefault(ep["season"] if ep["season"] is not None else 1, []).append(ep)
    return {
        "id": row[0],
        "title": row[1],
        "year": row[2],
        "path": row[3],
        "genres": _loads(row[4], []),
        "plot": row[5],
        "extra": _loads(row[6], {}),
        "seasons": [{"season": n, "episodes": eps} for n, eps in sorted(seasons.items())],
        "specials": specials,
    }


def list_series(db, name: str | None = None) -> list[dict]:
    """Every series with at least one present episode (or those matching ``name``), as trees."""
    if name:
        ids = [s["id"] for s in find_series(db, name)]
    else:
        ids = [r[0] for r in db.execute("SELECT id FROM series ORDER BY lower(title), year, id")]
    trees = [series_tree(db, sid) for sid in ids]
    return [t for t in trees if t["seasons"] or t["specials"]]


def movies(db) -> list[dict]:
    rows = db.execute(
        f"SELECT id, title, year, duration, path, genres, extra FROM items WHERE kind = 'movie' AND {present()} "
        "ORDER BY lower(title), year, id"
    ).fetchall()
    out = []
    for r in rows:
        extra = _loads(r[6], {})
        out.append(
            {
                "id": r[0],
                "title": r[1],
                "year": r[2],
                "duration": r[3],
                "path": r[4],
                "genres": _loads(r[5], []),
                "collection": extra.get("collection"),
            }
        )
    return out


def collections(db) -> list[dict]:
    """Movies grouped by the collection (Kodi "set") their NFO names, ordered by year."""
    groups: dict[str, list[dict]] = {}
    for movie in movies(db):
        if movie["collection"]:
            groups.setdefault(movie["collection"], []).append(movie)
    return [
        {"name": name, "movies": sorted(ms, key=lambda m: (m["year"] or 0, m["title"] or ""))}
        for name, ms in sorted(groups.items(), key=lambda kv: kv[0].casefold())
    ]


def other_videos(db) -> list[dict]:
    rows = db.execute(
        f"SELECT id, title, duration, path FROM items WHERE kind = 'video' AND {present()} "
        "ORDER BY lower(title), id"
    ).fetchall()
    return [{"id": r[0], "title": r[1], "duration": r[2], "path": r[3]} for r in rows]


def series_content(db, series_id: int) -> dict:
    """The union of the series NFO and its episodes: genres, tags, cast, crew, studios, plot text."""
    tree = series_tree(db, series_id)
    genres, tags, cast, crew, studios = list(tree["genres"]), [], [], [], []
    plots = [tree["plot"]] if tree["plot"] else []
    _add_extra(tree["extra"], tags, cast, crew, studios)
    rows = db.execute(
        f"SELECT genres, description, extra FROM items WHERE series_id = ? AND {present()}",
        [series_id],
    ).fetchall()
    for genres_json, description, extra_json in rows:
        _union(genres, _loads(genres_json, []))
        if description:
            plots.append(description)
        _add_extra(_loads(extra_json, {}), tags, cast, crew, studios)
    return {
        "series_id": series_id,
        "title": tree["title"],
        "genres": genres,
        "tags": tags,
        "cast": cast,
        "crew": crew,
        "studios": studios,
        "text": "\n".join(plots),
    }


def _union(target: list, values) -> None:
    for value in values or []:
        if value not in target:
            target.append(value)


def _add_extra(extra: dict, tags: list, cast: list, crew: list, studios: list) -> None:
    _union(tags, extra.get("tags"))
    _union(
        cast,
        [a.get("name") for a in extra.get("actors", []) if isinstance(a, dict) and a.get("name")],
    )
    _union(crew, (extra.get("directors") or []) + (extra.get("writers") or []))
    _union(studios, extra.get("studios"))


def next_episode(db, profile_id: int, series_id: int) -> dict | None:
    """The episode to play next, rewatch aware, with why: 'resume' (the latest watched episode is
    unfinished), 'next' (the one after the latest finished), 'start' (nothing watched yet),
    'rewatch' (the whole series is finished: from the top again). Specials are left out."""
    eps = episodes(db, series_id, specials=False)
    if not eps:
        return None
    ids = [e["id"] for e in eps]
    row = db.execute(
        f"SELECT w.item_id, w.completed FROM watch_progress w JOIN items i ON i.id = w.item_id "
        f"WHERE w.profile_id = ? AND i.series_id = ? AND coalesce(i.season, 1) > 0 AND {present('i')} "
        f"ORDER BY w.last_watched_at DESC, {EPISODE_ORDER} DESC LIMIT 1",
        [profile_id, series_id],
    ).fetchone()
    if row is None:
        return {**eps[0], "reason": "start"}
    position = ids.index(row[0])
    if not row[1]:
        return {**eps[position], "reason": "resume"}
    if position + 1 < len(eps):
        return {**eps[position + 1], "reason": "next"}
    return {**eps[0], "reason": "rewatch"}


def counts(db) -> dict:
    """Numbers for `tuneup stats`: movies, series, seasons, episodes (specials among them), other videos."""
    row = db.execute(
        "SELECT sum(kind = 'movie'), sum(kind = 'episode'), sum(kind = 'video'), "
        "sum(kind = 'episode' AND season = 0), count(DISTINCT CASE WHEN kind = 'episode' THEN series_id END), "
        "count(DISTINCT CASE WHEN kind = 'episode' AND coalesce(season, 1) > 0 "
        "THEN series_id || ':' || coalesce(season, 1) END) "
        f"FROM items WHERE {present()} AND kind != 'track'"
    ).fetchone()
    return {
        "movies": row[0] or 0,
        "episodes": row[1] or 0,
        "videos": row[2] or 0,
        "specials": row[3] or 0,
        "series": row[4] or 0,
        "seasons": row[5] or 0,
    }
