"""The history commands end to end: feedback, log, history, import, play, hooks (real processes)."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from history_support import add_item, listens, tone

from tuneup.store import open_db, utcnow

TUNEUP = str(Path(sys.executable).parent / "tuneup")


@pytest.fixture
def song(env, tmp_path):
    path = tone(
        tmp_path / "music" / "song.ogg", 1.5, tags={"artist": "The Testers", "title": "Song One"}
    )
    item = add_item(env.db, path, artist="The Testers", title="Song One", duration=1.5)
    return path, item


def test_feedback_by_path_id_and_artist_title(tuneup_cmd, env, song):
    path, item = song
    out = json.loads(tuneup_cmd("like", path, "--json").stdout)
    assert out == {"item_id": item, "feedback": "like", "undone": False, "changed": True}
    tuneup_cmd("dislike", str(item))  # replaces the like
    assert env.db.execute("SELECT kind FROM feedback").fetchall() == [("dislike",)]
    tuneup_cmd("undislike", "testers - song one")
    tuneup_cmd("ban", "The Testers - Song One")
    assert env.db.execute("SELECT kind FROM feedback").fetchall() == [("ban",)]
    tuneup_cmd("unban", str(item))
    assert env.db.execute("SELECT count(*) FROM feedback").fetchone()[0] == 0
    tuneup_cmd("like", str(item), "--profile", "guest")
    assert env.db.execute(
        "SELECT p.name FROM feedback f JOIN profiles p ON p.id = f.profile_id"
    ).fetchall() == [("guest",)]
    missing = tuneup_cmd("like", "Nobody - Nothing", check=False)
    assert (
        missing.returncode == 1
        and "no item matches" in missing.stderr
        and "Traceback" not in missing.stderr
    )


def test_log_and_history(tuneup_cmd, env, song, tmp_path):
    path, item = song
    tuneup_cmd(
        "log", path, "--played", "12.5", "--ended", "skipped", "--at", "2026-03-01T10:00:00+01:00"
    )
    again = json.loads(
        tuneup_cmd(
            "log",
            path,
            "--played",
            "12.5",
            "--ended",
            "skipped",
            "--at",
            "2026-03-01T09:00:00Z",
            "--json",
        ).stdout
    )
    assert again["duplicate"] is True  # the same report twice is stored once
    outside = tone(
        tmp_path / "elsewhere" / "x.ogg", 1.0, tags={"artist": "Far Away", "title": "Not Scanned"}
    )
    tuneup_cmd("log", outside, "--played", "100", "--duration", "200", "--profile", "guest")
    rows = listens(env.db)
    assert len(rows) == 2
    assert (
        rows[0]["item_id"],
        rows[0]["started_at"],
        rows[0]["ms_played"],
        rows[0]["skipped"],
    ) == (item, "2026-03-01T09:00:00+00:00", 12500, 1)
    assert rows[0]["source"] == "hook" and rows[0]["duration_ms"] == 1500
    assert (rows[1]["item_id"], rows[1]["artist"], rows[1]["title"], rows[1]["duration_ms"]) == (
        None,
        "Far Away",
        "Not Scanned",
        200000,
    )
    shown = json.loads(tuneup_cmd("history", "--json").stdout)
    assert [r["title"] for r in shown] == ["Song One"]
    assert shown[0]["started_local"] == "2026-03-01 10:00:00" or shown[0][
        "started_local"
    ].startswith("2026-03-01")
    bad = tuneup_cmd("log", path, "--played", "1", "--ended", "bored", check=False)
    assert bad.returncode == 1 and "unknown end reason" in bad.stderr
    bad = tuneup_cmd("log", path, "--played", "1", "--at", "yesterday", check=False)
    assert bad.returncode == 1 and "not an ISO 8601 time" in bad.stderr
    assert tuneup_cmd("history").stdout.count("Song One") == 1


def test_import_command_reports_and_fails_cleanly(tuneup_cmd, env, song, tmp_path):
    f = tmp_path / "StreamingHistory_music_0.json"
    f.write_text(
        json.dumps(
            [
                {
                    "endTime": "2023-01-05 21:14",
                    "artistName": "Testers",
                    "trackName": "Song One",
                    "msPlayed": 90000,
                },
                {
                    "endTime": "2023-01-05 21:20",
                    "artistName": "Elsewhere",
                    "trackName": "Gone",
                    "msPlayed": 90000,
                },
            ]
        )
    )
    out = tuneup_cmd("import", "spotify-basic", f).stdout
    assert (
        "imported    2" in out
        and "matched     1" in out
        and "Elsewhere - Gone  (artist not in library)" in out
    )
    data = json.loads(tuneup_cmd("import", "spotify-basic", f, "--json").stdout)
    assert (data["imported"], data["duplicates"]) == (0, 2)
    bad = tmp_path / "StreamingHistory_music_1.json"
    bad.write_text(
        '[{"endTime": "2023-01-05 25:14", "artistName": "A", "trackName": "B", "msPlayed": 1}]'
    )
    proc = tuneup_cmd("import", "spotify-basic", bad, check=False)
    assert proc.returncode == 1
    one_line = proc.stderr.replace(
        "\n", ""
    )  # rich wraps stderr at 80 columns when it is not a terminal
    assert f"tuneup: error: {bad}: entry 1: impossible date in 'endTime'" in one_line
    unknown = tuneup_cmd("import", "napster", bad, check=False)
    assert unknown.returncode == 1 and "known formats" in unknown.stderr


def test_play_items_and_mix(tuneup_cmd, env, song, tmp_path):
    path, item = song
    proc = tuneup_cmd(
        "play", path, env_extra={"TUNEUP_MPV_ARGS": "--no-config --ao=null --vo=null"}, timeout=60
    )
    assert "recorded 1 listen(s)" in proc.stderr
    (row,) = listens(env.db)
    assert (row["item_id"], row["end_reason"], row["source"]) == (item, "finished", "tuneup")
    missing = tuneup_cmd("play", "--mix", "Discover Weekly", check=False)
    assert missing.returncode == 1 and "no mix named 'Discover Weekly'" in missing.stderr
    with env.db.conn:
        env.db.execute(
            "INSERT INTO mixes (profile_id, kind, period, name, generated_at, items) VALUES "
            "(?, 'weekly', '2026-W47', 'Discover Weekly', '2026-11-20T00:00:00+00:00', '[]')",
            [env.profile_id],
        )
        env.db.execute(
            "INSERT INTO mixes (profile_id, kind, period, name, generated_at, items) VALUES "
            "(?, 'weekly', '2026-W48', 'Discover Weekly', ?, ?)",
            [env.profile_id, utcnow(), json.dumps([{"item_id": item, "reason": "test"}])],
        )
    tuneup_cmd(
        "play",
        "--mix",
        "discover weekly",
        env_extra={"TUNEUP_MPV_ARGS": "--no-config --ao=null"},
        timeout=60,
    )
    assert len(listens(env.db)) == 2


def test_hooks_install(tuneup_cmd, tmp_path):
    target = tmp_path / "scripts"
    out = tuneup_cmd("hooks", "install", "mpv", "--dir", target).stdout.strip()
    assert Path(out) == target / "tuneup.lua"
    assert (target / "tuneup.lua").read_text().startswith("-- tuneup.lua")
    xdg = tmp_path / "xdg"
    tuneup_cmd("hooks", "install", "mpv", env_extra={"XDG_CONFIG_HOME": str(xdg)})
    assert (xdg / "mpv" / "scripts" / "tuneup.lua").is_file()


def _wait_rows(db_file, n, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db = open_db(db_file)
        rows = listens(db)
        db.conn.close()
        if len(rows) >= n:
            return rows
        time.sleep(0.2)
    return rows


def test_mpv_lua_hook_reports_plays(env, song, tmp_path):
    path, item = song
    lua = Path(__file__).resolve().parents[2] / "assets" / "mpv" / "tuneup.lua"
    env.db  # create the database before mpv's hook writes to it
    subprocess.run(
        [
            "mpv",
            "--no-config",
            "--ao=null",
            "--vo=null",
            f"--script={lua}",
            f"--script-opts=tuneup-command={TUNEUP}",
            str(path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    rows = _wait_rows(env.paths.db_file, 2)
    assert [(r["item_id"], r["end_reason"], r["source"]) for r in rows] == [
        (item, "finished", "mpv")
    ] * 2
    assert all(1300 <= r["ms_played"] <= 1600 for r in rows), [r["ms_played"] for r in rows]
    # inside tuneup's own player the hook stays quiet (tuneup records the play itself)
    subprocess.run(
        [
            "mpv",
            "--no-config",
            "--ao=null",
            "--vo=null",
            f"--script={lua}",
            f"--script-opts=tuneup-command={TUNEUP},tuneup-disable=yes",
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    time.sleep(1.5)
    assert len(_wait_rows(env.paths.db_file, 2)) == 2


def test_cmus_status_hook(tuneup_cmd, env, song, tmp_path):
    path, item = song
    script = Path(tuneup_cmd("hooks", "install", "cmus", "--dir", tmp_path / "cmus").stdout.strip())
    other = tone(tmp_path / "music" / "other.ogg", 1.0)
    other_id = add_item(env.db, other, artist="X", title="Other", duration=100.0)
    base = {"TUNEUP_COMMAND": TUNEUP, "TUNEUP_CMUS_STATE": str(tmp_path / "cmus.state")}

    def status(now, *args):
        subprocess.run(
            ["sh", str(script), *map(str, args)],
            check=True,
            timeout=30,
            env={**__import__("os").environ, **base, "TUNEUP_CMUS_NOW": str(now)},
        )

    status(1_700_000_000, "status", "playing", "file", path, "duration", 200)
    status(1_700_000_020, "status", "paused", "file", path, "duration", 200)
    status(
        1_700_000_100, "status", "playing", "file", path, "duration", 200
    )  # 80 s paused: not played
    status(1_700_000_110, "status", "playing", "file", other, "duration", 100)
    status(1_700_000_210, "status", "stopped", "file", other, "duration", 100)
    rows = sorted(_wait_rows(env.paths.db_file, 2), key=lambda r: r["started_at"])
    assert [
        (r["item_id"], r["ms_played"], r["end_reason"], r["skipped"], r["source"]) for r in rows
    ] == [(item, 30000, "skipped", 0, "cmus"), (other_id, 100000, "finished", 0, "cmus")]
    assert rows[0]["started_at"] == "2023-11-14T22:13:20+00:00"


def test_stats_shows_the_profiles_listening(tuneup_cmd, env, song):
    """`tuneup stats` reports listening from the same core functions as the TUI's Stats tab."""
    from datetime import datetime, timedelta, timezone

    path, item = song
    before = json.loads(tuneup_cmd("stats", "--json").stdout)["listening"]
    assert before["recent_plays"] == 0 and before["year"]["plays"] == 0
    assert "Listening: nothing played yet" in tuneup_cmd("stats").stdout
    now = datetime.now(timezone.utc).replace(microsecond=0)
    for minutes in (
        1,
        2,
        3,
    ):  # three plays a few minutes apart (the same instant twice is one listen)
        at = (now - timedelta(minutes=minutes)).isoformat()
        tuneup_cmd("log", path, "--played", "1.5", "--ended", "finished", "--at", at)
    tuneup_cmd("log", path, "--played", "0.2", "--ended", "skipped", "--at", now.isoformat())
    listening = json.loads(tuneup_cmd("stats", "--json").stdout)["listening"]
    assert listening["recent_plays"] == 3 and listening["year"]["plays"] == 4
    assert listening["year"]["skips"] == 1 and listening["year"]["top_title"] == "Song One"
    assert listening["top_artists"] == [{"artist": "The Testers", "plays": 3}]
    text = tuneup_cmd("stats").stdout
    assert "4 plays" in text and "Top artists: The Testers (3)" in text
    guest = tuneup_cmd("stats", "--json", "--profile", "guest").stdout  # no such profile: none made
    assert json.loads(guest)["listening"] is None
    assert env.db.execute("SELECT count(*) FROM profiles WHERE name = 'guest'").fetchone()[0] == 0
