"""Bringing the library up to date: scan, then match earlier imported listens and likes/bans to the
files that just appeared. `tuneup scan` and the TUI's scans both run :func:`update_library`.

It sits above ``library`` and ``history`` (it composes the two), so neither has to know the other.
"""

from __future__ import annotations

from tuneup.history.match import rematch
from tuneup.library.scan.scanner import ScanSummary, scan


def update_library(
    db,
    paths=None,
    *,
    workers: int = 0,
    follow_symlinks: bool = True,
    progress=None,
    cancel=None,
) -> ScanSummary:
    """Scan ``paths`` (added as roots; None: every root) and, unless cancelled, rematch the history.
    The summary's ``rematched`` says what was matched."""
    summary = scan(
        db,
        paths,
        workers=workers,
        follow_symlinks=follow_symlinks,
        progress=progress,
        cancel=cancel,
    )
    if not summary.cancelled:
        summary.rematched = rematch(db)
    return summary
