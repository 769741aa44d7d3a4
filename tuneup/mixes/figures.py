"""Anti-repetition and exploration figures for one mix, reported with it (``tuneup mix --json`` and
``--format json`` carry them as ``figures``):

- ``novelty``: the share of items this profile had never played before the mix was made (new to you);
- ``exploration``: the share of items the model flagged as exploring;
- ``diversity``: distinct artists (``tuneup.store.items.artist_key``) per item, and distinct genres;
- ``min_artist_gap``: the fewest items between two by the same artist (None when no artist repeats);
- ``transitions``: shares of adjacent pairs with known sound within 8% in tempo (half/double time
  counted) and key-compatible (Camelot same, +-1, or relative);
- ``repetition``: the share of items also in the previous period's stored mixes of the same kind (last
  week's Discover Weekly; yesterday's Daily Mixes, all of them); None when there are none (radio,
  prompts, paths, a first week).
"""

from __future__ import annotations

from tuneup.mixes import saved
from tuneup.mixes.flow import sounds, transitions
from tuneup.mixes.types import Mix
from tuneup.store.items import artist_keys, by_ids, select_in


def figures(db, profile_id: int, mix: Mix) -> dict:
    ids = [i.item_id for i in mix.items]
    n = len(ids)
    if not n:
        return {"size": 0}
    played = {
        r[0]
        for r in select_in(
            db,
            "SELECT DISTINCT item_id FROM listens WHERE item_id IN ({ids}) AND profile_id = ? "
            "AND started_at < ?",
            ids,
            [profile_id, mix.generated_at],
        )
    }
    keys = artist_keys(db, ids)
    artists = [keys.get(i, "") for i in ids]
    genres = {g.casefold() for item in by_ids(db, ids).values() for g in item.genres}
    return {
        "size": n,
        "novelty": round(sum(1 for i in ids if i not in played) / n, 3),
        "exploration": round(sum(1 for i in mix.items if i.exploration) / n, 3),
        "diversity": {
            "artists_per_item": round(len({a or f"#{k}" for k, a in enumerate(artists)}) / n, 3),
            "genres": len(genres),
        },
        "min_artist_gap": min_artist_gap(artists),
        "repetition": _repetition(db, profile_id, mix, set(ids)),
        "transitions": transitions(ids, sounds(db, ids)),
    }


def min_artist_gap(artists: list[str]) -> int | None:
    """The fewest items between two items by the same (known) artist."""
    last: dict[str, int] = {}
    gap = None
    for pos, artist in enumerate(artists):
        if artist:
            if artist in last:
                between = pos - last[artist] - 1
                gap = between if gap is None else min(gap, between)
            last[artist] = pos
    return gap


def _repetition(db, profile_id: int, mix: Mix, ids: set[int]) -> float | None:
    if not mix.period:
        return None
    before = saved.previous_ids(db, profile_id, mix.kind, mix.period)
    return round(len(ids & before) / len(ids), 3) if before else None
