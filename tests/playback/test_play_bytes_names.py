"""Issue 18: `tuneup play` plays files whose names are not UTF-8 (real mpv, --ao=null).

The library keeps such a name as raw bytes (path_raw); mpv's JSON IPC takes the raw bytes inside a
JSON string and opens that very file, and reports it back the same way. Before, the player sent
the display form of the name (its bad bytes escaped), which names no file: an `error` listen.
"""

from __future__ import annotations

import os
import sqlite3

from media import make_audio

from tuneup.paths import get_paths

MPV_ARGS = "--no-config --ao=null --vo=null"


def test_play_loads_a_file_whose_name_is_not_utf8(tmp_path, home, tuneup_cmd):
    lib = tmp_path / "lib"
    made = make_audio(lib, "flac", {"title": "Café", "artist": "Latin-1"}, name="x.flac")
    raw = os.path.join(os.fsencode(lib), b"caf\xe9 \xff.flac")
    os.rename(made, raw)
    tuneup_cmd("scan", lib, "--quiet")
    conn = sqlite3.connect(get_paths(home).db_file)
    (item_id,) = conn.execute("SELECT id FROM items WHERE path_raw = ?", [raw]).fetchone()
    conn.close()
    for target in (str(item_id), os.fsdecode(raw)):  # by id, and by the path as the shell gives it
        proc = tuneup_cmd("play", target, env_extra={"TUNEUP_MPV_ARGS": MPV_ARGS}, timeout=120)
        assert "Traceback" not in proc.stderr, proc.stderr
    conn = sqlite3.connect(get_paths(home).db_file)
    rows = conn.execute("SELECT item_id, end_reason FROM listens ORDER BY id").fetchall()
    conn.close()
    assert rows == [(item_id, "finished"), (item_id, "finished")], rows
