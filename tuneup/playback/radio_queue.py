"""How a radio's queue is kept from running dry: one rule for the TUI's player (mpv or MPD) and for
`tuneup mpd radio`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TopUp:
    """Start with ``first`` picks; whenever ``low`` or fewer wait after the current one, add enough
    that ``low + more`` wait. Picks come in batches, so the model is asked now and then, not per song."""

    first: int = 30
    low: int = 3
    more: int = 10

    def to_add(self, waiting: int, *, started: bool = True) -> int:
        """How many picks to add when ``waiting`` songs wait after the current one."""
        if not started:
            return max(0, self.first - waiting)
        return self.low + self.more - waiting if waiting <= self.low else 0

    @classmethod
    def keeping(cls, target: int) -> "TopUp":
        """Exactly ``target`` songs waiting at all times (`tuneup mpd radio --target N`)."""
        return cls(first=target, low=target - 1, more=1)


RADIO = TopUp()
