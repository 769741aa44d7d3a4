"""Messages that workers post to the app. Small dataclasses; high-rate ones can be replaced in the queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message


class WorkProgress(Message, bubble=False):
    """A long job moved on. Coalesced: only the newest one waiting in the queue is kept.

    Work messages do not bubble: the app hands a copy to each screen, and a copy bubbling back
    up to the app would be broadcast again.
    """

    def __init__(
        self,
        job: str,
        done: int,
        total: int | None,
        info: str = "",
        errors: int = 0,
        rate: float = 0.0,
    ):
        super().__init__()
        self.job, self.done, self.total, self.info, self.errors, self.rate = (
            job,
            done,
            total,
            info,
            errors,
            rate,
        )

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, WorkProgress) and message.job == self.job


class WorkDone(Message, bubble=False):
    """A long job finished; ``result`` is whatever the core returned."""

    def __init__(self, job: str, result: Any = None):
        super().__init__()
        self.job, self.result = job, result


class WorkFailed(Message, bubble=False):
    """A long job failed; ``error`` is a one-line message for the person."""

    def __init__(self, job: str, error: str):
        super().__init__()
        self.job, self.error = job, error


class LibraryChanged(Message):
    """Items, listens or feedback changed: views that show them should reload."""


@dataclass
class PlayState:
    """What the now-playing bar shows."""

    item_id: int | None = None
    title: str = ""
    artist: str = ""
    kind: str = ""
    position: float = 0.0
    duration: float | None = None
    paused: bool = False
    volume: int = 100
    up_next: list[str] = field(default_factory=list)
    playing: bool = False
    notice: str = ""  # a short note after the title ("video in mpv's window", "MPD not connected")


class PlayStateChanged(Message, bubble=False):
    def __init__(self, state: PlayState):
        super().__init__()
        self.state = state

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PlayStateChanged)


class PlayItems(Message):
    """Play ``item_ids`` starting at ``start`` (a row, a mix, the library's current selection)."""

    def __init__(self, item_ids: list[int], start: int = 0, source: str = ""):
        super().__init__()
        self.item_ids, self.start, self.source = item_ids, start, source


class ShowDetails(Message):
    """Show one item's details and, when it came from a mix, the full reason."""

    def __init__(
        self,
        item_id: int,
        reason: str = "",
        evidence: dict | None = None,
        exploration: bool = False,
    ):
        super().__init__()
        self.item_id, self.reason, self.evidence, self.exploration = (
            item_id,
            reason,
            evidence or {},
            exploration,
        )


class StartRadio(Message):
    """Start radio seeded from one item."""

    def __init__(self, item_id: int):
        super().__init__()
        self.item_id = item_id
