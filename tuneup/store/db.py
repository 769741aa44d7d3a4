"""Opening the database: WAL, foreign keys, a busy timeout, forward migrations.

One connection per thread. Writers use :func:`write` (BEGIN IMMEDIATE), so two
processes never deadlock upgrading a read lock, and the busy timeout makes them
queue instead of failing with "database is locked".
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tuneup.errors import DiskFullError, StoreError, is_disk_full
from tuneup.paths import ensure_dir
from tuneup.store import guard
from tuneup.store.schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_S = 60.0
DEFAULT_PROFILE = "default"
_TABLES = guard.tables_of(MIGRATIONS)


class Database:
    """One SQLite connection and the one call the code makes on it, ``execute``; ``conn`` is the
    sqlite3 connection itself (executemany, close, transactions).

    This replaced ``Database``, which tuneup used for nothing else: its Table API
    creates and alters tables from the data it is given, which a store whose schema only the
    migrations change must not do, and importing it cost every command ~0.2 s of CPU (it loads
    numpy; bench/RESULTS.md)."""

    __slots__ = ("conn", "store_path", "damage", "tightened", "patient", "full")

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.store_path: Path | None = None  # None: in memory
        self.damage: str | None = None  # why the store is read-only (tuneup.store.guard)
        self.tightened: list[str] = []  # file modes open_db tightened, for doctor
        self.patient = True  # False: a write waits only the busy timeout, once (player hooks)
        self.full: str | None = None  # opened read-only because the disk is full: why

    def execute(self, sql: str, parameters=None) -> sqlite3.Cursor:
        if parameters is None:
            return self.conn.execute(sql)
        return self.conn.execute(sql, parameters)

    def __repr__(self) -> str:
        return f"<Database {self.conn!r}>"


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def open_db(path: Path | str, *, migrate: bool = True) -> Database:
    """Open (creating if needed, owner-only) the database at ``path`` and bring its schema up to date.

    The file must be tuneup's (see :mod:`tuneup.store.guard`): another application's SQLite file
    is refused untouched. A store marked damaged, or found damaged here, is opened read-only and
    ``db.damage`` says why; :func:`write` then refuses."""
    memory = str(path) == ":memory:"
    tightened: list[str] = []
    if not memory:
        path = Path(path)
        ensure_dir(path.parent)
        guard.check_file(path)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        tightened = guard.tighten_modes(path)
        # SQLite's temp files (big sorts, VACUUM) beside the database: a full /var/tmp must not
        # be reported as this disk being full
        os.environ.setdefault("SQLITE_TMPDIR", str(path.parent))
    conn = None
    damage = None if memory else guard.damage_note(path)
    try:
        conn = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        adopt = _retry_locked(lambda: guard.check_identity(conn, path))
        if damage is None and not adopt:
            missing = guard.missing_tables(conn, _TABLES)
            if missing and schema_version_of(conn) >= SCHEMA_VERSION:
                damage = f"table {', '.join(missing)} missing"
                guard.mark_damaged(path, damage)
        if damage is None:
            _retry_locked(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            conn.execute("PRAGMA synchronous = NORMAL")
        else:
            conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        if disk_full(exc, str(path)):
            read_only = _open_read_only(path)  # a full disk must not stop ls, stats, history...
            if read_only is not None:
                return read_only
            raise DiskFullError(f"{path}: cannot open the database: the disk is full") from None
        if guard.is_damage(exc):
            guard.mark_damaged(path, str(exc))
            raise guard.damaged_error(path, str(exc)) from None
        raise StoreError(f"{path}: cannot open database ({exc})") from None
    except BaseException:
        if conn is not None:
            conn.close()
        raise
    db = Database(conn)
    db.store_path, db.damage, db.tightened = (None if memory else path), damage, tightened
    if migrate and damage is None:
        try:
            migrate_db(db, set_application_id=adopt)
        except BaseException:
            conn.close()
            raise
    return db


def _open_read_only(path: Path) -> Database | None:
    """The store for reading only, when the disk is too full for SQLite's shared-memory index.

    Possible when the write-ahead log is empty or gone (every commit is in the main file, as after
    any clean close): SQLite then reads the file as immutable, with no index and no locks. A write
    through :func:`write` says the disk is full. None when the log still holds commits."""
    from urllib.parse import quote

    wal = Path(f"{path}-wal")
    try:
        if wal.exists() and wal.stat().st_size > 0:
            return None
        conn = sqlite3.connect(
            f"file:{quote(str(path))}?mode=ro&immutable=1",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
        )
        conn.execute("PRAGMA query_only = ON")
        if schema_version_of(conn) != SCHEMA_VERSION:  # it cannot be migrated now
            conn.close()
            return None
    except (OSError, sqlite3.Error):
        return None
    db = Database(conn)
    db.store_path, db.full = path, f"{path}: cannot write the database: the disk is full"
    return db


def schema_version_of(conn: sqlite3.Connection) -> int:
    try:
        row = conn.execute("SELECT version FROM schema_version").fetchone()
    except sqlite3.OperationalError:
        return 0
    return row[0] if row else 0


@contextmanager
def connection(path: Path | str) -> Iterator[Database]:
    """A connection of this thread's own (workers never share one), closed when the block ends."""
    db = open_db(path)
    try:
        yield db
    finally:
        db.conn.close()


