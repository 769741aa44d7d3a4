"""`tuneup forget`: delete what tuneup learned about a profile, everywhere it is kept.

Personal data lives in the per-profile tables below and in the saved model (which holds every
profile's events). The library (items, features, series, roots) is not personal and stays.

All rows go in one transaction; then the model file is removed (the next run refits) and the
database is compacted (VACUUM, WAL truncated) so deleted rows do not linger in free pages or in the
write-ahead log. ``secure_delete`` is on while deleting, so even when VACUUM cannot run (not enough
disk for its copy, another process reading) the freed pages are zeroed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tuneup.store import write
from tuneup.store.db import BUSY_TIMEOUT_S

# table -> the column that dates a row (for --since); every one has profile_id.
PERSONAL_TABLES = {
    "listens": "started_at",
    "feedback": "created_at",
    "watch_history": "completed_at",
    "watch_progress": "last_watched_at",
    "taste_seeds": "created_at",
    "mixes": "generated_at",
}


def _since_clause(column: str) -> str:
    # Text comparison uses the index; julianday() covers times stored with another offset notation.
    return f"({column} >= :since OR julianday({column}) >= julianday(:since))"


def forget(
    db,
    profile_id: int,
    *,
    since: str | None = None,
    model_dir: Path | None = None,
    compact: bool = True,
) -> dict:
    """Delete ``profile_id``'s personal data (all of it, or dated ``since`` — an ISO UTC time — or later).

    With ``since``, imports made since then go as a whole (every listen they brought, whatever its
    date). Returns the counts deleted per table, whether the model file was removed and how the file
    was compacted.
    """
    counts: dict[str, int] = {}
    conn = db.conn
    conn.execute("PRAGMA secure_delete = ON")
    with write(db):
        import_ids = _touched_imports(conn, profile_id, since)
        if since is not None and import_ids:
            q = ",".join("?" * len(import_ids))
            counts["listens"] = conn.execute(
                f"DELETE FROM listens WHERE profile_id = ? AND import_id IN ({q})",
                [profile_id, *import_ids],
            ).rowcount
        for table, column in PERSONAL_TABLES.items():
            sql = f"DELETE FROM {table} WHERE profile_id = :pid"
            if since is not None:
                sql += " AND " + _since_clause(column)
            counts[table] = (
                counts.get(table, 0)
                + conn.execute(sql, {"pid": profile_id, "since": since}).rowcount
            )
        counts["imports"] = _drop_empty_imports(conn, import_ids)
    result = {
        "profile_id": profile_id,
        "since": since,
        "deleted": counts,
        "model_removed": remove_model(model_dir) if model_dir is not None else False,
    }
    result.update(compact_db(db) if compact else {"vacuumed": False, "wal_truncated": False})
    return result


def _touched_imports(conn, profile_id: int, since: str | None) -> list[int]:
    """Imports whose listens of this profile are being forgotten (with ``since``: imports made since)."""
    if since is None:
        sql = "SELECT DISTINCT import_id FROM listens WHERE profile_id = :pid AND import_id IS NOT NULL"
    else:
        sql = (
            "SELECT id FROM imports WHERE " + _since_clause("imported_at") + " AND id IN "
            "(SELECT DISTINCT import_id FROM listens WHERE profile_id = :pid AND import_id IS NOT NULL)"
        )
    return [r[0] for r in conn.execute(sql, {"pid": profile_id, "since": since})]


def _drop_empty_imports(conn, import_ids: list[int]) -> int:
    """Remove the record of an import once none of its listens are left (so it can be imported again)."""
    dropped = 0
    for import_id in import_ids:
        if (
            conn.execute(
                "SELECT 1 FROM listens WHERE import_id = ? LIMIT 1", [import_id]
            ).fetchone()
            is None
        ):
            dropped += conn.execute("DELETE FROM imports WHERE id = ?", [import_id]).rowcount
    return dropped


def remove_model(model_dir: Path) -> bool:
    """Delete the saved model and what killed writers left of one: they hold the forgotten events."""
    from tuneup.atomic import remove_stale

    path = Path(model_dir) / "model.npz"
    remove_stale(path)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


COMPACT_WAIT_MS = 2000


def compact_db(db) -> dict:
    """VACUUM and truncate the WAL, so deleted rows leave the file. Either may be refused (another
    process is reading, or there is no room for VACUUM's copy); the result says which happened."""
    conn = db.conn
    out = {"vacuumed": False, "wal_truncated": False}
    # another reader (the app) would make both wait out the 60 s busy timeout: try briefly, report instead
    conn.execute(f"PRAGMA busy_timeout = {COMPACT_WAIT_MS}")
    try:
        try:
            conn.execute("VACUUM")
            out["vacuumed"] = True
        except sqlite3.OperationalError as exc:
            out["vacuum_error"] = str(exc)
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        out["wal_truncated"] = busy == 0
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    return out
