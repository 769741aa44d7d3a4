"""Issue 18, what an outside probe broke: values read from files are bounded and finite.

One malformed Matroska file must cost that file, never the scan; an infinite duration must never
reach the store, and one stored before (by an older tuneup) must not crash ls, stats, the TUI or
make --json emit the non-JSON token ``Infinity``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3

from hardening_data import matroska, old_store
from media import make_audio

from tuneup.library.scan import reader as reader_mod
from tuneup.library.scan import scanner as scanner_mod
from tuneup.library.scan.scanner import scan
from tuneup.library.video import matroska as matroska_mod
from tuneup.paths import get_paths
from tuneup.store import open_db
from tuneup.store.schema import MIGRATION_FINITE_VALUES, MIGRATIONS

# the schema before the migration that clears stored Inf
BEFORE_FINITE = MIGRATIONS.index(MIGRATION_FINITE_VALUES)


def _strict_json(text: str):
    """json.loads that refuses Infinity/NaN, as every other JSON reader does."""

    def refuse(token):
        raise ValueError(f"non-JSON token {token}")

    return json.loads(text, parse_constant=refuse)


def _odd_videos(lib):
    lib.mkdir(parents=True, exist_ok=True)
    (lib / "wide.mkv").write_bytes(matroska(width=b"\x01" * 9, title="wide"))
    (lib / "inf.mkv").write_bytes(matroska(duration=float("inf"), title="inf"))
    (lib / "huge.mkv").write_bytes(matroska(duration=1e300, timescale=2**62, title="huge"))
    (lib / "long.mkv").write_bytes(matroska(duration=1e15, title="long"))  # 31 years


def test_matroska_integer_wider_than_8_bytes_costs_nothing(tmp_path, home, tuneup_cmd):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "wide.mkv").write_bytes(matroska(width=b"\x01" * 9, title="wide"))
    make_audio(lib, "flac", {"title": "good", "artist": "A"}, name="good.flac")
    proc = tuneup_cmd("scan", lib, "--json", check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    db = open_db(get_paths(home).db_file)
    titles = {r[0] for r in db.execute("SELECT title FROM items")}
    assert "good" in titles  # the batch holding the odd file is saved
    width = db.execute("SELECT width FROM items WHERE path LIKE '%wide.mkv'").fetchone()
    assert width is None or width[0] is None or width[0] < 65536
    assert tuneup_cmd("scan", "--json").returncode == 0  # and a rescan works too


def test_infinite_and_huge_durations_never_reach_the_store(tmp_path, home, tuneup_cmd):
    lib = tmp_path / "lib"
    _odd_videos(lib)
    summary = _strict_json(tuneup_cmd("scan", lib, "--json").stdout)
    db = open_db(get_paths(home).db_file)
    durations = dict(
        db.execute("SELECT title, duration FROM items WHERE kind != 'track'").fetchall()
    )
    assert set(durations) == {"wide", "inf", "huge", "long"}
    assert durations["inf"] is None and durations["huge"] is None and durations["long"] is None
    reasons = " ".join(w["reason"] for w in summary["warnings"])
    assert "duration" in reasons  # the 31 years were left out, and said so
    for args in (("ls",), ("stats",), ("ls", "--json"), ("stats", "--json"), ("videos", "--json")):
        proc = tuneup_cmd(*args, check=False)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, (args, proc.stderr)
        if "--json" in args:
            _strict_json(proc.stdout)


def _store_inf(db_file) -> None:
    conn = sqlite3.connect(db_file)
    conn.execute("UPDATE items SET duration = 9e999 WHERE title = 'good'")
    conn.commit()
    conn.close()


def _scan_one(tmp_path, home, tuneup_cmd):
    lib = tmp_path / "lib"
    lib.mkdir()
    make_audio(lib, "flac", {"title": "good", "artist": "A"}, name="good.flac")
    tuneup_cmd("scan", lib)
    return get_paths(home).db_file


def test_inf_stored_by_an_older_tuneup_is_cleaned_on_open(tmp_path, home, tuneup_cmd):
    old_store(get_paths(home).db_file, BEFORE_FINITE)  # an item with duration +inf
    listing = _strict_json(tuneup_cmd("ls", "--json").stdout)
    assert [i["duration"] for i in listing] == [None]
    assert tuneup_cmd("stats").returncode == 0


def test_inf_already_in_the_store_crashes_nothing(tmp_path, home, tuneup_cmd):
    db_file = _scan_one(tmp_path, home, tuneup_cmd)
    _store_inf(db_file)  # at the current schema: no migration to clean it
    for args in (("ls",), ("stats",), ("ls", "--json"), ("stats", "--json")):
        proc = tuneup_cmd(*args, check=False)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, (args, proc.stderr)
        if "--json" in args:
            _strict_json(proc.stdout)


def test_tui_library_tab_opens_with_an_inf_duration(tmp_path, home, env, tuneup_cmd):
    from tuidata import settle

    from tuneup.tui.app import create_app
    from tuneup.tui.widgets.library_view import LibraryView

    db_file = _scan_one(tmp_path, home, tuneup_cmd)
    _store_inf(db_file)

    async def run():
        app = create_app(env)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("2")
            await settle(app, pilot)
            view = app.screen.query_one(LibraryView)
            assert len(view.rows) == 1
            assert app.is_running

    asyncio.run(run())


def test_a_value_no_column_can_hold_costs_one_file_not_the_batch(tmp_path, env, monkeypatch):
    """The writer's own guard, with the readers' bounds taken away (as on main): the odd file is
    reported, the other file in its batch is saved, and the scan goes on."""
    monkeypatch.setattr(matroska_mod, "_uint", lambda data: int.from_bytes(data, "big"))
    monkeypatch.setattr(reader_mod, "check_value", lambda column, value: (value, None))
    monkeypatch.setattr(scanner_mod, "storable", lambda value: True)  # only executemany is left
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "wide.mkv").write_bytes(matroska(width=b"\x01" * 9, title="wide"))
    make_audio(lib, "flac", {"title": "good", "artist": "A"}, name="good.flac")
    summary = scan(env.db, [lib], workers=1)
    titles = {r[0] for r in env.db.execute("SELECT title FROM items")}
    assert titles == {"good"}
    assert summary.added == 1
    assert [e["path"].endswith("wide.mkv") for e in summary.errors] == [True]
    assert "cannot store" in summary.errors[0]["reason"]


def test_a_config_file_that_is_a_fifo_huge_or_nested_is_refused_in_one_line(home, tuneup_cmd):
    """The config is read back untrusted too: bounded, regular, never blocking."""
    config = get_paths(home).ensure().config_file
    cases = {
        "fifo": lambda: os.mkfifo(config),
        "huge": lambda: config.write_text("# " + "x" * (2 << 20) + "\n"),
        "nested": lambda: config.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n"),
    }
    for name, make in cases.items():
        if config.exists() or config.is_fifo():
            config.unlink()
        make()
        proc = tuneup_cmd("stats", check=False, timeout=60)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, (name, proc.stderr)
        assert proc.stderr.startswith("tuneup: error:") and "config.toml" in proc.stderr, name