def _retry_locked(fn, attempts: int = 50):
    for i in range(attempts):
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or i == attempts - 1:
                raise
            time.sleep(0.05 * (i + 1))


def schema_version(db: Database) -> int:
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not exists:
        return 0
    row = db.execute("SELECT version FROM schema_version").fetchone()
    return row[0] if row else 0


def migrate_db(db: Database, *, set_application_id: bool = False) -> int:
    """Run every pending migration, each in its own transaction. Returns the new version."""
    if schema_version(db) == SCHEMA_VERSION and not set_application_id:
        return SCHEMA_VERSION
    with write(db):
        db.execute(f"PRAGMA application_id = {guard.APPLICATION_ID}")
        current = schema_version(
            db
        )  # re-read under the write lock: another process may have migrated
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"database schema {current} is newer than this tuneup ({SCHEMA_VERSION}); upgrade tuneup"
            )
        if current == 0:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            db.execute("INSERT INTO schema_version (version) VALUES (0)")
        for number in range(current + 1, SCHEMA_VERSION + 1):
            for statement in _statements(MIGRATIONS[number - 1]):
                db.execute(statement)
            db.execute("UPDATE schema_version SET version = ?", [number])
        if current == 0:
            db.execute(
                "INSERT OR IGNORE INTO profiles (name, created_at) VALUES (?, ?)",
                [DEFAULT_PROFILE, utcnow()],
            )
    return SCHEMA_VERSION


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (sqlite3.complete_statement knows about strings)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """A write transaction: BEGIN IMMEDIATE, COMMIT on success, ROLLBACK on any error."""
    conn = db.conn
    if conn.in_transaction:  # nested: join the outer transaction
        yield db
        return
    store = getattr(db, "store_path", None)
    if getattr(db, "full", None):
        raise DiskFullError(db.full)
    if store is not None and (db.damage or guard.damage_note(store)):
        raise guard.damaged_error(store, db.damage)
    try:
        _retry_locked(lambda: conn.execute("BEGIN IMMEDIATE"), 50 if db.patient else 1)
        yield db
        _retry_locked(lambda: conn.execute("COMMIT"))
    except BaseException as exc:
        if conn.in_transaction:  # SQLite may have rolled back already (a full disk does that)
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        if isinstance(exc, sqlite3.Error) and disk_full(exc, _file_of(conn)):
            raise DiskFullError(
                f"{_file_of(conn)}: cannot write the database: the disk is full"
            ) from None
        if guard.is_damage(exc) and store is not None:
            guard.mark_damaged(store, str(exc))
            db.damage = str(exc)
            raise guard.damaged_error(store, str(exc)) from None
        raise


def check_before_long_write(db: Database) -> None:
    """Refuse a damaged store before a scan or an import adds to it (see guard.quick_check)."""
    store = getattr(db, "store_path", None)
    if store is None:
        return
    if db.damage or guard.damage_note(store):
        raise guard.damaged_error(store, db.damage)
    guard.quick_check(db, store)


def disk_full(exc: BaseException, db_file: str) -> bool:
    """A write to ``db_file`` failed for lack of space. SQLite reports some of those (growing its
    shared-memory index) as a plain I/O error, so then the database's file system is asked."""
    if is_disk_full(exc):
        return True
    if (getattr(exc, "sqlite_errorname", None) or "").startswith("SQLITE_IOERR"):
        try:
            st = os.statvfs(os.path.dirname(os.path.abspath(db_file)))
        except OSError:
            return False
        return st.f_bavail * st.f_frsize < 256 * 1024
    return False


def _file_of(conn: sqlite3.Connection) -> str:
    try:
        return conn.execute("PRAGMA database_list").fetchone()[2] or "the database"
    except sqlite3.Error:
        return "the database"


def profile_id(db: Database, name: str | None = None, *, create: bool = True) -> int:
    """The id of profile ``name`` (default profile when None), created on first use."""
    name = name or DEFAULT_PROFILE
    row = db.execute("SELECT id FROM profiles WHERE name = ?", [name]).fetchone()
    if row:
        return row[0]
    if not create:
        from tuneup.errors import NotFoundError

        raise NotFoundError(f"no profile named {name!r}")
    with write(db):
        db.execute(
            "INSERT OR IGNORE INTO profiles (name, created_at) VALUES (?, ?)", [name, utcnow()]
        )
    return db.execute("SELECT id FROM profiles WHERE name = ?", [name]).fetchone()[0]
