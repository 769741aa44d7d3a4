"""Nearest tracks by sound alone: Euclidean distance between normalised feature vectors."""

from __future__ import annotations

import json

from tuneup.errors import NotFoundError
from tuneup.store.items import select_in


def nearest(db, item_id: int, k: int = 10, *, everything: bool = False, config=None) -> list[dict]:
    """The ``k`` analysed tracks whose sound is closest to ``item_id``'s, nearest first. Other copies
    of the same recording and tracks too short to be music are left out unless ``everything``."""
    import numpy as np

    from tuneup.library.sound.analyze import load_feature_matrix

    ids, matrix, _names = load_feature_matrix(db)
    if not everything:
        skip = _not_music(db, item_id, config)
        keep = np.array([i == item_id or int(i) not in skip for i in ids.tolist()], bool)
        ids, matrix = ids[keep], matrix[keep]
    where = np.flatnonzero(ids == item_id)
    if len(where) == 0:
        row = db.execute(
            "SELECT status, reason FROM features WHERE item_id = ?", [item_id]
        ).fetchone()
        why = (
            f"it has no signal features ({row[1]})"
            if row and row[0] == "no_signal"
            else "it has not been analysed yet (run `tuneup analyze`)"
        )
        raise NotFoundError(f"item {item_id}: {why}")
    distances = np.sqrt(((matrix - matrix[where[0]]) ** 2).sum(axis=1))
    distances[where[0]] = np.inf
    order = np.argsort(distances, kind="stable")[: max(int(k), 0)]
    order = [i for i in order if np.isfinite(distances[i])]
    details = _details(db, [int(ids[i]) for i in order])
    return [
        {
            "item_id": int(ids[i]),
            "distance": round(float(distances[i]), 4),
            **details.get(int(ids[i]), {}),
        }
        for i in order
    ]


def _not_music(db, item_id: int, config) -> set[int]:
    from tuneup.library.not_music import duplicate_groups, not_music_ids

    skip = not_music_ids(db, config)
    for _best, members in duplicate_groups(db):
        if item_id in members:
            skip |= members  # the seed's own copies are not "similar" tracks
    return skip


def _details(db, ids: list[int]) -> dict[int, dict]:
    rows = select_in(
        db,
        "SELECT i.id, i.artist, i.title, i.path, f.data FROM items i JOIN features f "
        "ON f.item_id = i.id WHERE i.id IN ({ids})",
        ids,
    )
    out = {}
    for item_id, artist, title, path, data in rows:
        d = json.loads(data) if data else {}
        out[item_id] = {
            "artist": artist,
            "title": title,
            "path": path,
            "tempo_bpm": d.get("tempo_bpm"),
            "key": _key_text(d),
            "loudness_lufs": d.get("loudness_lufs"),
            "energy": d.get("energy"),
        }
    return out


def _key_text(d: dict) -> str | None:
    return f"{d['key']} {d['mode']}" if d.get("key") else None
