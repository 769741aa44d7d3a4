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
    integrity = [r[0] for r in db.execute("PRAGMA integrity_check")]
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
    errors = [
        {"path": p, "reason": r, "seen_at": s}
        for p, r, s in db.execute("SELECT path, reason, seen_at FROM scan_errors ORDER BY path")
    ]
    tools = {"mpv": find_tool("mpv"), "ffmpeg": find_tool("ffmpeg", ("-version",))}
    report = {
        "database": {
            "path": str(db_path) if db_path else None,
            "integrity": "ok" if integrity == ["ok"] else integrity,
            "schema_version": db.execute("SELECT version FROM schema_version").fetchone()[0],
        },
        "tools": tools,
        "roots": roots,
        "scan_errors": errors,
    }
    report["ok"] = (
        integrity == ["ok"]
        and all(t["found"] for t in tools.values())
        and all(r["reachable"] for r in roots)
    )
    return report
