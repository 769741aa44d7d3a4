"""`tuneup demo`: write the demo library, scan it, and give its persona a listening history.

Every step is idempotent: existing files are kept, the scan is incremental, and a profile that
already has the demo's history gets none added. Progress is reported as
``progress(done, total, "<stage>: <detail>")`` with stage ``files``, ``scan``, ``history`` or
``analysis``.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timezone
from pathlib import Path

from tuneup.cancel import cancel_check
from tuneup.demo.catalog import DEFAULT_TRACKS, build_catalog
from tuneup.demo.files import write_library
from tuneup.demo.history import existing_listens, generate_history, write_history
from tuneup.demo.persona import default_persona
from tuneup.summary import DictSummary, Progress, no_progress

MANIFEST = ".tuneup-demo.json"


class DemoSummary(DictSummary):
    """What the demo build made (the dict `tuneup demo --json` prints)."""

    def line(self) -> str:
        text = f"{self['tracks']} tracks in {self['dir']}"
        if "scan" in self:
            text += f"; scan: {self['scan']['added']} added"
        if "history" in self:
            text += f"; {self['history']['listens']} demo listens"
        return text + (" (cancelled)" if self.cancelled else "")


def build_demo(
    db,
    root: Path,
    *,
    profile_id: int,
    profile_name: str = "default",
    tracks: int = DEFAULT_TRACKS,
    seed: int = 1,
    workers: int = 0,
    progress: Progress | None = None,
    cancel=None,
    now: datetime | None = None,
    analyze: bool = True,
) -> DemoSummary:
    """Build (or complete) the demo library under ``root`` and return a summary; with ``analyze``
    (the default) its audio features too, as `tuneup analyze` would (only tracks without them)."""
    from tuneup.library.scan.scanner import scan

    started = time.monotonic()
    progress = progress or no_progress
    cancelled = cancel_check(cancel)
    catalog = build_catalog(seed, tracks)
    root = Path(os.path.abspath(root))
    root.mkdir(parents=True, exist_ok=True)
    summary = DemoSummary({"dir": str(root), "seed": seed, **catalog.counts()})
    step = time.monotonic()
    summary["files"] = write_library(
        root,
        catalog.tracks,
        workers=workers,
        cancelled=cancelled,
        progress=lambda d, t, info="": progress(d, t, f"files: {info}"),
    )
    summary["files"]["seconds"] = round(time.monotonic() - step, 2)
    _write_manifest(root, seed, tracks)
    if summary["files"]["cancelled"]:
        return _done(summary, started, cancelled=True)
    result = scan(
        db,
        [root],
        workers=workers,
        cancel=cancel,
        progress=lambda d, t=None, info="": progress(d, t, f"scan: {info}"),
    )
    summary["scan"] = result.as_dict()
    if result.cancelled:
        return _done(summary, started, cancelled=True)
    taste = default_persona(catalog, seed)
    step = time.monotonic()
    progress(0, 1, "history: listening history")
    if kept := existing_listens(db, profile_id):
        summary["history"] = {"listens": 0, "feedback": 0, "kept": kept, "unmatched": 0}
    else:
        history = generate_history(catalog, taste, seed=seed, end=now or datetime.now(timezone.utc))
        summary["history"] = write_history(
            db, profile_id, profile_name, str(root), catalog, history
        )
    summary["history"]["seconds"] = round(time.monotonic() - step, 2)
    progress(1, 1, "history: done")
    if analyze:  # the taste map, sound-alike reasons and `similar` need the audio features
        from tuneup.library.sound.analyze import analyze as analyse_audio

        result = analyse_audio(
            db,
            workers=workers,
            cancel=cancel,
            progress=lambda d, t=None, info="": progress(d, t, f"analysis: {info}"),
        )
        summary["analysis"] = {"analysed": result.analysed, "cancelled": result.cancelled}
        if result.cancelled:
            return _done(summary, started, cancelled=True)
    summary["persona"] = {
        "name": taste.name,
        "favourite_artists": list(taste.favourite_artists),
        "top_genres": sorted(taste.genre_weights, key=taste.genre_weights.get, reverse=True)[:3],
    }
    return _done(summary, started)


def _done(summary: DemoSummary, started: float, cancelled: bool = False) -> DemoSummary:
    summary["cancelled"] = cancelled
    summary["seconds"] = round(time.monotonic() - started, 2)
    return summary


def _write_manifest(root: Path, seed: int, tracks: int) -> None:
    """Remember how the demo was built, so tests and simulators can rebuild its catalog and persona."""
    path = root / MANIFEST
    data = {"seed": seed, "tracks": tracks}
    if path.exists():
        try:
            if json.loads(path.read_text()) == data:
                return
        except (OSError, ValueError):
            pass
    path.write_text(json.dumps(data) + "\n")


def read_manifest(root: Path) -> dict | None:
    try:
        return json.loads((Path(root) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
