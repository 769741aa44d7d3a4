"""Files the outside probe of issue 18 used to break tuneup, generated here byte by byte.

    from hardening_data import matroska, zip_with_method, foreign_db, damage
    (tmp / "wide.mkv").write_bytes(matroska(width=b"\\x01" * 9))
    (tmp / "inf.mkv").write_bytes(matroska(duration=float("inf")))

Each builder writes exactly the odd thing and nothing else, so a test names what it is about.
"""

from __future__ import annotations

import os
import random
import sqlite3
import struct
import zipfile
from pathlib import Path


def _size(n: int) -> bytes:
    """An EBML size in 8 bytes (always long enough for these small files)."""
    return bytes([0x01]) + n.to_bytes(7, "big")


def _element(element_id: int, payload: bytes) -> bytes:
    return element_id.to_bytes((element_id.bit_length() + 7) // 8, "big") + _size(len(payload))


def _el(element_id: int, payload: bytes) -> bytes:
    return _element(element_id, payload) + payload


def matroska(
    *,
    width: bytes = b"\x07\x80",
    height: bytes = b"\x04\x38",
    duration: float | None = 1000.0,
    timescale: int = 1_000_000,
    title: str = "probe",
) -> bytes:
    """A minimal Matroska file: EBML header, Info (TimecodeScale, Duration, Title) and one video
    track whose PixelWidth/PixelHeight are the raw big-endian bytes given."""
    header = _el(0x1A45DFA3, _el(0x4282, b"matroska"))
    info = _el(0x2AD7B1, timescale.to_bytes(8, "big"))
    if duration is not None:
        info += _el(0x4489, struct.pack(">d", duration))
    info += _el(0x7BA9, title.encode())
    video = _el(0xB0, width) + _el(0xBA, height)
    track = _el(0x83, b"\x01") + _el(0x86, b"V_VP9") + _el(0xE0, video)
    segment = _el(0x1549A966, info) + _el(0x1654AE6B, _el(0xAE, track))
    return header + _el(0x18538067, segment)


# --- zip archives --------------------------------------------------------------------------------


def zip_with_method(path: Path, name: str, data: bytes, *, method: int = 8, flags: int = 0) -> Path:
    """A zip of one member written deflated, then its method id and flag bits patched in both
    headers: method 9 is Deflate64, 99 is WinZip AES; flag bit 0 marks the member encrypted."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    raw = bytearray(path.read_bytes())
    local = raw.find(b"PK\x03\x04")
    central = raw.find(b"PK\x01\x02")
    struct.pack_into("<HH", raw, local + 6, flags, method)
    struct.pack_into("<HH", raw, central + 8, flags, method)
    path.write_bytes(bytes(raw))
    return path


def zip_corrupt_deflate(path: Path, name: str, data: bytes) -> Path:
    """A deflated member whose compressed bytes are garbage (its CRC and sizes left as they were)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    raw = bytearray(path.read_bytes())
    local = raw.find(b"PK\x03\x04")
    name_len, extra_len = struct.unpack_from("<HH", raw, local + 26)
    start = local + 30 + name_len + extra_len
    csize = struct.unpack_from("<I", raw, local + 18)[0]
    raw[start : start + csize] = bytes([0xFF]) * csize
    path.write_bytes(bytes(raw))
    return path


# --- databases -----------------------------------------------------------------------------------


def foreign_db(path: Path, *, clash: bool = False) -> Path:
    """Another application's SQLite file (a table named like one of tuneup's when ``clash``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('not tuneup''s')")
    if clash:
        conn.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, colour TEXT)")
    conn.commit()
    conn.close()
    return path


def damage_pages(path: Path, *, seed: int = 7, pages: int = 3, tables=("items", "listens")) -> None:
    """Random bytes over a few inner pages of ``tables`` (the header and the schema's own pages are
    left intact, as in the probe: SQLite opens the file and fails where it reads those rows)."""
    conn = sqlite3.connect(path)
    marks = ",".join("?" for _ in tables)
    numbers = [
        r[0]
        for r in conn.execute(
            f"SELECT pageno FROM dbstat WHERE name IN ({marks}) AND pageno > 1", list(tables)
        )
    ]
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    assert len(numbers) >= pages, f"{path}: {len(numbers)} pages of {tables}: too few to damage"
    rng = random.Random(seed)
    with open(path, "r+b") as fh:
        for number in rng.sample(numbers, pages):
            fh.seek((number - 1) * page)
            fh.write(rng.randbytes(page))


def drop_table(path: Path, table: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(f"DROP TABLE {table}")
    conn.commit()
    conn.close()


def checkpoint(path: Path) -> None:
    """Fold the WAL into the main file, so damage written to the file is what SQLite reads."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        try:
            os.unlink(f"{path}{suffix}")
        except FileNotFoundError:
            pass


def old_store(path: Path, version: int) -> Path:
    """A store as tuneup at schema ``version`` left it (no application id, the default profile)."""
    from tuneup.store.db import _statements
    from tuneup.store.schema import MIGRATIONS

    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN")
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    conn.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
    for script in MIGRATIONS[:version]:
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute(
        "INSERT INTO profiles (name, created_at) VALUES ('default', '2026-01-01T00:00:00Z')"
    )
    conn.execute(
        "INSERT INTO items (path_raw, path, kind, size, mtime_ns, added_at, updated_at, title, "
        "duration) VALUES (X'2F782E666C6163', '/x.flac', 'track', 1, 1, '2026-01-01', '2026-01-01', "
        "'old', 9e999)"
    )
    conn.execute("COMMIT")
    conn.close()
    return path
