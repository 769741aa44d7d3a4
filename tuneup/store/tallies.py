"""The library's genres and artists with how many items carry each: what the wizard asks about, what
`tuneup onboard` matches picks against and what daily mixes fall back on.

Genres come through the one decoder (:func:`tuneup.store.items.genres`) and are grouped folded
(case, accents, punctuation aside); artists are grouped by the one identity
(:func:`tuneup.store.items.artist_key`), so "The Beatles" and "Beatles, The" are one entry. Each
entry keeps the library's first spelling (by item id) for display.
"""

from __future__ import annotations

from typing import Iterable

from tuneup.store.items import PRESENT, artist_key, genres, where
from tuneup.store.normalize import fold


def genre_counts(db, scope: str = PRESENT) -> dict[str, tuple[str, int]]:
    """Folded genre -> (library spelling, how many items carry it)."""
    counts: dict[str, list] = {}
    for (raw,) in db.execute(
        f"SELECT genres FROM items WHERE {where(scope)} AND genres IS NOT NULL ORDER BY id"
    ):
        for genre in genres(raw):
            key = fold(genre)
            if key:
                counts.setdefault(key, [genre, 0])[1] += 1
    return {k: (v[0], v[1]) for k, v in counts.items()}


def artist_counts(
    db, in_genres: Iterable[str] | None = None, scope: str = PRESENT
) -> dict[str, tuple[str, int]]:
    """:func:`artist_key` -> (library spelling, how many items); only items carrying one of
    ``in_genres`` (compared folded) when given."""
    wanted = {fold(g) for g in in_genres or ()} - {""}
    counts: dict[str, list] = {}
    for name, albumartist, raw in db.execute(
        f"SELECT artist, albumartist, genres FROM items WHERE {where(scope)} "
        "AND coalesce(artist, albumartist) IS NOT NULL ORDER BY id"
    ):
        key = artist_key(name, albumartist)
        if not key or (wanted and not wanted & {fold(g) for g in genres(raw)}):
            continue
        counts.setdefault(key, [name or albumartist, 0])[1] += 1
    return {k: (v[0], v[1]) for k, v in counts.items()}


def by_count(tally: dict[str, tuple[str, int]]) -> list[tuple[str, int]]:
    """(spelling, count) pairs, most first, then by name."""
    return sorted(tally.values(), key=lambda v: (-v[1], v[0]))
