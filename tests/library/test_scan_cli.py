"""`tuneup scan / ls / stats / doctor` through the real command line."""

import json

from media import make_audio

from tuneup.store import open_db, write
from tuneup.store.db import utcnow

NASTY = "Evil \x1b[31mred\x1b[0m [bold]markup[/bold]\nnewline"


def _library(lib):
    make_audio(
        lib / "Anna" / "First (2001)",
        "flac",
        {
            "title": "One",
            "artist": "Anna",
            "album": "First",
            "tracknumber": 1,
            "genre": "Rock; Pop",
            "date": "2001",
            "bpm": "120",
        },
        name="01 - One.flac",
    )
    make_audio(
        lib / "Anna" / "First (2001)",
        "mp3",
        {"title": NASTY, "artist": "Anna", "album": "First", "genre": "rock"},
        name="02 - Two.mp3",
    )
    make_audio(lib / "Bob" / "Demos", "ogg", name="03 - Untagged Song.ogg")
    (lib / "broken.opus").write_bytes(b"OggS" + b"\x00" * 100)


def test_scan_ls_stats_doctor_json(tuneup_cmd, home, tmp_path):
    lib = tmp_path / "lib"
    _library(lib)
    first = json.loads(tuneup_cmd("scan", lib, "--json").stdout)
    assert (first["added"], first["unchanged"], len(first["errors"])) == (3, 0, 1)
    assert first["errors"][0]["path"].endswith("broken.opus") and first["errors"][0]["reason"]
    second = json.loads(tuneup_cmd("scan", "--json").stdout)
    assert (second["added"], second["unchanged"]) == (0, 3)

    db = open_db(home / "data" / "tuneup.db")
    one_id = db.execute("SELECT id FROM items WHERE title = 'One'").fetchone()[0]
    with write(db):
        db.execute(
            "INSERT INTO features (item_id, version, computed_at, status, data) VALUES (?, 1, ?, 'ok', ?)",
            [one_id, utcnow(), json.dumps({"tempo": 120.5})],
        )

    items = json.loads(tuneup_cmd("ls", "--json").stdout)
    assert len(items) == 3
    by_title = {i["title"]: i for i in items}
    one = by_title["One"]
    assert one["genres"] == ["Rock", "Pop"] and one["year"] == 2001 and one["bpm"] == 120
    assert one["features"] == {"tempo": 120.5} and one["feature_status"] == "ok"
    assert {
        "codec",
        "duration",
        "sample_rate",
        "mb_trackid",
        "rg_track_gain",
        "fingerprint",
        "guessed",
    } <= set(one)
    assert by_title[NASTY]["genres"] == ["Rock"]  # "rock" and "Rock" are one genre (issue 17)
    assert by_title["Untagged Song"]["guessed"] == ["title", "artist", "album", "tracknumber"]
    assert "features" not in by_title["Untagged Song"]

    assert [i["title"] for i in json.loads(tuneup_cmd("ls", "genre:pop", "--json").stdout)] == [
        "One"
    ]
    assert [i["title"] for i in json.loads(tuneup_cmd("ls", "untagged", "--json").stdout)] == [
        "Untagged Song"
    ]
    assert (
        len(json.loads(tuneup_cmd("ls", "year:2000..2002", "--json").stdout)) == 2
    )  # one year from the folder

    stats = json.loads(tuneup_cmd("stats", "--json").stdout)
    assert stats["by_kind"] == {"track": 3} and stats["by_format"] == {
        "flac": 1,
        "mp3": 1,
        "ogg": 1,
    }
    assert stats["artists"] == 2 and stats["albums"] == 2 and stats["genres"] == 2
    assert stats["untagged"] == 1 and stats["share_untagged"] == round(1 / 3, 4)
    assert stats["errors"] == 1 and stats["total_duration_s"] > 2.5
    assert stats["video"] == {
        "movies": 0,
        "series": 0,
        "seasons": 0,
        "episodes": 0,
        "other_videos": 0,
    }

    doctor = json.loads(tuneup_cmd("doctor", "--json").stdout)
    assert doctor["database"]["integrity"] == "ok"
    assert doctor["tools"]["ffmpeg"]["found"] and doctor["tools"]["ffmpeg"]["version"].startswith(
        "ffmpeg"
    )
    assert doctor["tools"]["mpv"]["found"]
    assert doctor["roots"][0]["path"] == str(lib) and doctor["roots"][0]["reachable"]
    assert [e["path"] for e in doctor["scan_errors"]] == [str(lib / "broken.opus")]


def test_terminal_output_is_sanitised_and_data_only_on_stdout(tuneup_cmd, home, tmp_path):
    lib = tmp_path / "lib"
    _library(lib)
    scan = tuneup_cmd("scan", lib)
    assert scan.stdout == ""  # messages go to stderr
    assert "3 added" in scan.stderr and "broken.opus" in scan.stderr
    out = tuneup_cmd("ls", "--long").stdout
    assert "\x1b" not in out and "[bold]markup[/bold]" in out  # no escapes; markup shown literally
    assert "Evil red" in out
    assert "Rock" in tuneup_cmd("stats").stdout
    doctor = tuneup_cmd("doctor").stdout
    assert "integrity ok" in doctor and "broken.opus" in doctor


def test_scan_without_roots_explains(tuneup_cmd, home):
    proc = tuneup_cmd("scan", check=False)
    assert (
        proc.returncode == 1
        and "tuneup scan FOLDER" in proc.stderr
        and "Traceback" not in proc.stderr
    )
    bad = tuneup_cmd("scan", "/definitely/not/here", check=False)
    assert bad.returncode == 1 and "not a folder" in bad.stderr


def test_names_that_are_not_utf8_survive_the_cli(tuneup_cmd, home, tmp_path):
    import os
    import shutil

    lib = tmp_path / "lib"
    src = make_audio(tmp_path / "src", "mp3", {"title": "Chanson", "artist": "Édith"})
    lib.mkdir()
    raw = os.fsencode(lib) + b"/caf\xe9.mp3"
    shutil.copy(src, os.fsdecode(raw))
    assert json.loads(tuneup_cmd("scan", lib, "--json").stdout)["added"] == 1
    items = json.loads(tuneup_cmd("ls", "--json").stdout)
    assert (
        items[0]["path"] == raw.decode("utf-8", "backslashreplace")
        and items[0]["artist"] == "Édith"
    )
    assert "Chanson" in tuneup_cmd("ls", "-l").stdout
    db = open_db(home / "data" / "tuneup.db")
    assert db.execute("SELECT path_raw FROM items").fetchone()[0] == raw
