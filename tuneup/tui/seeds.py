"""The wizard's answers: genres and artists in the library, and writing the taste seeds.

tuneup.mixes.onboard.onboard does the seeding when it exists (the CLI's `tuneup onboard` uses it);
until then :func:`write_seeds` writes the same taste_seeds rows.
"""

from __future__ import annotations

from tuneup.store import utcnow, write


def library_genres(db) -> list[tuple[str, int]]:
    return [(g, n) for g, n in db.execute(
        "SELECT j.value, count(*) FROM items i, json_each(i.genres) j WHERE i.status = 'present' "
        "AND json_valid(i.genres) AND j.value != '' GROUP BY j.value ORDER BY 2 DESC, 1")]


def library_artists(db, genres: list[str] | None = None) -> list[tuple[str, int]]:
    if genres:
        marks = ",".join("?" * len(genres))
        sql = ("SELECT i.artist, count(DISTINCT i.id) FROM items i, json_each(i.genres) j "
               "WHERE i.status = 'present' AND json_valid(i.genres) AND i.artist IS NOT NULL AND i.artist != '' "
               f"AND j.value IN ({marks}) GROUP BY i.artist ORDER BY 2 DESC, 1")
        return [(a, n) for a, n in db.execute(sql, list(genres))]
    return [(a, n) for a, n in db.execute(
        "SELECT artist, count(*) FROM items WHERE status = 'present' AND artist IS NOT NULL AND artist != '' "
        "GROUP BY artist ORDER BY 2 DESC, 1")]


def write_seeds(db, profile_id: int, genres: list[str], artists: list[str]) -> None:
    """Replace the profile's taste seeds with these genres and artists, in one transaction."""
    now = utcnow()
    with write(db):
        db.execute("DELETE FROM taste_seeds WHERE profile_id = ?", [profile_id])
        db.conn.executemany(
            "INSERT OR IGNORE INTO taste_seeds (profile_id, kind, value, created_at) VALUES (?, ?, ?, ?)",
            [(profile_id, "genre", g, now) for g in genres] + [(profile_id, "artist", a, now) for a in artists])


def save_seeds(db, profile_id: int, genres: list[str], artists: list[str]) -> None:
    try:
        from tuneup.mixes.onboard import onboard
    except ImportError:
        write_seeds(db, profile_id, genres, artists)
        return
    onboard(db, profile_id, genres, artists)
