"""`tuneup doctor`: the health of the database, the tools tuneup calls, and the library roots."""

from __future__ import annotations

import os
import shutil
import subprocess


def find_tool(name: str, args: tuple[str, ...] = ("--version",)) -> dict:
    """Whether ``name`` is on PATH, and its version line."""
    path = shutil.which(name)
    if not path:
        return {"found": False, "path": None, "version": None}
    try:
        out = subprocess.run([path, *args], capture_output=True, text=True, timeout=20).stdout
        version = out.strip().splitlines()[0] if out.strip() else None
    except (OSError, subprocess.SubprocessError):
        version = None
    return {"found": True, "path": path, "version": version}


def doctor(db, db_path=None) -> dict:
    """The report; never raises for a damaged store: what cannot be read is reported as such."""
    import sqlite3

    from tuneup.store import guard

    damage = getattr(db, "damage", None)
    try:
        integrity = [r[0] for r in db.execute("PRAGMA integrity_check(20)")]
    except sqlite3.DatabaseError as exc:
        integrity = [str(exc)]
    if integrity != ["ok"] and damage is None:
        damage = "; ".join(integrity)[:300]
        if db_path:
            guard.mark_damaged(db_path, damage)
    try:
        roots, errors = _roots(db), _scan_errors(db)
    except sqlite3.DatabaseError as exc:
        roots, errors = [], []
        damage = damage or str(exc)
    try:
        version = db.execute("SELECT version FROM schema_version").fetchone()[0]
    except (sqlite3.DatabaseError, TypeError):
        version = None
    tools = {"mpv": find_tool("mpv"), "ffmpeg": find_tool("ffmpeg", ("-version",))}
    report = {
        "database": {
            "path": str(db_path) if db_path else None,
            "integrity": "ok" if integrity == ["ok"] else integrity,
            "schema_version": version,
            "damage": damage,
            "problem": None,
            "modes": list(getattr(db, "tightened", []) or []),
        },
        "tools": tools,
        "roots": roots,
        "scan_errors": errors,
    }
    report["ok"] = (
        damage is None
        and integrity == ["ok"]
        and all(t["found"] for t in tools.values())
        and all(r["reachable"] for r in roots)
    )
    return report


def unopenable(db_path, reason: str, *, damaged: bool) -> dict:
    """The report when the store cannot be opened at all: a damaged header (``damaged``), or a file
    that is not tuneup's to open (a device, another application's database)."""
    tools = {"mpv": find_tool("mpv"), "ffmpeg": find_tool("ffmpeg", ("-version",))}
    return {
        "database": {
            "path": str(db_path),
            "integrity": [reason] if damaged else "not checked",
            "schema_version": None,
            "damage": reason if damaged else None,
            "problem": None if damaged else reason,
            "modes": [],
        },
        "tools": tools,
        "roots": [],
        "scan_errors": [],
        "ok": False,
    }


def _roots(db) -> list[dict]:
    roots = []
    for root_id, path, added_at, last_scan_at in db.execute(
        "SELECT id, path, added_at, last_scan_at FROM roots ORDER BY path"
    ):
        reachable = os.path.isdir(path) and os.access(path, os.R_OK | os.X_OK)
        counts = dict(
            db.execute(
                "SELECT status, count(*) FROM items WHERE root_id = ? GROUP BY status", [root_id]
            )
        )
        roots.append(
            {
                "path": path,
                "reachable": reachable,
                "added_at": added_at,
                "last_scan_at": last_scan_at,
                "present": counts.get("present", 0),
                "missing": counts.get("missing", 0),
            }
        )
    return roots


def _scan_errors(db) -> list[dict]:
    return [
        {"path": p, "reason": r, "seen_at": s}
        for p, r, s in db.execute("SELECT path, reason, seen_at FROM scan_errors ORDER BY path")
    ]
