"""Messages that workers post to the app. Small dataclasses; high-rate ones can be replaced in the queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message


@dataclass
class WorkProgress(Message, bubble=False):
    """A long job moved on. Coalesced: only the newest one waiting in the queue is kept.

    Work messages do not bubble: the app hands a copy to each screen, and a copy bubbling back
    up to the app would be broadcast again.
    """

    job: str
    done: int
    total: int | None
    info: str = ""
    rate: float = 0.0

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, WorkProgress) and message.job == self.job


@dataclass
class WorkDone(Message, bubble=False):
    """A long job finished; ``result`` is the core's :class:`tuneup.summary.Summary` (or None)."""

    job: str
    result: Any = None


@dataclass
class WorkFailed(Message, bubble=False):
    """A long job failed; ``error`` is a one-line message for the person."""

    job: str
    error: str


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
    playing_from: str = ""  # the mix, radio or list the queue came from


@dataclass
class PlayStateChanged(Message, bubble=False):
    state: PlayState

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PlayStateChanged)


@dataclass
class PlayItems(Message):
    """Play ``item_ids`` starting at ``start`` (a row, a mix, the library's current selection)."""

    item_ids: list[int]
    start: int = 0
    source: str = ""
    label: str = ""  # what the now-playing bar says it plays from ("Discover Weekly", "Library")


@dataclass
class ShowDetails(Message):
    """Show one item's details and, when it came from a mix, the full reason and the model's evidence."""

    item_id: int
    reason: str = ""
    evidence: dict = field(default_factory=dict)
    exploration: bool = False


@dataclass
class StartRadio(Message):
    """Start radio seeded from one item."""

    item_id: int


@dataclass
class FeedbackChanged(Message):
    """An item's likes, dislikes and bans changed: ``marks`` is what it has now."""

    item_id: int
    marks: tuple[str, ...] = ()
