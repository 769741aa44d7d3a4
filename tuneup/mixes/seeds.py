"""Turning what a person types as a radio seed into items: an item (id, path or "Artist - Title",
through the one resolver, present items only: a seed must play), else an artist, an album or a
genre (tried in that order)."""

from __future__ import annotations

from dataclasses import dataclass

from tuneup.errors import ItemNotFound, NotFoundError
from tuneup.store.groups import by_album, by_artist, by_genre
from tuneup.store.items import PRESENT
from tuneup.store.resolve import find, suggest, suggest_artists, why_not

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
    for kind, finder in (("artist", by_artist), ("album", by_album), ("genre", by_genre)):
        found = finder(db, text)
        if found:
            label, ids = found
            return Seed(text, kind, label, ids[:MAX_SEED_ITEMS])
    reason = why_not(db, text, PRESENT)
    if reason.startswith("no item matches"):
        reason = "no item, artist, album or genre by that name in the library"
    close = suggest(db, text, PRESENT) + suggest_artists(db, text, PRESENT)
    raise ItemNotFound(f"radio seed {text!r}: {reason}", list(dict.fromkeys(close))[:3])


def resolve_all(db, texts: list[str]) -> list[Seed]:
    if not texts:
        raise NotFoundError(
            "radio needs at least one seed: a track, an artist, an album or a genre"
        )
    return [resolve(db, t) for t in texts]
