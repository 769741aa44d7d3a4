"""Opening the store defensively: is this file tuneup's, is it whole, are its modes tight.

A tuneup database carries SQLite's ``PRAGMA application_id`` (set on creation, or when an older
tuneup's database is first opened); a file with another id, or without one and without tuneup's
tables, is another application's and is refused before anything migrates it.

Damage (SQLite says "malformed" or "not a database", or a table of tuneup's is gone) is recorded in
a marker file beside the database, ``tuneup.db.damaged``. While it is there every connection is
read-only (``PRAGMA query_only``) and :func:`tuneup.store.db.write` refuses in one line, so no
command adds to a damaged file; ``tuneup doctor`` reports it and ``tuneup doctor --repair`` rebuilds
the store from what can be read and removes the marker.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from datetime import datetime, timezone
from pathlib import Path

from tuneup.errors import StoreDamagedError, StoreError

APPLICATION_ID = 0x54554E45  # "TUNE"
_OLD_TUNEUP_TABLES = {"schema_version", "profiles", "items"}  # before the application id was set
_DAMAGE_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_DAMAGE_WORDS = ("malformed", "file is not a database", "database corruption")


def tables_of(migrations: list[str]) -> set[str]:
    """Names of the tables the migrations create (a complete store has every one)."""
    return {
        name
        for script in migrations
        for name in re.findall(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)", script)
    } | {"schema_version"}


def is_damage(exc: BaseException) -> bool:
    """True when SQLite's error means the file itself is damaged (not busy, not full, not a bug)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(_DAMAGE_CODES) or any(w in str(exc) for w in _DAMAGE_WORDS)


def marker_of(db_path: Path | str) -> Path:
    return Path(f"{db_path}.damaged")


def damage_note(db_path: Path | str) -> str | None:
    """Why the store at ``db_path`` was marked damaged, or None when it was not."""
    try:
        return marker_of(db_path).read_text(encoding="utf-8", errors="replace").strip() or "damaged"
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"damage marker unreadable ({exc.strerror})"


def mark_damaged(db_path: Path | str, reason: str) -> None:
    """Remember that the store is damaged (first reason kept); never fails the caller."""
    if str(db_path) in ("", ":memory:") or damage_note(db_path) is not None:
        return
    when = datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        fd = os.open(marker_of(db_path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"{when}: {' '.join(reason.split())}\n")
    except OSError:
        pass  # a full or read-only disk: the error itself is still reported


def damaged_error(db_path: Path | str, reason: str | None = None) -> StoreDamagedError:
    note = reason or damage_note(db_path) or "damaged"
    return StoreDamagedError(
        f"{db_path}: the database is damaged ({note}); nothing is written to it until it is "
        "repaired: run `tuneup doctor --repair`"
    )


def check_file(path: Path) -> None:
    """Refuse a path that is not a regular file (a device, a FIFO, a folder) before SQLite opens it."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the database ({exc.strerror})") from None
    if not stat.S_ISREG(st.st_mode):
        kind = (
            "a folder"
            if stat.S_ISDIR(st.st_mode)
            else "a device"
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "a FIFO"
            if stat.S_ISFIFO(st.st_mode)
            else "not a regular file"
        )
        raise StoreError(f"{path}: is {kind}, not a database file; move it away")


def tighten_modes(path: Path) -> list[str]:
    """Make the database and its -wal/-shm owner-only (a backup restored with 0644 leaks listening
    history to every local user). Returns what was changed, or could not be, for doctor."""
    notes = []
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = stat.S_IMODE(os.stat(file).st_mode)
        except OSError:
            continue
        if mode & 0o077:
            try:
                os.chmod(file, 0o600)
                notes.append(f"{file}: mode {mode:04o} tightened to 0600")
            except OSError as exc:
                notes.append(f"{file}: mode {mode:04o} is readable by others ({exc.strerror})")
    return notes


def check_identity(conn: sqlite3.Connection, path: Path | str) -> bool:
    """Raise when the file is another application's; True when it is new or an older tuneup's
    (the application id is then to be set)."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id == APPLICATION_ID:
        return False
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if app_id == 0 and (not names or _OLD_TUNEUP_TABLES <= names):
        return True
    shown = ", ".join(sorted(names)[:5]) + (", ..." if len(names) > 5 else "")
    owner = f"application id {app_id:#x}" if app_id else f"tables {shown or 'none'}"
    raise StoreError(
        f"{path}: not a tuneup database ({owner}); it is left untouched: move it away, "
        "or keep tuneup's state elsewhere with --home"
    )


def missing_tables(conn: sqlite3.Connection, expected: set[str]) -> list[str]:
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return sorted(expected - names)


def quick_check(db, db_path: Path | str) -> None:
    """SQLite's quick_check (milliseconds for a small store, about a second per 100 MB): run before
    a long write (a scan, an import), so damage is found before more is written into it."""
    try:
        result = [r[0] for r in db.conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise
        result = [str(exc)]
    if result != ["ok"]:
        reason = "; ".join(result)[:300]
        mark_damaged(db_path, reason)
        setattr(db, "damage", reason)
        raise damaged_error(db_path, reason)
