"""A real mpv (--ao=null) plays real generated files; every item played yields exactly one listen."""

import os
import signal
import time

import pytest
from history_support import add_item, listens, tone

from tuneup.errors import PlayerError
from tuneup.playback.mpv import Player
from tuneup.playback.queue import QueueEntry, entries_for

pytestmark = pytest.mark.timeout(60)
MPV_ARGS = ["--no-config", "--ao=null", "--vo=null"]


@pytest.fixture
def library(env, tmp_path):
    db = env.db
    ids = []
    for n, seconds in enumerate((2.0, 6.0, 6.0)):
        path = tone(tmp_path / f"t{n}.ogg", seconds, freq=300 + 100 * n)
        ids.append(add_item(db, path, artist="Tester", title=f"Tone {n}", duration=seconds))
    return ids


def _player(env, **kw):
    return Player.from_env(env, mpv_args=MPV_ARGS, **kw)


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_plays_queue_to_the_end_one_listen_each(env, library):
    player = _player(env)
    states = []
    player.add_listener(states.append)
    player.start(entries_for(env.db, library[:1] * 2))  # the same 2 s file twice
    assert player.wait(30)
    rows = listens(env.db)
    assert [r["item_id"] for r in rows] == [library[0]] * 2
    for r in rows:
        assert r["end_reason"] == "finished" and r["skipped"] == 0 and r["source"] == "tuneup"
        assert 1700 <= r["ms_played"] <= 2100, r["ms_played"]
        assert r["duration_ms"] == 2000
    assert {s.index for s in states if s.index is not None} == {0, 1}
    assert states[-1].running is False
    assert not player.errors


def test_skip_next_and_stop(env, library):
    player = _player(env)
    player.start(entries_for(env.db, library[1:3]))
    assert _wait_for(lambda: (player.state().position or 0) > 1.0 and player.state().index == 0)
    player.skip()
    assert _wait_for(lambda: player.state().index == 1 and (player.state().position or 0) > 1.0)
    player.pause_toggle()
    assert _wait_for(lambda: player.state().paused)
    time.sleep(0.8)  # paused time is not played time
    player.pause_toggle()
    assert _wait_for(lambda: not player.state().paused)
    time.sleep(0.3)
    player.stop()
    assert player.wait(10)
    first, second = listens(env.db)
    assert (first["item_id"], first["end_reason"], first["skipped"]) == (library[1], "skipped", 1)
    assert 800 <= first["ms_played"] <= 2500, first["ms_played"]
    assert (second["item_id"], second["end_reason"]) == (library[2], "stopped")
    assert second["skipped"] == 0  # a stop (a quit, another card started) is not a rejection
    assert 1000 <= second["ms_played"] <= 2600, second["ms_played"]


def test_next_over_threshold_is_not_a_skip_and_seek_is_not_play(env, library):
    player = _player(env, skip_seconds=1)
    player.start(entries_for(env.db, library[1:3]))
    assert _wait_for(lambda: (player.state().position or 0) > 1.3)
    player.seek(3)  # jumps forward: not counted as played
    assert _wait_for(lambda: (player.state().position or 0) > 4.5)
    player.next()
    assert _wait_for(lambda: player.state().index == 1)
    player.stop()
    assert player.wait(10)
    first = listens(env.db)[0]
    assert first["end_reason"] == "skipped" and first["skipped"] == 0
    assert 1300 <= first["ms_played"] <= 3000, first["ms_played"]


def test_killed_mpv_still_records_time_played(env, library):
    player = _player(env)
    player.start(entries_for(env.db, library[1:2]))
    assert _wait_for(lambda: (player.state().position or 0) > 1.5)
    os.kill(player.pid, signal.SIGKILL)
    assert player.wait(10)
    (row,) = listens(env.db)
    assert row["end_reason"] == "error" and row["skipped"] == 0
    assert 1400 <= row["ms_played"] <= 3000, row["ms_played"]
    assert player.state().running is False


def test_no_sound_output_records_no_listens_and_stops_early(env, tmp_path):
    """With no sound output every item fails at once: no "error" listen per queued item, the player
    stops after a few, and says why (it used to record one error listen for each of 27 items)."""
    from tuneup.playback.mpv import MAX_FAILURES_IN_ROW

    ids = [
        add_item(env.db, tone(tmp_path / f"q{n}.ogg", 2.0), artist="A", title=f"Q{n}")
        for n in range(8)
    ]
    player = Player.from_env(
        env, mpv_args=["--no-config", "--ao=alsa", "--audio-device=alsa/tuneup-no-such-device"]
    )
    player.start(entries_for(env.db, ids))
    assert player.wait(30)
    assert listens(env.db) == []
    assert player.played_nothing and MAX_FAILURES_IN_ROW <= player.failed < len(ids)
    assert player.gave_up and all("audio output" in e for e in player.errors)


