"""Issue 18: the store is opened defensively. Each kind of damage x each command.

Kinds of damage: random bytes over inner pages of items and listens (the header intact), a dropped
table, a garbage header, another application's SQLite file at tuneup's path (with and without a
table named like tuneup's), and tuneup.db pointing at a device. For every command: no traceback,
exit 0 or one line ``tuneup: error: ...``. Once damage is found, nothing writes to the file (scan and
import look for damage before they start); ``doctor`` reports it and ``doctor --repair`` backs the
file up and rebuilds a store that every command then uses. A foreign file is never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3

import pytest
from hardening_data import checkpoint, damage_pages, drop_table, foreign_db, old_store
from media import make_audio
from tuidata import fill

from tuneup.env import Env
from tuneup.library.scan.scanner import scan
from tuneup.paths import get_paths


def _digest(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture
def setup(tmp_path, home):
    """A store with 400 tracks, history and one real scanned file; the files the commands need."""
    paths = get_paths(home).ensure()
    fill(paths.db_file, n_tracks=400)
    lib = tmp_path / "lib"
    song = make_audio(lib, "flac", {"title": "real", "artist": "Real"}, name="real.flac")
    env = Env(paths=paths)
    scan(env.db, [lib], workers=1)
    env.close()
    checkpoint(paths.db_file)
    listens = tmp_path / "listens.jsonl"
    line = {"listened_at": 1710093600, "track_metadata": {"artist_name": "A", "track_name": "B"}}
    listens.write_text(json.dumps(line) + "\n")
    return {"db": paths.db_file, "lib": lib, "song": song, "listens": listens, "tmp": tmp_path}


def _commands(s) -> dict[str, tuple]:
    return {
        "doctor": ("doctor",),
        "mix": ("mix", "--weekly", "--size", "5"),
        "fit": ("fit",),
        "export-data": ("export-data",),
        "forget": ("forget", "--all", "--yes"),
        "scan": ("scan", s["lib"], "--quiet"),
        "log": ("log", s["song"], "--played", "30"),
        "like": ("like", s["song"]),
        "import": ("import", "listenbrainz", s["listens"]),
    }


WRITERS = ("scan", "log", "like", "import", "forget")


def _one_line_or_ok(proc, what) -> None:
    assert "Traceback" not in proc.stderr, (what, proc.stderr)
    assert proc.returncode in (0, 1), (what, proc.returncode, proc.stderr)
    if proc.returncode == 1 and "doctor" not in str(what):  # doctor's report is on stdout
        lines = [line for line in proc.stderr.splitlines() if line.startswith("tuneup: error:")]
        assert len(lines) == 1, (what, proc.stderr)


def _damage(kind: str, db) -> None:
    if kind == "pages":
        damage_pages(db, pages=3)
    elif kind == "dropped":
        drop_table(db, "listens")
    elif kind == "header":
        with open(db, "r+b") as fh:
            fh.write(os.urandom(100))


@pytest.mark.parametrize("kind", ["pages", "dropped", "header"])
def test_damage_found_stops_every_write_and_repair_recovers(setup, tuneup_cmd, kind):
    db, commands = setup["db"], _commands(setup)
    _damage(kind, db)
    for name, args in commands.items():  # before anyone has looked: each works or fails in a line
        proc = tuneup_cmd(*args, check=False)
        _one_line_or_ok(proc, (kind, name))
        if name in ("scan", "import"):  # long writers look for damage first
            assert proc.returncode == 1 and "damaged" in proc.stderr, (kind, name, proc.stderr)
    doctor = tuneup_cmd("doctor", check=False)
    assert doctor.returncode == 1 and "Traceback" not in doctor.stderr
    assert "doctor --repair" in doctor.stdout + doctor.stderr
    before = _digest(db)
    for name in WRITERS:  # found: no command writes to it
        proc = tuneup_cmd(*commands[name], check=False)
        _one_line_or_ok(proc, (kind, "after", name))
        assert proc.returncode == 1 and "damaged" in proc.stderr, (kind, name, proc.stderr)
    assert _digest(db) == before
    repaired = tuneup_cmd("doctor", "--repair", "--json", check=False)
    if kind == "header":  # nothing can be read: said so, the file left as it was
        assert repaired.returncode == 1 and "nothing could be read" in repaired.stderr
        assert _digest(db) == before
        return
    assert repaired.returncode == 0, repaired.stderr
    result = json.loads(repaired.stdout)
    assert os.path.exists(result["backup"]) and oct(os.stat(result["backup"]).st_mode)[-3:] == "600"
    assert result["kept"]["items"] > 300  # most of the library came through
    assert json.loads(tuneup_cmd("doctor", "--json").stdout)["database"]["damage"] is None
    for name in WRITERS:
        tuneup_cmd(*commands[name])  # a repaired store takes writes again
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM listens WHERE source = 'hook'").fetchone()[0] >= 0


@pytest.mark.parametrize("clash", [False, True])
def test_another_applications_database_is_refused_untouched(tmp_path, home, tuneup_cmd, clash):
    db = get_paths(home).db_file
    foreign_db(db, clash=clash)
    before = _digest(db)
    lib = tmp_path / "lib"
    song = make_audio(lib, "flac", {"title": "real", "artist": "Real"}, name="real.flac")
    s = {"lib": lib, "song": song, "listens": song}
    for name, args in _commands(s).items():
        proc = tuneup_cmd(*args, check=False)
        _one_line_or_ok(proc, name)
        assert proc.returncode == 1, (name, proc.stdout)
        assert "not a tuneup database" in proc.stdout + proc.stderr, (name, proc.stderr)
    assert _digest(db) == before
    assert not os.path.exists(f"{db}-wal")  # not even switched to WAL


def test_a_device_at_the_store_path_is_refused_in_one_line(tmp_path, home, tuneup_cmd):
    db = get_paths(home).ensure().db_file
    os.symlink("/dev/zero", db)
    lib = tmp_path / "lib"
    song = make_audio(lib, "flac", {"title": "real", "artist": "Real"}, name="real.flac")
    for name, args in _commands({"lib": lib, "song": song, "listens": song}).items():
        proc = tuneup_cmd(*args, check=False, timeout=60)
        _one_line_or_ok(proc, name)
        assert proc.returncode == 1 and "device" in proc.stdout + proc.stderr, (name, proc.stderr)


def test_an_older_tuneup_database_is_adopted(tmp_path, home, tuneup_cmd):
    """A store made before the application id existed is tuneup's: it gets the id and works."""
    db = old_store(get_paths(home).db_file, 4)
    assert tuneup_cmd("ls").returncode == 0
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA application_id").fetchone()[0] != 0
    conn.close()


def test_loose_modes_are_tightened_and_doctor_says_so(tmp_path, home, tuneup_cmd):
    db = get_paths(home).ensure().db_file
    fill(db, n_tracks=20)
    os.chmod(db, 0o644)
    report = json.loads(tuneup_cmd("doctor", "--json").stdout)
    assert any("0644" in note for note in report["database"]["modes"])
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{db}{suffix}"):
            assert os.stat(f"{db}{suffix}").st_mode & 0o077 == 0, suffix
