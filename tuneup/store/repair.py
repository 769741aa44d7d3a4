"""`tuneup doctor --repair`: a fresh store from what a damaged one still holds.

1. The damaged file (and its -wal) is copied aside, owner-only, as ``tuneup.db.damaged-<time>``;
   everything below reads that copy, so nothing is lost that was there before.
2. SQLite's own recovery reads every page it can: the ``sqlite3`` command's ``.recover`` when that
   is installed (it also finds rows whose index or parent pages are gone), otherwise row by row in
   rowid order, stepping over what cannot be read.
3. The rows go into a new store made by the current schema (so a dropped table comes back empty),
   column by column where they match; rows whose parent was lost are dropped or unlinked as the
   schema's foreign keys say, and the new file must pass ``PRAGMA integrity_check``.
4. Only then does it replace ``tuneup.db``, and the damage marker is removed.

Run it while no other tuneup command is using the store.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from tuneup.errors import StoreError
from tuneup.store import guard

RECOVER_TIMEOUT_S = 600


def repair(db_path: Path | str) -> dict:
    """Rebuild the store at ``db_path``; returns what was kept, table by table, and where the
    damaged file was put."""
    db_path = Path(db_path)
    guard.check_file(db_path)
    if not db_path.exists():
        raise StoreError(f"{db_path}: no database to repair")
    backup = _backup(db_path)
    scratch = db_path.with_name(f"{db_path.name}.recovered-tmp")
    fresh = db_path.with_name(f"{db_path.name}.repair-tmp")
    for leftover in (scratch, fresh):
        _remove(leftover)
    try:
        method = "sqlite3 .recover" if _recover_with_cli(backup, scratch) else "row by row"
        source = scratch if method != "row by row" else backup
        kept, unreadable = _rebuild(source, fresh)
        if not any(n for table, n in kept.items() if table != "profiles"):
            raise StoreError(
                f"{db_path}: nothing could be read from the damaged database; it is left as it "
                f"was (a copy is at {backup}): restore a backup, or move it away to start afresh"
            )
        for suffix in ("-wal", "-shm"):  # an old WAL must never be applied to the new file
            _remove(Path(f"{db_path}{suffix}"))
        os.replace(fresh, db_path)
    finally:
        for leftover in (scratch, fresh, Path(f"{fresh}-wal"), Path(f"{fresh}-shm")):
            _remove(leftover)
    _remove(guard.marker_of(db_path))
    return {
        "backup": str(backup),
        "method": method,
        "kept": kept,
        "unreadable_ranges": unreadable,
    }


def _backup(db_path: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    backup = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
    try:
        for src, dst in ((db_path, backup), (Path(f"{db_path}-wal"), Path(f"{backup}-wal"))):
            if src.exists():
                fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
                    shutil.copyfileobj(inp, out, 1 << 20)
    except OSError as exc:
        raise StoreError(
            f"{backup}: cannot back up the damaged database ({exc.strerror}); nothing was changed"
        ) from None
    return backup


def _recover_with_cli(damaged: Path, scratch: Path) -> bool:
    """SQLite's .recover into ``scratch``; False when the sqlite3 command is missing or fails."""
    tool = shutil.which("sqlite3")
    if not tool:
        return False
    try:
        dump = subprocess.run(
            [tool, str(damaged), ".recover"],
            capture_output=True,
            timeout=RECOVER_TIMEOUT_S,
        )
        if dump.returncode != 0 or not dump.stdout:
            return False
        load = subprocess.run(
            [tool, str(scratch)], input=dump.stdout, capture_output=True, timeout=RECOVER_TIMEOUT_S
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return load.returncode == 0 and scratch.exists()


def _rebuild(source: Path, fresh: Path) -> tuple[dict[str, int], dict[str, int]]:
    from tuneup.store.db import open_db

    new = open_db(fresh)
    conn = new.conn
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    kept, unreadable = {}, {}
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM profiles")  # the new store's default profile: the old one wins
        for table in _tables(conn):
            columns = _common_columns(src, conn, table)
            if not columns:
                kept[table] = 0
                continue
            rows, gaps = _salvage(src, table, columns)
            names = ", ".join(columns)
            marks = ", ".join("?" for _ in columns)
            for row in rows:
                try:
                    conn.execute(f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})", row)
                except sqlite3.Error:
                    gaps += 1
            kept[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if gaps:
                unreadable[table] = gaps
        _orphans(conn)
        if not conn.execute("SELECT count(*) FROM profiles").fetchone()[0]:
            from tuneup.store.db import DEFAULT_PROFILE, utcnow

            conn.execute(
                "INSERT INTO profiles (name, created_at) VALUES (?, ?)", [DEFAULT_PROFILE, utcnow()]
            )
        conn.execute("COMMIT")
        conn.execute("PRAGMA foreign_keys = ON")
        check = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if check != ["ok"]:
            raise StoreError(f"{fresh}: the rebuilt store failed its own check ({check[0]})")
        conn.execute("PRAGMA journal_mode = DELETE")  # one file to move into place
    finally:
        src.close()
        conn.close()
    return kept, unreadable


def _tables(conn) -> list[str]:
    """The new store's tables, parents before children."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'schema_version' ORDER BY name"
        )
    ]
    order: list[str] = []
    while len(order) < len(names):
        for name in names:
            refs = {r[2] for r in conn.execute(f"PRAGMA foreign_key_list({name})")} - {name}
            if name not in order and refs <= set(order):
                order.append(name)
    return order


def _common_columns(src, conn, table: str) -> list[str]:
    try:
        old = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
    except sqlite3.DatabaseError:
        return []
    new = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
    return [c for c in old if c in new]


def _salvage(src, table: str, columns: list[str]) -> tuple[list[tuple], int]:
    """Every row that can be read, in rowid order; a damaged stretch is stepped over in growing
    strides. Returns the rows and how many stretches could not be read."""
    rows: list[tuple] = []
    gaps, last, stride = 0, None, 1
    try:
        top = src.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0]
    except sqlite3.DatabaseError:
        top = None
    sql = f"SELECT rowid, {', '.join(columns)} FROM {table} WHERE rowid > ? ORDER BY rowid"
    for _ in range(200):
        try:
            for row in src.execute(sql, [last if last is not None else -(1 << 63)]):
                rows.append(row[1:])
                last, stride = row[0], 1
            return rows, gaps
        except sqlite3.DatabaseError:
            gaps += 1
            last = (last or 0) + stride
            stride *= 4
            if last >= (top if top is not None else 1 << 62):
                return rows, gaps
    return rows, gaps


def _orphans(conn) -> None:
    """Rows whose parent row was lost: unlinked where the reference may be empty, else dropped."""
    for _ in range(5):  # a dropped parent can orphan its own children in turn
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if not problems:
            return
        for table, rowid, parent, fk_index in problems:
            fk = [r for r in conn.execute(f"PRAGMA foreign_key_list({table})") if r[0] == fk_index]
            column = fk[0][3] if fk else None
            info = {r[1]: r[3] or r[5] for r in conn.execute(f"PRAGMA table_info({table})")}
            if column and not info.get(column):  # neither NOT NULL nor part of the key
                conn.execute(f"UPDATE {table} SET {column} = NULL WHERE rowid = ?", [rowid])
            else:
                conn.execute(f"DELETE FROM {table} WHERE rowid = ?", [rowid])


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
