"""The wizard's questions: the library's genres with counts, and its artists filtered by genre."""

from __future__ import annotations


def library_genres(db) -> list[tuple[str, int]]:
    return [
        (g, n)
        for g, n in db.execute(
            "SELECT j.value, count(*) FROM items i, json_each(i.genres) j WHERE i.status = 'present' "
            "AND json_valid(i.genres) AND j.value != '' GROUP BY j.value ORDER BY 2 DESC, 1"
        )
    ]


def library_artists(db, genres: list[str] | None = None) -> list[tuple[str, int]]:
    if genres:
        marks = ",".join("?" * len(genres))
        sql = (
            "SELECT i.artist, count(DISTINCT i.id) FROM items i, json_each(i.genres) j "
            "WHERE i.status = 'present' AND json_valid(i.genres) AND i.artist IS NOT NULL AND i.artist != '' "
            f"AND j.value IN ({marks}) GROUP BY i.artist ORDER BY 2 DESC, 1"
        )
        return [(a, n) for a, n in db.execute(sql, list(genres))]
    return [
        (a, n)
        for a, n in db.execute(
            "SELECT artist, count(*) FROM items WHERE status = 'present' AND artist IS NOT NULL AND artist != '' "
            "GROUP BY artist ORDER BY 2 DESC, 1"
        )
    ]


def save_seeds(db, profile_id: int, genres: list[str], artists: list[str]) -> None:
    """The wizard's picks become taste seeds through the same code as `tuneup onboard`."""
    from tuneup.mixes.onboard import onboard

    onboard(db, profile_id, genres, artists)
