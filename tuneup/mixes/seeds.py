"""Turning what a person types as a radio seed into items: an item (id, path or "Artist - Title",
through the one resolver, present items only: a seed must play), else an artist, an album or a
genre (tried in that order)."""

from __future__ import annotations

from dataclasses import dataclass

from tuneup.errors import ItemNotFound, NotFoundError
from tuneup.store.items import PRESENT, artist_key, genres, present
from tuneup.store.normalize import norm_artist
from tuneup.store.resolve import find, suggest, why_not

MAX_SEED_ITEMS = 200


@dataclass
class Seed:
    text: str
    kind: str  # item, artist, album, genre
    label: str  # how the seed is named back to the person
    item_ids: list[int]


def resolve(db, text: str) -> Seed:
    text = text.strip()
    item = find(db, text, PRESENT)
    if item is not None:
        return Seed(text, "item", item.label, [item.id])
    for finder in (_by_artist, _by_album, _by_genre):
        seed = finder(db, text)
        if seed and seed.item_ids:
            seed.item_ids = seed.item_ids[:MAX_SEED_ITEMS]
            return seed
    reason = why_not(db, text, PRESENT)
    if reason.startswith("no item matches"):
        reason = "no item, artist, album or genre by that name in the library"
    raise ItemNotFound(f"radio seed {text!r}: {reason}", suggest(db, text, PRESENT))


def resolve_all(db, texts: list[str]) -> list[Seed]:
    if not texts:
        raise NotFoundError(
            "radio needs at least one seed: a track, an artist, an album or a genre"
        )
    return [resolve(db, t) for t in texts]


def _by_artist(db, text):
    rows = db.execute(
        f"SELECT id, coalesce(artist, albumartist) FROM items WHERE {present()} AND kind = 'track' "
        "AND (artist = ? COLLATE NOCASE OR albumartist = ? COLLATE NOCASE) ORDER BY id",
        [text, text],
    ).fetchall()
    if not rows:  # the same artist by the one identity: "Beatles, The" for "The Beatles"
        wanted = artist_key(text)
        rows = [
            (iid, artist or albumartist)
            for iid, artist, albumartist in db.execute(
                f"SELECT id, artist, albumartist FROM items WHERE {present()} AND kind = 'track' "
                "AND coalesce(artist, albumartist) IS NOT NULL ORDER BY id"
            )
            if wanted and wanted in (artist_key(artist, albumartist), norm_artist(albumartist))
        ]
    return Seed(text, "artist", rows[0][1], [r[0] for r in rows]) if rows else None


def _by_album(db, text):
    rows = db.execute(
        f"SELECT id, album FROM items WHERE {present()} AND album = ? COLLATE NOCASE "
        "ORDER BY discnumber, tracknumber, id",
        [text],
    ).fetchall()
    return Seed(text, "album", rows[0][1], [r[0] for r in rows]) if rows else None


def _by_genre(db, text):
    wanted = text.casefold()
    rows = []
    for iid, raw in db.execute(
        f"SELECT id, genres FROM items WHERE {present()} AND genres IS NOT NULL ORDER BY id"
    ):
        match = next((g for g in genres(raw) if g.casefold() == wanted), None)
        if match is not None:
            rows.append((iid, match))
    return Seed(text, "genre", rows[0][1], [r[0] for r in rows]) if rows else None
