"""A player's report recorded without making the player wait (see tuneup.history.log).

The report is spooled first (durable), then recorded with a short wait for the store; when another
writer holds the store longer, a detached process records it and the caller returns at once.
"""

from __future__ import annotations

import os
import sqlite3

from tuneup.history import spool
from tuneup.history.log import record
from tuneup.store.db import BUSY_TIMEOUT_S

HOOK_WAIT_MS = 250  # how long `tuneup log` waits for a busy store before handing over


def record_soon(env, event: dict) -> dict:
    """Record ``event`` for ``env``'s profile now, or queue it; the dict says which."""
    event = {**event, "profile": env.profile}
    folder = spool.spool_dir(env.paths.data_dir)
    queued = spool.enqueue(folder, event)
    skip = env.config.get("history.skip_seconds")
    try:
        db = env.db
        db.patient = False
        db.conn.execute(f"PRAGMA busy_timeout = {HOOK_WAIT_MS}")
        result = record(db, env.profile_id, event, skip_seconds=skip)
    except sqlite3.OperationalError as exc:
        if not _busy(exc):
            raise
        spool.handover(queued)
        spool.start_drainer(os.environ.get("TUNEUP_HOME"))
        return {"queued": True, "listen_id": None, "started_at": event["started_at"]}
    finally:
        if env._db is not None:
            env._db.patient = True
            env._db.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    spool.done(queued)
    if spool.waiting(folder):  # left by an earlier busy moment or a killed drainer
        spool.start_drainer(os.environ.get("TUNEUP_HOME"))
    return result


def record_waiting(env) -> int:
    """Record every spooled report now (before `history` shows the listens)."""
    folder = spool.spool_dir(env.paths.data_dir)
    if not spool.waiting(folder):
        return 0
    from tuneup.store import profile_id

    def profile_of(name):
        return profile_id(env.db, name or env.config.get("profile"))

    return spool.drain(env.db, folder, profile_of, env.config.get("history.skip_seconds"))


def _busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text