def test_play_command_fails_when_nothing_played(env, tmp_path, tuneup_cmd):
    path = tone(tmp_path / "one.ogg", 2.0)
    add_item(env.db, path, artist="A", title="One")
    bad = "--no-config --ao=alsa --audio-device=alsa/tuneup-no-such-device"
    proc = tuneup_cmd("play", str(path), check=False, env_extra={"TUNEUP_MPV_ARGS": bad})
    assert proc.returncode == 1 and "recorded 0 listen(s)" in proc.stderr
    good = tuneup_cmd("play", str(path), env_extra={"TUNEUP_MPV_ARGS": " ".join(MPV_ARGS)})
    assert "recorded 1 listen(s)" in good.stderr


def test_missing_mpv_says_how_to_install(env, library):
    player = _player(env, mpv_binary="mpv-not-installed-here")
    with pytest.raises(PlayerError, match="sudo apt install mpv"):
        player.start(entries_for(env.db, library[:1]))


def test_unknown_file_is_an_error_not_a_listen(env, tmp_path):
    """A file mpv cannot play was never heard: it is named in the errors, and no listen is stored."""
    broken = tmp_path / "broken.ogg"
    broken.write_bytes(b"not audio at all" * 100)
    player = _player(env)
    player.start([QueueEntry(str(broken), None, "Broken")])
    assert player.wait(20)
    assert listens(env.db) == [] and player.played_nothing
    assert any(str(broken) in e for e in player.errors)


def test_start_accepts_ids_paths_and_mix_items_and_enqueue(env, library, tmp_path):
    from tuneup.mixes.types import MixItem

    extra = tone(tmp_path / "extra.ogg", 1.0)
    mix_item = MixItem(
        library[0],
        str(env.db.execute("SELECT path FROM items WHERE id = ?", [library[0]]).fetchone()[0]),
        "Tone 0",
        "Tester",
        None,
        "track",
        2.0,
        "test",
    )
    player = _player(env)
    player.start([library[0], mix_item])
    player.enqueue([str(extra)])
    assert player.wait(30)
    rows = listens(env.db)
    assert [r["item_id"] for r in rows] == [library[0], library[0], None]
    assert all(r["end_reason"] == "finished" for r in rows)
    assert player.state().queue_length == 3


def test_next_pressed_inside_mpv_is_a_skip(env, library):
    player = _player(env)
    player.start(entries_for(env.db, library[1:3]))
    assert _wait_for(lambda: (player.state().position or 0) > 0.5)
    player._conn.send("keypress", ">")  # the person presses "next" in mpv's own window or terminal
    assert _wait_for(lambda: player.state().index == 1)
    player._conn.send("keypress", "q")
    assert player.wait(10)
    first, second = listens(env.db)
    assert (first["end_reason"], first["skipped"]) == ("skipped", 1)
    assert second["end_reason"] == "stopped"


def test_exiting_without_stop_records_and_quits_mpv(env, library, tmp_path):
    import subprocess
    import sys

    code = (
        "import sys, time\n"
        "from tuneup.env import Env\n"
        "from tuneup.paths import get_paths\n"
        "from tuneup.playback.mpv import Player\n"
        f"env = Env(paths=get_paths({str(env.paths.data_dir.parent)!r}))\n"
        f"p = Player.from_env(env, mpv_args={MPV_ARGS!r})\n"
        f"p.start([{library[1]}])\n"
        "deadline = time.monotonic() + 20\n"
        "while (p.state().position or 0) < 1.0 and time.monotonic() < deadline:\n"
        "    time.sleep(0.05)\n"
        "print(p.pid, flush=True)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    pid = int(out.stdout.strip())
    assert _wait_for(
        lambda: (
            not os.path.exists(f"/proc/{pid}")
            or "zombie" in open(f"/proc/{pid}/status").read().lower()
        ),
        10,
    )
    (row,) = listens(env.db)
    assert (
        row["item_id"] == library[1] and row["end_reason"] == "stopped" and row["ms_played"] >= 900
    )
