"""Property tests for the schema migrations: every old version upgrades to the current one with data intact.

For every version k, a database is built as tuneup at version k left it (MIGRATIONS[:k], then the default
profile), every table that exists at k is filled with generated rows (types, NOT NULL, CHECK lists and foreign
keys read from the schema itself, so new migrations are covered without editing this file), and then
open_db() from the current code must upgrade it: same rows in every old column, integrity and foreign keys
ok, and the same schema as a new database. A database from a newer tuneup is refused and left alone.
"""

import re
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuneup.errors import StoreError
from tuneup.store import open_db
from tuneup.store.db import _statements
from tuneup.store.schema import MIGRATIONS, SCHEMA_VERSION

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_CHECK_IN = re.compile(r"(\w+)\s+IN\s*\(([^)]*)\)", re.I)

text = st.text(st.characters(codec="utf-8"), max_size=20)  # SQLite stores UTF-8: no lone surrogates
VALUES = {
    "INTEGER": st.integers(-(2**63), 2**63 - 1),
    # SQLite stores NaN as NULL; migration 5 clears impossible values (inf, a negative or week-long
    # duration) on purpose, so the rows that must come through intact hold possible ones
    "REAL": st.floats(allow_nan=False, allow_infinity=False),
    "BLOB": st.binary(max_size=20),
    "TEXT": text,
}

BOUNDED = {"duration": st.floats(0, 604800)}


def build(path: Path, version: int) -> None:
    """The database as tuneup's migrate_db left it at ``version``."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN")
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    conn.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
    for script in MIGRATIONS[:version]:
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute(
        "INSERT INTO profiles (name, created_at) VALUES ('default', '2026-01-01T00:00:00+00:00')"
    )
    conn.execute("COMMIT")
    conn.close()


def tables(conn) -> list[str]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name != 'schema_version' ORDER BY name"
        )
    ]
    order, placed = [], set()
    while len(order) < len(names):  # referenced tables first
        for name in names:
            refs = {r[2] for r in conn.execute(f"PRAGMA foreign_key_list({name})")} - {name}
            if name not in placed and refs <= placed:
                order.append(name)
                placed.add(name)
    return order


def column_strategies(conn, table: str) -> dict:
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
    choices = {
        m.group(1).lower(): [v.strip().strip("'") for v in m.group(2).split(",")]
        for m in _CHECK_IN.finditer(sql)
    }
    fks = {r[3]: (r[2], r[4]) for r in conn.execute(f"PRAGMA foreign_key_list({table})")}
    info = list(conn.execute(f"PRAGMA table_info({table})"))
    single_pk = [c for c in info if c[5]] if sum(1 for c in info if c[5]) == 1 else []
    out = {}
    for _, name, kind, notnull, _, pk in info:
        if single_pk and pk and kind.upper() == "INTEGER" and name not in fks:
            continue  # the rowid: SQLite numbers the rows
        if name in fks:
            ref_table, ref_col = fks[name]
            ids = [r[0] for r in conn.execute(f"SELECT {ref_col or 'rowid'} FROM {ref_table}")]
            strategy = st.sampled_from(ids) if ids else st.nothing()
        elif name.lower() in choices:
            strategy = st.sampled_from(choices[name.lower()])
        elif name in BOUNDED:
            strategy = BOUNDED[name]
        else:
            strategy = VALUES.get(kind.upper(), text)
        out[name] = strategy if notnull or pk else st.none() | strategy
    return out


def fill(path: Path, data) -> dict[str, list]:
    """Generated rows in every table; returns each table's rows as stored."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    stored = {}
    for table in tables(conn):
        columns = column_strategies(conn, table)
        if any(s.is_empty for s in columns.values()):
            rows = []  # a NOT NULL reference to an empty table
        else:
            rows = data.draw(st.lists(st.fixed_dictionaries(columns), max_size=4), label=table)
        for row in rows:
            names = list(row)
            conn.execute(
                f"INSERT OR IGNORE INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                [row[n] for n in names],
            )
    for table in tables(conn):  # read after every insert: triggers write to other tables
        stored[table] = conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
    conn.close()
    return stored


def schema_of(conn) -> set:
    return set(
        conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        )
    )


@pytest.fixture(scope="module")
def fresh_schema():
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "new.db")
        yield schema_of(db.conn)
        db.conn.close()


@SETTINGS
@given(version=st.integers(1, SCHEMA_VERSION), data=st.data())
def test_every_old_version_upgrades_with_its_rows_intact(fresh_schema, version, data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tuneup.db"
        build(path, version)
        before = fill(path, data)
        db = open_db(path)
        try:
            conn = db.conn
            assert conn.execute("SELECT version FROM schema_version").fetchall() == [
                (SCHEMA_VERSION,)
            ]
            for table, rows in before.items():
                width = len(rows[0]) if rows else 0
                old_columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")][
                    :width
                ] or ["rowid"]
                now = conn.execute(
                    f"SELECT {', '.join(old_columns)} FROM {table} ORDER BY rowid"
                ).fetchall()
                assert now == rows if rows else now == [], table
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            assert schema_of(conn) == fresh_schema
            assert (
                conn.execute("SELECT count(*) FROM profiles WHERE name = 'default'").fetchone()[0]
                == 1
            )
        finally:
            db.conn.close()


@settings(max_examples=10, deadline=None)
@given(ahead=st.integers(1, 1000), data=st.data())
def test_a_database_from_a_newer_tuneup_is_refused_and_left_alone(ahead, data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tuneup.db"
        build(path, SCHEMA_VERSION)
        before = fill(path, data)
        conn = sqlite3.connect(path)
        with conn:
            conn.execute("UPDATE schema_version SET version = ?", [SCHEMA_VERSION + ahead])
        conn.close()
        with pytest.raises(
            StoreError, match=rf"schema {SCHEMA_VERSION + ahead} is newer than this tuneup"
        ):
            open_db(path)
        conn = sqlite3.connect(path)
        try:
            assert (
                conn.execute("SELECT version FROM schema_version").fetchone()[0]
                == SCHEMA_VERSION + ahead
            )
            for table, rows in before.items():
                assert conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall() == rows
        finally:
            conn.close()


def test_an_empty_file_becomes_a_current_database(tmp_path, fresh_schema):
    (tmp_path / "tuneup.db").touch()
    db = open_db(tmp_path / "tuneup.db")
    assert schema_of(db.conn) == fresh_schema
    db.conn.close()
