"""Long jobs the app runs off the UI: each takes (db, progress, cancel, ...) and calls the core.

TuneupApp.start_job runs them in a child process (tuneup.tui.job_process) with a connection of its
own, so everything here, the scan's error count included, happens outside the app's process. They
stay module-level functions with picklable arguments for that.
"""

from __future__ import annotations

import time

from tuneup.store import utcnow


def _with_errors(db, progress):
    """Scan progress plus the count of files that could not be read so far (from scan_errors)."""
    started = utcnow()
    last = [0.0, 0]

    def report(done, total=None, info=""):
        now = time.monotonic()
        if now - last[0] > 0.25:
            last[0] = now
            last[1] = db.execute(
                "SELECT count(*) FROM scan_errors WHERE seen_at >= ?", [started]
            ).fetchone()[0]
        progress(done, total, info, last[1])

    return report


def scan_paths(db, progress, cancel, paths):
    """Add ``paths`` as library roots and scan them."""
    return _scan_and_rematch(db, [str(p) for p in paths], progress, cancel)


def rescan(db, progress, cancel):
    return _scan_and_rematch(db, None, progress, cancel)


def _scan_and_rematch(db, paths, progress, cancel):
    """What `tuneup scan` does: scan, then match earlier imported listens to files that just appeared."""
    from tuneup.library.scan.scanner import scan

    summary = scan(db, paths=paths, progress=_with_errors(db, progress), cancel=cancel)
    if not summary.cancelled:
        from tuneup.history.match import rematch

        rematch(db)
    return summary


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
