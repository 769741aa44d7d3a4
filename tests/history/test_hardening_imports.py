"""Issue 18: import files and player reports that broke tuneup, each refused in one line or taken.

The ListenBrainz zip variants (corrupt deflate data, an encrypted member, Deflate64, AES) are made
with zipfile and their header flags/method ids patched; odd JSON types and sizes for Spotify;
extreme `log --played/--duration/--at` values; `log` on a FIFO and on /dev/zero; a listen stored
in year 9999 before `log` checked dates; a valid export whose times are written as floats.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import zipfile

import pytest
from hardening_data import zip_corrupt_deflate, zip_with_method

from tuneup.paths import get_paths

LINE = {"listened_at": 1710093600, "track_metadata": {"artist_name": "A", "track_name": "B"}}


def _lines(*entries) -> bytes:
    return b"".join(json.dumps(e).encode() + b"\n" for e in entries)


def _count(home, table="listens") -> int:
    db = get_paths(home).db_file
    if not db.exists():
        return 0
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def _refused(proc, *words) -> None:
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tuneup: error:"), proc.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


@pytest.mark.parametrize(
    "variant, words",
    [
        ("corrupt", ("cannot be unpacked",)),
        ("encrypted", ("encrypted",)),
        ("deflate64", ("Deflate64",)),
        ("aes", ("encrypted",)),
        ("aes-unflagged", ("AES",)),
    ],
)
def test_zip_members_zipfile_cannot_read_are_refused_in_one_line(
    tmp_path, home, tuneup_cmd, variant, words
):
    path, member, data = tmp_path / f"{variant}.zip", "listens/2024/3.jsonl", _lines(LINE) * 200
    if variant == "corrupt":
        zip_corrupt_deflate(path, member, data)
    elif variant == "encrypted":
        zip_with_method(path, member, data, flags=0x1)
    elif variant == "deflate64":
        zip_with_method(path, member, data, method=9)
    elif variant == "aes":
        zip_with_method(path, member, data, method=99, flags=0x1)
    else:
        zip_with_method(path, member, data, method=99)
    _refused(tuneup_cmd("import", "listenbrainz", path, check=False), *words, member)
    assert _count(home) == 0


@pytest.mark.parametrize("reason", [["trackdone"], {"why": "trackdone"}, 7])
def test_spotify_reason_end_of_the_wrong_type_is_refused(tmp_path, home, tuneup_cmd, reason):
    entry = {
        "ts": "2024-03-11T10:00:00Z",
        "ms_played": 200000,
        "master_metadata_track_name": "T",
        "master_metadata_album_artist_name": "A",
        "reason_end": reason,
    }
    path = tmp_path / "Streaming_History_Audio_2024.json"
    path.write_text(json.dumps([entry]))
    _refused(tuneup_cmd("import", "spotify-extended", path, check=False), "reason_end", "entry 1")


def test_a_title_of_a_megabyte_is_refused(tmp_path, home, tuneup_cmd):
    entry = {
        "ts": "2024-03-11T10:00:00Z",
        "ms_played": 200000,
        "master_metadata_track_name": "t" * (1 << 20),
        "master_metadata_album_artist_name": "A",
    }
    path = tmp_path / "Streaming_History_Audio_2024.json"
    path.write_text(json.dumps([entry]))
    _refused(tuneup_cmd("import", "spotify-extended", path, check=False), "characters long")
    assert _count(home) == 0


def test_listenbrainz_duration_in_seconds_is_checked_after_x1000(tmp_path, home, tuneup_cmd):
    entry = json.loads(json.dumps(LINE))
    entry["track_metadata"]["additional_info"] = {"duration": 10**9}  # 31 years
    path = tmp_path / "3.jsonl"
    path.write_bytes(_lines(entry))
    _refused(tuneup_cmd("import", "listenbrainz", path, check=False), "duration", "line 1")


@pytest.mark.parametrize("at", [1710093600.0, "1710093600", "1710093600.0"])
def test_listenbrainz_times_written_as_floats_or_text_are_taken(tmp_path, home, tuneup_cmd, at):
    entries = [dict(LINE, listened_at=at), dict(LINE, listened_at=1710093600 + 600)]
    jsonl = tmp_path / "listens" / "2024" / "3.jsonl"
    jsonl.parent.mkdir(parents=True)
    jsonl.write_bytes(b"\n\n" + _lines(*entries))
    summary = json.loads(tuneup_cmd("import", "listenbrainz", jsonl, "--json").stdout)
    assert summary["imported"] == 2
    export = tmp_path / "export.zip"  # the same inside the export's zip
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "listens/2024/3.jsonl",
            _lines(*entries)
            + _lines(dict(LINE, listened_at=at + 60 if isinstance(at, float) else 1710093660)),
        )
    summary = json.loads(tuneup_cmd("import", "listenbrainz", export, "--json").stdout)
    assert summary["imported"] == 1 and summary["duplicates"] == 2
    conn = sqlite3.connect(get_paths(home).db_file)
    assert (
        conn.execute("SELECT min(started_at) FROM listens")
        .fetchone()[0]
        .startswith("2024-03-10T18:00:00")
    )


@pytest.mark.parametrize("at", [1710093600.5, float("inf"), "yesterday", "1e999", True])
def test_listenbrainz_times_that_are_wrong_are_still_refused(tmp_path, home, tuneup_cmd, at):
    path = tmp_path / "3.jsonl"
    text = json.dumps(dict(LINE, listened_at=at), allow_nan=True)
    path.write_text(text + "\n")
    _refused(tuneup_cmd("import", "listenbrainz", path, check=False), "listened_at")


def test_a_bad_line_after_many_blank_ones_is_named_by_its_number(tmp_path, home, tuneup_cmd):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "listens/2024/3.jsonl",
            _lines(LINE) + b"\n" * 3_000_000 + b"  \r\n{not json}\n" + _lines(LINE),
        )
    _refused(tuneup_cmd("import", "listenbrainz", path, check=False), "line 3000003")


# --- tuneup log ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, words",
    [
        (("--played", "inf"), ("--played",)),
        (("--played", "1e308"), ("--played",)),
        (("--played", "10", "--duration", "inf"), ("--duration",)),
        (("--played", "10", "--at", "9999-12-31T23:59:59Z"), ("1990-2100",)),
        (("--played", "10", "--at", "0001-01-01T00:00:00Z"), ("1990-2100",)),
        (("--played", "10", "--at", "1989-12-31T23:59:59Z"), ("1990-2100",)),
    ],
)
def test_log_refuses_impossible_numbers_and_dates_in_one_line(
    tmp_path, home, tuneup_cmd, args, words
):
    _refused(tuneup_cmd("log", tmp_path / "x.flac", *args, check=False), *words)
    assert _count(home) == 0


def test_history_shows_a_listen_stored_in_year_9999_in_any_zone(tmp_path, home, tuneup_cmd):
    tuneup_cmd("log", tmp_path / "x.flac", "--played", "10")
    conn = sqlite3.connect(get_paths(home).db_file)
    conn.execute(
        "INSERT INTO listens (profile_id, started_at, ms_played, end_reason, source, title) "
        "VALUES (1, '9999-12-31T23:59:59+00:00', 1000, 'finished', 'hook', 'future'), "
        "(1, '0001-01-01T00:00:00+00:00', 1000, 'finished', 'hook', 'past')"
    )
    conn.commit()
    conn.close()
    for zone in ("Asia/Tokyo", "Pacific/Kiritimati", "America/Los_Angeles", "UTC"):
        for args in (("history",), ("history", "--json"), ("export-data",)):
            proc = tuneup_cmd(*args, check=False, env_extra={"TZ": zone})
            assert proc.returncode == 0 and "Traceback" not in proc.stderr, (zone, proc.stderr)


def test_log_on_a_fifo_returns_and_records(tmp_path, home, tuneup_cmd):
    fifo = tmp_path / "pipe.flac"
    os.mkfifo(fifo)
    proc = tuneup_cmd("log", fifo, "--played", "12", "--json", timeout=60)
    assert json.loads(proc.stdout)["ms_played"] == 12000
    assert _count(home) == 1


_PEAK = """
import resource, subprocess, sys
limit = 1 << 30
run = subprocess.run(
    [sys.executable, "-m", "tuneup", "log", "/dev/zero", "--played", "5"],
    capture_output=True, timeout=120,
    preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_DATA, (limit, limit)),
)
print(run.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def test_log_on_dev_zero_stays_in_bounded_memory(home):
    """Its peak memory is measured in a process of its own (ru_maxrss of that one child); with a
    1 GiB cap on the heap, reading /dev/zero as a tagged file would reach the cap."""
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", _PEAK], capture_output=True, text=True, timeout=180
    ).stdout.split()
    returncode, peak_kib = int(out[0]), int(out[1])
    assert returncode == 0
    assert peak_kib < 400 * 1024, f"peak {peak_kib >> 10} MiB"
    assert _count(home) == 1


