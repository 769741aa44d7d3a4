"""tuneup against a real MPD: a private mpd on a unix socket with a null audio output."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from mpd_support import SONG_S, mpd_server, needs_mpd, songs, wait_for

from tuneup.errors import TuneupError
from tuneup.library.scan.scanner import scan
from tuneup.playback.mpd import MpdAddress, PathMap, address_from, queue_paths
from tuneup.playback.mpd_watch import MpdWatcher
from tuneup.store import open_db, profile_id

pytestmark = needs_mpd


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from mpd_server(tmp_path_factory)


@pytest.fixture
def library(tmp_path, server):
    db_file = tmp_path / "tuneup.db"
    db = open_db(db_file)
    scan(db, [server.music])
    yield db, db_file
    db.conn.close()


def listens(db):
    return db.execute(
        "SELECT i.path, l.ms_played, l.end_reason, l.skipped, l.duration_ms FROM listens l "
        "LEFT JOIN items i ON i.id = l.item_id WHERE l.source = 'mpd' ORDER BY l.id"
    ).fetchall()


def test_address_from_settings_and_environment():
    assert address_from(None, {}) == MpdAddress("localhost", 6600, None)
    assert address_from(None, {"MPD_HOST": "secret@music.lan", "MPD_PORT": "6601"}) == MpdAddress(
        "music.lan", 6601, "secret"
    )
    assert address_from(None, {"MPD_HOST": "@mpdsock"}).host == "@mpdsock"
    assert address_from(None, {"MPD_HOST": "pw@/run/mpd/socket"}) == MpdAddress(
        "/run/mpd/socket", 6600, "pw"
    )
    assert address_from(
        {"mpd.host": "box", "mpd.port": 7000, "mpd.password": ""}, {"MPD_HOST": "x"}
    ) == MpdAddress("box", 7000, None)


def test_watch_records_finish_skip_pause_seek_and_survives_a_restart(server, library):
    db, db_file = library
    names = songs(server)
    c = server.client()
    c.clear()
    for name in names[:3]:
        c.add(name)
    lines, cancel = [], threading.Event()

    def run_watch():
        wdb = open_db(db_file)
        MpdWatcher(wdb, profile_id(wdb), server.address, log=lines.append, backoff=(0.2,)).run(
            cancel
        )
        wdb.conn.close()

    thread = threading.Thread(target=run_watch, daemon=True)
    thread.start()
    wait_for(lambda: any("connected" in line for line in lines))
    # 1. seek near the end, then let it finish: finished, ~2 s played (not the whole song)
    c.play(0)
    wait_for(lambda: float(c.status().get("elapsed", 0)) > 0.3)
    c.seekcur(SONG_S - 2.0)
    wait_for(lambda: len(listens(db)) == 1)
    # 2. the next song: pause 1.5 s in the middle, `next` after ~2 s of playing: a skip
    time.sleep(1.0)
    c.pause(1)
    time.sleep(1.5)
    c.pause(0)
    time.sleep(1.0)
    c.next()
    wait_for(lambda: len(listens(db)) == 2)
    # 3. MPD restarts in the middle of the third song; watch comes back and records the next play
    time.sleep(1.0)
    c.disconnect()
    server.stop()
    server.start()
    wait_for(lambda: len(listens(db)) == 3)
    wait_for(lambda: sum("connected" in line for line in lines) >= 2)
    c = server.client()
    c.clear()
    c.add(names[3])
    c.play(0)
    wait_for(lambda: float(c.status().get("elapsed", 0)) > 0.3)
    c.seekcur(SONG_S - 1.5)
    wait_for(lambda: len(listens(db)) == 4)
    cancel.set()
    thread.join(5)
    assert not thread.is_alive()
    c.disconnect()

    rows = listens(db)
    paths = [Path(r[0]).name for r in rows]
    assert paths == names[:4]
    (
        (_, ms1, end1, skip1, dur1),
        (_, ms2, end2, skip2, _),
        (_, ms3, end3, skip3, _),
        (_, ms4, end4, _, _),
    ) = rows
    assert (
        (end1, skip1) == ("finished", 0) and 2000 <= ms1 <= 3500 and abs(dur1 - SONG_S * 1000) < 100
    )
    assert (end2, skip2) == ("skipped", 1) and 1700 <= ms2 <= 2800  # the 1.5 s pause is not counted
    assert (end3, skip3) == ("error", 0) and 700 <= ms3 <= 1800
    assert end4 == "finished" and ms4 <= 2500, (rows, lines)
    assert any("lost MPD" in line for line in lines)
    assert any(line.startswith("skipped after") and "(a skip)" in line for line in lines)


def test_queueing_puts_exactly_those_files_in_the_queue(server, library):
    db, _ = library
    c = server.client()
    pathmap = PathMap.for_client(db, c)
    assert pathmap.music_directory == str(server.music)  # MPD tells a local socket client
    chosen = [str(server.music / n) for n in songs(server)[::-2]]
    c.clear()
    c.add(songs(server)[0])
    assert queue_paths(c, pathmap, chosen).added == len(chosen)
    assert [s["file"] for s in c.playlistinfo()] == [Path(p).name for p in chosen]
    queue_paths(c, pathmap, chosen[:1], append=True)
    assert [s["file"] for s in c.playlistinfo()] == [Path(p).name for p in chosen + chosen[:1]]
    assert pathmap.item_of(Path(chosen[0]).name) is not None
    # files MPD has not indexed yet: refused ones are skipped and named, and a queue is never lost for them
    before = [s["file"] for s in c.playlistinfo()]
    unknown = [str(server.music / "not-in-mpd-yet.ogg")]
    with pytest.raises(TuneupError, match="refused every song"):
        queue_paths(c, pathmap, unknown)
    assert [s["file"] for s in c.playlistinfo()] == before
    queued = queue_paths(c, pathmap, unknown + chosen[:2])
    assert (queued.added, queued.refused) == (2, ["not-in-mpd-yet.ogg"])
    assert [s["file"] for s in c.playlistinfo()] == [Path(p).name for p in chosen[:2]]
    c.clear()
    c.disconnect()


def test_radio_keeps_the_queue_at_its_target_and_learns_from_a_skip(server, library, tmp_path):
    from tuneup.mixes.modelref import get_model
    from tuneup.mixes.radio import RadioSession
    from tuneup.playback.mpd_radio import MpdRadio, upcoming
    from tuneup.playback.radio_queue import TopUp

    db, db_file = library
    c = server.client()
    c.clear()
    lines, cancel, target = [], threading.Event(), 2
    holder = {}

    def run_radio():
        rdb = open_db(db_file)
        pid = profile_id(rdb)
        session = RadioSession(rdb, get_model(rdb, tmp_path / "models"), pid, ["Alpha"])
        holder["session"] = session
        MpdRadio(
            rdb,
            pid,
            server.address,
            session,
            policy=TopUp.keeping(target),
            log=lines.append,
            backoff=(0.2,),
        ).run(cancel)
        rdb.conn.close()

    thread = threading.Thread(target=run_radio, daemon=True)
    thread.start()
    wait_for(
        lambda: c.status().get("state") == "play" and upcoming(c.status()) == target, timeout=30
    )
    first = c.currentsong()["file"]
    wait_for(lambda: float(c.status().get("elapsed", 0)) > 0.3)
    c.seekcur(SONG_S - 1.0)  # let it finish: the radio adds one more
    wait_for(lambda: c.currentsong().get("file") != first)
    wait_for(lambda: upcoming(c.status()) == target)
    assert int(c.status()["playlistlength"]) == target + 2
    queued = [s["file"] for s in c.playlistinfo()]
    assert len(set(queued)) == len(queued)
    skipped = c.currentsong()["file"]
    time.sleep(0.5)
    c.next()
    wait_for(lambda: len(holder["session"].skips) == 1)
    assert (
        Path(
            db.execute(
                "SELECT path FROM items WHERE id = ?", [holder["session"].skips[0]]
            ).fetchone()[0]
        ).name
        == skipped
    )
    cancel.set()
    thread.join(5)
    assert not thread.is_alive()
    c.clear()
    c.disconnect()


def test_install_service_writes_the_user_unit(tuneup_cmd, home, tmp_path):
    proc = tuneup_cmd("mpd", "install-service", "--dir", tmp_path / "units")
    unit = tmp_path / "units" / "tuneup-mpd.service"
    assert proc.stdout.strip() == str(unit)
    text = unit.read_text()
    assert "mpd watch" in text and "@TUNEUP@" not in text and "ExecStart=" in text
    assert "systemctl --user enable --now tuneup-mpd.service" in " ".join(proc.stderr.split())


def test_mix_to_mpd_queues_exactly_the_mix_and_queue_lists_it(tuneup_cmd, home, server):
    environ = {"MPD_HOST": str(server.socket)}
    tuneup_cmd("scan", server.music)
    made = json.loads(tuneup_cmd("mix", "--radio", "Beta", "--size", "3", "--json").stdout)
    paths = [Path(i["path"]).name for i in made["items"]]
    assert len(paths) == 3
    tuneup_cmd("mix", "--radio", "Beta", "--size", "3", "--to-mpd", env_extra=environ)
    c = server.client()
    assert [s["file"] for s in c.playlistinfo()] == paths
    tuneup_cmd("mix", "--radio", "Beta", "--size", "3", "--to-mpd", "--append", env_extra=environ)
    assert [s["file"] for s in c.playlistinfo()] == paths + paths
    listed = json.loads(tuneup_cmd("mpd", "queue", "--json", env_extra=environ).stdout)
    assert [e["item_id"] for e in listed[:3]] == [i["item_id"] for i in made["items"]]
    c.clear()
    c.disconnect()


def test_a_server_that_is_not_mpd_is_a_connection_error_the_loops_retry(tmp_path):
    """A bad greeting (an SSH server on that port, an MPD closing at once) is an OSError, like a refusal,
    so `mpd watch` and the app back off and retry instead of ending with a traceback."""
    import socket
    import threading

    from tuneup.playback.mpd import MpdAddress, connect

    server = socket.socket(socket.AF_UNIX)
    path = str(tmp_path / "not-mpd.sock")
    server.bind(path)
    server.listen(1)

    def greet_wrongly():
        conn, _ = server.accept()
        conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
        conn.close()

    threading.Thread(target=greet_wrongly, daemon=True).start()
    with pytest.raises(OSError, match="no MPD greeting"):
        connect(MpdAddress(path, 0))
    server.close()


def test_a_dropped_connection_mid_song_is_still_one_play():
    """A network blip to a remote MPD: the song that kept playing is one listen, not a cut-off "error"
    listen plus a second one from the middle."""
    from tuneup.playback.mpd_watch import PlayTracker

    ended, now = [], [0.0]
    tracker = PlayTracker(
        lambda play, reason: ended.append((play.file, reason, round(play.played_s))),
        clock=lambda: now[0],
    )
    song = {"file": "a.ogg", "time": "30", "duration": "30"}
    tracker.observe({"state": "play", "songid": "1", "elapsed": "0"}, song)
    now[0] = 10.0
    tracker.lost()
    assert ended == []  # held, not ended
    now[0] = 14.0
    tracker.observe(
        {"state": "play", "songid": "1", "elapsed": "14"}, song
    )  # back: the same song plays on
    now[0] = 30.0
    tracker.observe(
        {"state": "play", "songid": "2", "elapsed": "0"}, {"file": "b.ogg", "duration": "30"}
    )
    assert ended == [
        ("a.ogg", "finished", 26)
    ]  # one play; the 4 s we could not see are not counted
    now[0] = 35.0
    tracker.lost()
    tracker.observe({"state": "stop"}, {})  # MPD restarted: the held song ended when we lost it
    assert ended[-1] == ("b.ogg", "error", 5)


def test_only_going_on_to_the_queued_next_song_is_a_skip():
    """A replaced queue (its songs get new ids), a jump to another song or going back ends a song as
    "stopped": only MPD moving to the song it had queued next is the person skipping it."""
    from tuneup.history.events import is_skip
    from tuneup.playback.mpd_watch import PlayTracker

    ended, now = [], [0.0]
    tracker = PlayTracker(
        lambda play, reason: ended.append((play.file, reason)), clock=lambda: now[0]
    )

    def play(song_id, file, next_id):
        now[0] += 3.0
        tracker.observe(
            {"state": "play", "songid": song_id, "nextsongid": next_id, "elapsed": "1"},
            {"file": file, "duration": "200"},
        )

    play("1", "a.ogg", "2")
    play("2", "b.ogg", "3")  # next: a skip
    play("9", "x.ogg", "10")  # the queue replaced by another mix or album
    play("12", "z.ogg", "13")  # a jump within the queue
    play("10", "y.ogg", "11")  # back
    tracker.observe({"state": "stop"}, {})
    assert ended == [
        ("a.ogg", "skipped"),
        ("b.ogg", "stopped"),
        ("x.ogg", "stopped"),
        ("z.ogg", "stopped"),
        ("y.ogg", "stopped"),
    ]
    assert [is_skip(reason, 3000) for _, reason in ended] == [True] + [False] * 4
    assert not is_skip("error", 0) and not is_skip("stopped", 0)
