"""`tuneup stats`: how much of what the library holds (kinds, formats, artists, albums, genres, tagging,
features, video)."""

from __future__ import annotations

from tuneup.bounds import finite
from tuneup.store.items import ON_DISK, count_items, where
from tuneup.store.tallies import by_count, genre_counts


def item_count(db) -> int:
    """How many items are on disk: what the wizard reports after its scan."""
    return count_items(db, ON_DISK)


def errors_since(db, since: str) -> int:
    """Files a scan could not read since ``since`` (ISO time): the count a running scan shows."""
    return db.execute("SELECT count(*) FROM scan_errors WHERE seen_at >= ?", [since]).fetchone()[0]


def library_stats(db) -> dict:
    one = lambda sql, *p: db.execute(sql, p).fetchone()[0]  # noqa: E731
    present = where(ON_DISK)  # statistics count the files on disk, undecodable ones included
    by_kind = dict(
        db.execute(f"SELECT kind, count(*) FROM items WHERE {present} GROUP BY kind ORDER BY kind")
    )
    by_format = dict(
        db.execute(
            f"SELECT coalesce(format, '?'), count(*) FROM items WHERE {present} GROUP BY 1 ORDER BY 2 DESC, 1"
        )
    )
    tracks = by_kind.get("track", 0)
    untagged = one(
        f"SELECT count(*) FROM items WHERE {present} AND kind = 'track' "
        "AND guessed IS NOT NULL AND guessed LIKE '%\"title\"%'"
    )
    partly = one(
        f"SELECT count(*) FROM items WHERE {present} AND kind = 'track' AND guessed IS NOT NULL"
    )
    genres = by_count(genre_counts(db, ON_DISK))
    return {
        "items": sum(by_kind.values()),
        "by_kind": by_kind,
        "by_format": by_format,
        "total_duration_s": round(
            finite(one(f"SELECT coalesce(sum(duration), 0) FROM items WHERE {present}")) or 0.0, 1
        ),
        "total_size_bytes": one(f"SELECT coalesce(sum(size), 0) FROM items WHERE {present}"),
        "artists": one(
            f"SELECT count(DISTINCT lower(artist)) FROM items WHERE {present} AND kind = 'track' "
            "AND artist IS NOT NULL"
        ),
        "albums": one(
            f"SELECT count(*) FROM (SELECT DISTINCT lower(coalesce(albumartist, artist, '')), "
            f"lower(album) FROM items WHERE {present} AND kind = 'track' AND album IS NOT NULL)"
        ),
        "genres": len(genres),
        "top_genres": [{"genre": g, "tracks": n} for g, n in genres[:10]],
        "untagged": untagged,
        "share_untagged": round(untagged / tracks, 4) if tracks else 0.0,
        "partly_guessed": partly,
        "missing": one("SELECT count(*) FROM items WHERE status = 'missing'"),
        "errors": one("SELECT count(*) FROM scan_errors"),
        "with_features": one(
            f"SELECT count(*) FROM features f JOIN items i ON i.id = f.item_id "
            f"WHERE {where(ON_DISK, 'i')} AND f.status = 'ok'"
        ),
        "video": _video_stats(db),
    }


def _video_stats(db) -> dict:
    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    present = where(ON_DISK)
    return {
        "movies": one(f"SELECT count(*) FROM items WHERE {present} AND kind = 'movie'"),
        "series": one(
            f"SELECT count(*) FROM series s WHERE EXISTS (SELECT 1 FROM items i WHERE i.series_id = s.id "
            f"AND {where(ON_DISK, 'i')})"
        ),
        "seasons": one(
            f"SELECT count(*) FROM (SELECT DISTINCT series_id, season FROM items WHERE {present} "
            "AND kind = 'episode' AND series_id IS NOT NULL)"
        ),
        "episodes": one(f"SELECT count(*) FROM items WHERE {present} AND kind = 'episode'"),
        "other_videos": one(f"SELECT count(*) FROM items WHERE {present} AND kind = 'video'"),
    }
