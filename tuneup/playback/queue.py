"""What the player plays: queue entries built from library items (or bare paths)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from tuneup.errors import NotFoundError
from tuneup.store.items import ALL, by_ids

VIDEO_KINDS = frozenset({"movie", "episode", "video"})


@dataclass(frozen=True)
class QueueEntry:
    path: str
    item_id: int | None = None
    title: str | None = None
    artist: str | None = None
    kind: str = "track"
    duration_s: float | None = None

    @property
    def is_video(self) -> bool:
        return self.kind in VIDEO_KINDS

    def label(self) -> str:
        if self.artist and self.title:
            return f"{self.artist} - {self.title}"
        return self.title or self.path


def entries_for(db, item_ids: list[int]) -> list[QueueEntry]:
    """Queue entries for item ids, in the given order."""
    items = by_ids(db, item_ids, scope=ALL)  # any item: mpv reports what will not play
    by_id = {
        i.id: QueueEntry(i.real_path, i.id, i.title, i.artist, i.kind, i.duration)
        for i in items.values()
    }
    missing = [i for i in item_ids if i not in by_id]
    if missing:
        raise NotFoundError(f"no item with id {missing[0]}")
    return [by_id[i] for i in item_ids]


def latest_mix_items(db, profile_id: int, name: str) -> list[int]:
    """Item ids of the most recent mix called ``name`` (case-insensitive) for the profile."""
    row = db.execute(
        "SELECT items FROM mixes WHERE profile_id = ? AND lower(name) = lower(?) "
        "ORDER BY generated_at DESC, id DESC LIMIT 1",
        [profile_id, name],
    ).fetchone()
    if row is None:
        names = [
            r[0]
            for r in db.execute(
                "SELECT DISTINCT name FROM mixes WHERE profile_id = ? ORDER BY name", [profile_id]
            )
        ]
        hint = f"; mixes: {', '.join(names)}" if names else "; make one first with `tuneup mix`"
        raise NotFoundError(f"no mix named {name!r}{hint}")
    items = json.loads(row[0])
    return [int(i["item_id"]) if isinstance(i, dict) else int(i) for i in items]