# --- the player hook never waits for a busy store --------------------------------------------


def _wait_for(predicate, seconds=90.0) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_log_returns_while_another_writer_holds_the_store_and_loses_nothing(
    tmp_path, home, tuneup_cmd
):
    tuneup_cmd("log", tmp_path / "first.flac", "--played", "10")  # the store exists
    db_file = get_paths(home).db_file
    holder = sqlite3.connect(db_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a long import transaction
    try:
        proc = tuneup_cmd("log", tmp_path / "second.flac", "--played", "20", "--json", timeout=60)
        assert json.loads(proc.stdout)["queued"] is True
        assert proc.stderr == ""  # a player's log stays quiet: the listen is safe
        assert _count(home) == 1  # not in yet: the writer still holds the store
        spool = get_paths(home).data_dir / "spool"
        assert len(list(spool.glob("*.json"))) == 1  # but kept safely
    finally:
        holder.execute("COMMIT")
        holder.close()
    assert _wait_for(lambda: _count(home) == 2)  # the detached drainer recorded it
    assert _wait_for(lambda: not list(spool.glob("*.json")))


def test_a_report_left_in_the_spool_is_recorded_by_the_next_history(tmp_path, home, tuneup_cmd):
    from tuneup.history.log import prepare
    from tuneup.history.spool import enqueue, handover, spool_dir

    tuneup_cmd("log", tmp_path / "first.flac", "--played", "10")
    event = prepare(str(tmp_path / "left.flac"), played=40.0, at="2026-03-01T10:00:00Z")
    # handed over by a busy `log`, and its drainer killed before it recorded it
    handover(enqueue(spool_dir(get_paths(home).data_dir), event))
    rows = json.loads(tuneup_cmd("history", "--json").stdout)
    assert {r["title"] for r in rows} == {"first", "left"}
