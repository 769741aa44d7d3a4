"""Items that share an artist, an album or a genre, found from what a person typed (radio seeds).

Each finder returns ``(label, ids)``: the library's own spelling of what matched and the item
ids in play order, or None. Only items in ``scope`` (present ones by default: a seed must play).
"""

from __future__ import annotations

from tuneup.store.items import PRESENT, artist_key, genres, where
from tuneup.store.normalize import norm_artist

Group = tuple[str, list[int]]


def in_series(db, series_id: int, scope: str = PRESENT) -> list[int]:
    """The ids of a series' items, by id."""
    return [
        i
        for (i,) in db.execute(
            # "+": not the status index (the series index is the one to use)
            f"SELECT id FROM items WHERE series_id = ? AND +{where(scope)} ORDER BY id",
            [series_id],
        )
    ]


def by_artist(db, text: str, scope: str = PRESENT) -> Group | None:
    """Tracks by ``text`` as artist or album artist (ignoring case), else by the same artist_key
    ("Beatles, The" for "The Beatles")."""
    rows = db.execute(
        f"SELECT id, coalesce(artist, albumartist) FROM items WHERE {where(scope)} "
        "AND kind = 'track' AND (artist = ? COLLATE NOCASE OR albumartist = ? COLLATE NOCASE) "
        "ORDER BY id",
        [text, text],
    ).fetchall()
    if not rows:
        wanted = artist_key(text)
        rows = [
            (iid, artist or albumartist)
            for iid, artist, albumartist in db.execute(
                f"SELECT id, artist, albumartist FROM items WHERE {where(scope)} "
                "AND kind = 'track' AND coalesce(artist, albumartist) IS NOT NULL ORDER BY id"
            )
            if wanted and wanted in (artist_key(artist, albumartist), norm_artist(albumartist))
        ]
    return (rows[0][1], [r[0] for r in rows]) if rows else None


def by_album(db, text: str, scope: str = PRESENT) -> Group | None:
    """The items of album ``text`` (ignoring case), in disc and track order."""
    rows = db.execute(
        f"SELECT id, album FROM items WHERE {where(scope)} AND album = ? COLLATE NOCASE "
        "ORDER BY discnumber, tracknumber, id",
        [text],
    ).fetchall()
    return (rows[0][1], [r[0] for r in rows]) if rows else None


def by_genre(db, text: str, scope: str = PRESENT, kind: str | None = None) -> Group | None:
    """The items (of ``kind``, when given) carrying genre ``text`` (ignoring case; genres as the
    one decoder reads them)."""
    wanted = text.casefold()
    label, ids = None, []
    sql = f"SELECT id, genres FROM items WHERE {where(scope)} AND genres IS NOT NULL"
    for iid, raw in db.execute(
        sql + (" AND kind = ?" if kind else "") + " ORDER BY id", [kind] if kind else []
    ):
        match = next((g for g in genres(raw) if g.casefold() == wanted), None)
        if match is not None:
            label = label or match
            ids.append(iid)
    return (label, ids) if ids else None
