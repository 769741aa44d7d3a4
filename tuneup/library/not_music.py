"""Tracks a music mix should not hold: ones too short to be music (samples, jingles, sound effects)
and second copies of one recording (the same track in two formats).

A copy is the same recording when its artist and title fold to the same key and its duration is
within :data:`SAME_SECONDS`; for untagged files (titles guessed from names such as
``antarctic__arctic_breeze.mp3``) when one guessed title ends with the other and the durations
agree. Of each group the copy in the best format is kept (lossless first, then the higher
bitrate, then the older item). Sound features alone are not used: different tracks rendered from
one instrument patch (or the test suite's one generated tone) sound the same.
"""

from __future__ import annotations

import json

from tuneup.store.items import artist_key, present
from tuneup.store.normalize import fold

DEFAULT_MIN_SECONDS = 30.0
SAME_SECONDS = 1.5  # transcodes differ by encoder padding, never by seconds
_FORMAT_RANK = {"flac": 0, "wav": 0, "aiff": 0, "alac": 0, "ape": 0, "wv": 0, "opus": 1, "ogg": 2}


def too_short_ids(db, min_seconds: float = DEFAULT_MIN_SECONDS) -> set[int]:
    """Tracks under ``min_seconds`` long; none when most of the library is that short (a folder
    of loops and samples still gets mixes of them)."""
    rows = db.execute(
        f"SELECT id, duration FROM items WHERE {present()} AND kind = 'track' "
        "AND duration IS NOT NULL"
    ).fetchall()
    short = {iid for iid, duration in rows if duration < min_seconds}
    return short if len(short) * 2 < len(rows) else set()


def duplicate_ids(db) -> set[int]:
    """Every copy but the best of each recording held twice or more."""
    out: set[int] = set()
    for best, members in duplicate_groups(db):
        out |= members - {best}
    return out


def duplicate_groups(db) -> list[tuple[int, set[int]]]:
    """(the copy kept, every copy) for each recording held twice or more."""
    rows = db.execute(
        f"SELECT id, artist, albumartist, title, duration, format, bitrate, guessed FROM items "
        f"WHERE {present()} AND kind = 'track' AND duration IS NOT NULL"
    ).fetchall()
    groups = _Groups([r[0] for r in rows])
    by_key: dict[tuple, list] = {}
    guessed_titles: list[tuple[str, float, int]] = []
    for iid, artist, albumartist, title, duration, *_rest, guessed in rows:
        title_key = fold(title or "")
        if not title_key:
            continue
        by_key.setdefault((artist_key(artist, albumartist), title_key), []).append((duration, iid))
        if "title" in json.loads(guessed or "[]"):
            guessed_titles.append((title_key, duration, iid))
    for items in by_key.values():
        _join_close(groups, sorted(items))
    _join_guessed(groups, guessed_titles)
    rank = {r[0]: (_FORMAT_RANK.get(r[5] or "", 3), -(r[6] or 0), r[0]) for r in rows}
    return [
        (min(members, key=rank.__getitem__), set(members))
        for members in groups.sets()
        if len(members) > 1
    ]


def not_music_ids(db, config=None) -> set[int]:
    """What music mixes and `similar` leave out by default (setting ``mix.min_seconds``)."""
    min_seconds = DEFAULT_MIN_SECONDS if config is None else config.get("mix.min_seconds")
    return too_short_ids(db, min_seconds) | duplicate_ids(db)


class _Groups:
    """Union-find over item ids."""

    def __init__(self, ids):
        self.parent = {i: i for i in ids}

    def find(self, i):
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a, b):
        self.parent[self.find(a)] = self.find(b)

    def sets(self):
        out: dict[int, list[int]] = {}
        for i in self.parent:
            out.setdefault(self.find(i), []).append(i)
        return out.values()


def _join_close(groups: _Groups, items: list[tuple[float, int]]) -> None:
    for (d1, a), (d2, b) in zip(items, items[1:]):
        if d2 - d1 <= SAME_SECONDS:
            groups.join(a, b)


def _join_guessed(groups: _Groups, titles: list[tuple[str, float, int]]) -> None:
    """Untagged copies named "<folder> <name>" and "<name>", of the same duration."""
    titles.sort(key=lambda t: t[1])
    for n, (title, duration, iid) in enumerate(titles):
        for other, other_duration, other_id in titles[n + 1 :]:
            if other_duration - duration > SAME_SECONDS:
                break
            longer, shorter = (title, other) if len(title) >= len(other) else (other, title)
            if len(shorter) >= 4 and longer.endswith(" " + shorter):
                groups.join(iid, other_id)
