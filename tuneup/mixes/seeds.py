"""Turning what a person types as a radio seed into items: an item id, a path, "Artist - Title", an
artist, an album or a genre (tried in that order)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from tuneup.errors import NotFoundError
from tuneup.store.normalize import norm_artist

MAX_SEED_ITEMS = 200


@dataclass
class Seed:
    text: str
    kind: str  # item, artist, album, genre
    label: str  # how the seed is named back to the person
    item_ids: list[int]


def resolve(db, text: str) -> Seed:
    text = text.strip()
    for finder in (_by_id, _by_path, _by_artist_title, _by_artist, _by_album, _by_genre):
        seed = finder(db, text)
        if seed and seed.item_ids:
            seed.item_ids = seed.item_ids[:MAX_SEED_ITEMS]
            return seed
    raise NotFoundError(
        f"radio seed {text!r}: no item, artist, album or genre by that name in the library"
    )


def resolve_all(db, texts: list[str]) -> list[Seed]:
    if not texts:
        raise NotFoundError(
            "radio needs at least one seed: a track, an artist, an album or a genre"
        )
    return [resolve(db, t) for t in texts]


def _item_label(db, item_id: int) -> str:
    title, artist, path = db.execute(
        "SELECT title, artist, path FROM items WHERE id = ?", [item_id]
    ).fetchone()
    title = title or os.path.basename(path)
    return f"{artist} - {title}" if artist else title


def _by_id(db, text):
    if text.isdigit():
        row = db.execute(
            "SELECT id FROM items WHERE id = ? AND status = 'present'", [int(text)]
        ).fetchone()
        if row:
            return Seed(text, "item", _item_label(db, row[0]), [row[0]])
    return None


def _by_path(db, text):
    if os.sep not in text:
        return None
    raw = os.fsencode(os.path.abspath(os.path.expanduser(text)))
    row = db.execute(
        "SELECT id FROM items WHERE path_raw = ? AND status = 'present'", [raw]
    ).fetchone()
    return Seed(text, "item", _item_label(db, row[0]), [row[0]]) if row else None


def _by_artist_title(db, text):
    artist, sep, title = text.partition(" - ")
    if not sep:
        return None
    rows = db.execute(
        "SELECT id, artist, title FROM items WHERE status = 'present' AND artist = ? COLLATE NOCASE "
        "AND title = ? COLLATE NOCASE ORDER BY id",
        [artist.strip(), title.strip()],
    ).fetchall()
    return Seed(text, "item", f"{rows[0][1]} - {rows[0][2]}", [rows[0][0]]) if rows else None


def _by_artist(db, text):
    rows = db.execute(
        "SELECT id, coalesce(artist, albumartist) FROM items WHERE status = 'present' AND kind = 'track' "
        "AND (artist = ? COLLATE NOCASE OR albumartist = ? COLLATE NOCASE) ORDER BY id",
        [text, text],
    ).fetchall()
    if not rows:
        wanted = norm_artist(text)
        rows = [
            r
            for r in db.execute(
                "SELECT id, coalesce(artist, albumartist) AS a FROM items "
                "WHERE status = 'present' AND kind = 'track' AND a IS NOT NULL ORDER BY id"
            )
            if norm_artist(r[1]) == wanted
        ]
    return Seed(text, "artist", rows[0][1], [r[0] for r in rows]) if rows else None


def _by_album(db, text):
    rows = db.execute(
        "SELECT id, album FROM items WHERE status = 'present' AND album = ? COLLATE NOCASE "
        "ORDER BY discnumber, tracknumber, id",
        [text],
    ).fetchall()
    return Seed(text, "album", rows[0][1], [r[0] for r in rows]) if rows else None


def _by_genre(db, text):
    rows = db.execute(
        "SELECT i.id, g.value FROM items i, json_each(i.genres) g WHERE i.status = 'present' "
        "AND json_valid(i.genres) AND g.value = ? COLLATE NOCASE ORDER BY i.id",
        [text],
    ).fetchall()
    return Seed(text, "genre", rows[0][1], [r[0] for r in rows]) if rows else None
