"""Long jobs the app runs off the UI: each takes (db, progress, cancel, ...), calls the core and returns
its :class:`tuneup.summary.Summary`. The core is imported inside each job: the app's start stays light.

TuneupApp.start_job runs them in a child process (tuneup.tui.job_process) with a connection of its
own, so everything here, the scan's error count included, happens outside the app's process. They
stay module-level functions with picklable arguments for that.
"""

from __future__ import annotations

import time

from tuneup.store import utcnow


def _with_errors(db, progress):
    """Scan progress with the count of files that could not be read so far (from scan_errors) in front
    of its info."""
    from tuneup.library.stats import errors_since

    started = utcnow()
    last = [0.0, 0]

    def report(done, total=None, info=""):
        now = time.monotonic()
        if now - last[0] > 0.25:
            last[0] = now
            last[1] = errors_since(db, started)
        progress(done, total, f"{last[1]} errors  {info}" if last[1] else info)

    return report


def scan_paths(db, progress, cancel, paths):
    """Add ``paths`` as library roots and scan them (then rematch the history, as `tuneup scan` does)."""
    from tuneup.update import update_library

    return update_library(
        db, [str(p) for p in paths], progress=_with_errors(db, progress), cancel=cancel
    )


def rescan(db, progress, cancel):
    from tuneup.update import update_library

    return update_library(db, None, progress=_with_errors(db, progress), cancel=cancel)


def reanalyse(db, progress, cancel):
    from tuneup.library.sound.analyze import analyze

    return analyze(db, progress=progress, cancel=cancel, everything=True)


def build_demo(db, progress, cancel, demo_dir, profile_id, profile_name):
    """Generate the demo library's files, scan them, and give the profile the demo's listening history."""
    from tuneup.demo import build_demo as build

    return build(
        db,
        demo_dir,
        profile_id=profile_id,
        profile_name=profile_name,
        progress=progress,
        cancel=cancel,
    )


def import_history(db, progress, cancel, fmt, path, profile_id):
    """The same import `tuneup import FORMAT FILE` and `tuneup onboard --import` run."""
    from pathlib import Path

    from tuneup.history.importers.run import import_files

    return import_files(
        db, fmt, [Path(path).expanduser()], profile_id=profile_id, progress=progress, cancel=cancel
    )
