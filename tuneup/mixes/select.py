"""The rules a person can predict, applied to the model's ranked picks: an artist cap, no bans, and a
limit on how much may repeat the previous period's mix."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from tuneup.mixes.types import Pick, as_pick


@dataclass
class Picker:
    """Takes ranked picks (:class:`Pick`, or ``(item_id, reason, exploration)``) while the rules allow;
    what it takes keeps its evidence."""

    size: int
    artist_of: dict[int, str]
    artist_cap: int | None = 2
    previous: set[int] = field(default_factory=set)
    repeat_budget: int | None = None  # most items from ``previous``; None: no limit
    banned: set[int] = field(default_factory=set)
    taken: list[Pick] = field(default_factory=list)
    _ids: set[int] = field(default_factory=set)
    _per_artist: dict[str, int] = field(default_factory=dict)
    _repeats: int = 0

    @property
    def ids(self) -> set[int]:
        return set(self._ids)

    @property
    def full(self) -> bool:
        return len(self.taken) >= self.size

    def allows(self, item_id: int) -> bool:
        if item_id in self._ids or item_id in self.banned:
            return False
        artist = self.artist_of.get(item_id, "")
        if (
            artist
            and self.artist_cap is not None
            and self._per_artist.get(artist, 0) >= self.artist_cap
        ):
            return False
        return not (
            item_id in self.previous
            and self.repeat_budget is not None
            and self._repeats >= self.repeat_budget
        )

    def offer(self, entries) -> "Picker":
        for entry in entries:
            if self.full:
                break
            item_id = entry[0]
            if not self.allows(item_id):
                continue
            self.taken.append(as_pick(entry))
            self._ids.add(item_id)
            artist = self.artist_of.get(item_id, "")
            if artist:
                self._per_artist[artist] = self._per_artist.get(artist, 0) + 1
            if item_id in self.previous:
                self._repeats += 1
        return self


def from_recs(recs) -> list[Pick]:
    """The model's recs as picks, evidence included."""
    return [Pick(r.item_id, r.reason, bool(r.exploration), r.evidence) for r in recs]


def stable_seed(*parts: object) -> int:
    """The same seed for the same profile and period, in every process."""
    return zlib.crc32("\x1f".join(map(str, parts)).encode("utf-8"))
