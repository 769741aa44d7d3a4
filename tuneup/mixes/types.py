"""What mixes and rows are made of. Shared by the CLI, the TUI and playlist writers."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import NamedTuple


class Pick(NamedTuple):
    """One ranked entry on its way into a mix: the item, why, whether it explores, and the model's
    evidence for it (kept through the mix rules into the MixItem, the saved mix, Details and JSON).
    Plain ``(item_id, reason, exploration)`` triples from the history rows are picks without evidence."""

    item_id: int
    reason: str
    exploration: bool = False
    evidence: dict | None = None


def as_pick(entry) -> Pick:
    """A triple or a Pick, as a Pick."""
    return entry if isinstance(entry, Pick) else Pick(*entry)


@dataclass
class MixItem:
    item_id: int
    path: str
    title: str
    artist: str | None
    album: str | None
    kind: str
    duration_s: float | None
    reason: str
    exploration: bool = False
    evidence: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            f.name: getattr(self, f.name) for f in fields(self)
        }  # asdict() deep-copies: slow for big rows

    def pick(self) -> Pick:
        """The entry a saved mix keeps of this item."""
        return Pick(self.item_id, self.reason, self.exploration, self.evidence or None)


@dataclass
class Mix:
    """A named, ordered list of items (a playlist, a home-screen row, a radio batch)."""

    kind: str  # weekly, daily, radio, because_listened, because_watched, continue_watching, rediscover, ...
    name: str  # shown to the person: "Discover Weekly", "Daily Mix 2: synthwave, Neon Corridor and more"
    items: list[MixItem]
    profile: str
    generated_at: str  # ISO 8601 UTC
    period: str | None = None  # 2026-W48, 2026-11-27, ...
    description: str = ""
    figures: dict = field(default_factory=dict)  # mixes.figures, when a front end asked for them

    def as_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["items"] = [i.as_dict() for i in self.items]
        return data
