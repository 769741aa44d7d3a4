"""What every long job hands back (scan, audio analysis, history import, demo build), so the CLI and
the TUI print the same line and neither has to guess at the result's type.

A long job takes ``progress(done, total, info)`` and ``cancel`` (see :mod:`tuneup.cancel`) and returns
a :class:`Summary`.
"""

from __future__ import annotations

from typing import Callable, Protocol

Progress = Callable[[int, "int | None", str], None]


class Summary(Protocol):
    cancelled: bool

    def as_dict(self) -> dict:
        """Everything, as JSON-ready data (`--json`)."""

    def line(self) -> str:
        """One line for a person: what the job did."""


class DictSummary(dict):
    """A summary that stays the plain dict its callers index (``summary["listens"]``), with the
    protocol on top. ``cancelled`` is the dict's own "cancelled" entry."""

    @property
    def cancelled(self) -> bool:
        return bool(self.get("cancelled", False))

    def as_dict(self) -> dict:
        return dict(self)

    def line(self) -> str:
        raise NotImplementedError


def no_progress(done: int, total: int | None = None, info: str = "") -> None:
    """The progress callback of a job nobody watches."""
