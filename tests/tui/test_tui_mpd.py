"""The app with MPD as its player, against a real MPD (tests/mpd_support.py): Settings, Enter on a card,
the bar following MPD, keys acting on MPD, listens recorded once (also next to `tuneup mpd watch`),
MPD going away and coming back."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mpd_support import mpd_server, needs_mpd, songs
from mpd_support import wait_for as until

from tuneup.playback.radio_queue import TopUp
from tuneup.tui.app import create_app
from tuneup.tui.widgets.home import Card, HomePane
from tuneup.tui.widgets.now_playing import NowPlaying

pytestmark = needs_mpd


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from mpd_server(tmp_path_factory, seconds=20.0)


@pytest.fixture
def library(env, server):
    from tuneup.library.scan.scanner import scan

    scan(env.db, [str(server.music)])
    c = server.client()
    c.clear()
    c.disconnect()
    return env


def _fallback_rows(db, config, profile, profile_id):
    from tuneup.tui.home_rows import fallback_rows

    return fallback_rows(db, profile, profile_id)


async def wait_for(pilot, condition, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")
        await pilot.pause(0.1)


def bar_text(app, part="#np-line") -> str:
    return str(app.screen.query_one(NowPlaying).query_one(part).render())


def mpd_listens(db):
    return db.execute(
        "SELECT i.path, l.end_reason, l.skipped, l.ms_played FROM listens l "
        "LEFT JOIN items i ON i.id = l.item_id ORDER BY l.id"
    ).fetchall()


def use_mpd(env, server) -> None:
    env.config.set("player", "mpd")
    env.config.set("mpd.host", str(server.socket))
    env.config.save()


def test_settings_choose_mpd_and_enter_plays_the_row_in_mpd(library, server):
    env = library
    db = env.db

    async def run():
        app = create_app(env, onboarding=False, rows_loader=_fallback_rows)
        async with app.run_test(size=(120, 40)) as pilot:
            from textual.widgets import Input, Select

            await pilot.press("4")
            await pilot.pause()
            app.screen.query_one("#set-player", Select).value = "mpd"
            app.screen.query_one("#mpd-host", Input).value = str(server.socket)
            app.screen.query_one("#mpd-test").press()
            result = app.screen.query_one("#mpd-test-result")
            await wait_for(pilot, lambda: "MPD 0." in str(result.render()), what="test connection")
            assert result.size.width > 20 and result.size.height >= 1  # really on screen
            app.screen.query_one("#save").press()
            await pilot.pause()
            assert env.config.get("player") == "mpd"
            pb = app.playback
            await wait_for(
                pilot,
                lambda: pb.player is not None and pb.player.state().connected,
                what="follow MPD",
            )
            assert "MPD: nothing playing" in bar_text(app)

            await pilot.press("1")
            await wait_for(pilot, lambda: isinstance(app.screen.focused, Card), what="a card")
            card = app.screen.focused
            expected = [
                Path(i.path).name
                for i in app.screen.query_one(HomePane).mixes[card.row].items[card.col :]
            ]
            await pilot.press("enter")
            c = server.client()
            await wait_for(pilot, lambda: c.status()["state"] == "play", what="MPD playing")
            assert [
                s["file"] for s in c.playlistinfo()
            ] == expected  # exactly those files, in order
            first = c.currentsong()
            await wait_for(
                pilot, lambda: pb.state.playing and pb.state.position > 0.3, what="bar follows"
            )
            assert first["title"] in bar_text(app) and "via MPD" in bar_text(app)
            queue = c.playlistinfo()
            assert bar_text(app, "#np-next") == "Up next: " + ", ".join(
                f"{s['artist']} - {s['title']}" for s in queue[1:4]
            )
            before = pb.state.position
            await wait_for(pilot, lambda: pb.state.position >= before + 0.4, what="position moves")
            assert "━" in bar_text(app, "#np-bar")

            await pilot.press("space")  # pause in MPD
            await wait_for(
                pilot, lambda: c.status()["state"] == "pause" and pb.state.paused, what="paused"
            )
            assert "⏸" in bar_text(app)
            await pilot.press("space")
            await wait_for(
                pilot, lambda: c.status()["state"] == "play" and not pb.state.paused, what="resumed"
            )
            await pilot.press("full_stop")  # seek +10 s (on Home, left/right move between cards)
            await wait_for(pilot, lambda: float(c.status()["elapsed"]) >= 10, what="seek")
            await pilot.press("comma")  # and back
            await wait_for(pilot, lambda: float(c.status()["elapsed"]) < 10, what="seek back")
            await pilot.press("minus")
            await wait_for(pilot, lambda: c.status()["volume"] == "95", what="volume down")
            await pilot.press("plus")
            await wait_for(pilot, lambda: c.status()["volume"] == "100", what="volume up")

            await pilot.press(
                "n"
            )  # next: ended after ~11 s of position, 1-2 s really played: a skip
            await wait_for(
                pilot,
                lambda: c.currentsong().get("file") == expected[1],
                what=lambda: (
                    f"next song: {c.currentsong()} {[str(n.message) for n in app._notifications]}"
                ),
            )
            await wait_for(pilot, lambda: len(mpd_listens(db)) == 1, what="the skip recorded")
            await wait_for(
                pilot, lambda: pb.state.title == c.currentsong()["title"], what="bar on song 2"
            )

            c.next()  # from outside (as mpc next would): the bar follows
            await wait_for(
                pilot,
                lambda: (
                    c.currentsong()["file"] == expected[2]
                    and c.currentsong()["title"] in bar_text(app)
                ),
                what="bar follows an outside next",
            )
            await wait_for(
                pilot, lambda: len(mpd_listens(db)) == 2, what="the outside skip recorded"
            )

            await pilot.press("s")  # skip: always a skip
            await wait_for(pilot, lambda: len(mpd_listens(db)) == 3, what="s recorded")
            await pilot.press("l")  # like what MPD plays now
            liked = pb.state.item_id
            # plays of one file starting in the same second are one listen (mpd watch's dedup key): wait a bit
            await wait_for(
                pilot,
                lambda: pb.state.item_id == liked and pb.state.position > 1.2,
                what="song 4 plays",
            )
            await pilot.press("b")  # previous
            await wait_for(
                pilot, lambda: c.currentsong().get("file") == expected[2], what="previous song"
            )
            await wait_for(
                pilot,
                lambda: pb.state.position > 0.5 and pb.state.title == c.currentsong()["title"],
                what="bar on the previous song",
            )
            banned = pb.state.item_id
            await pilot.press("x")  # ban it: MPD moves on
            await wait_for(
                pilot, lambda: c.currentsong().get("file") == expected[3], what="next after ban"
            )
            await wait_for(pilot, lambda: len(mpd_listens(db)) == 5, what="all recorded")
            await pilot.pause(1.0)
            c.disconnect()
            await pilot.press("q")
        c = server.client()
        assert c.status()["state"] == "play"  # quitting the app leaves MPD playing
        c.disconnect()
        rows = mpd_listens(db)
        assert [Path(r[0]).name for r in rows] == expected[:4] + [expected[2]]  # each play once
        # song 4 ended by going back to song 3: a choice, not a rejection; the others were skipped
        assert [(r[1], r[2]) for r in rows] == [("skipped", 1)] * 3 + [
            ("stopped", 0),
            ("skipped", 1),
        ]
        assert db.execute("SELECT source FROM listens").fetchall() == [("mpd",)] * 5
        assert db.execute("SELECT item_id FROM feedback WHERE kind = 'like'").fetchall() == [
            (liked,)
        ]
        assert db.execute("SELECT item_id FROM feedback WHERE kind = 'ban'").fetchall() == [
            (banned,)
        ]

    asyncio.run(run())


def test_mpd_going_away_is_a_notification_and_the_bar_comes_back(library, server):
    env = library
    use_mpd(env, server)
    c = server.client()
    c.add(songs(server)[0])
    c.play(0)
    title = c.currentsong()["title"]
    c.disconnect()

    async def run():
        app = create_app(env, onboarding=False, rows_loader=_fallback_rows)
        async with app.run_test(size=(120, 40)) as pilot:
            pb = app.playback
            # what MPD already plays shows from the start
            await wait_for(
                pilot, lambda: pb.state.playing and pb.state.title == title, what="follow at start"
            )
            server.stop()
            await wait_for(
                pilot, lambda: "MPD not connected" in bar_text(app), what="not connected"
            )
            messages = [str(n.message) for n in app._notifications]
            assert any("MPD is not reachable" in m and "Settings" in m for m in messages), messages
            await pilot.press("n")  # a key while MPD is away: a notification, no crash
            await wait_for(
                pilot,
                lambda: sum("not reachable" in str(n.message) for n in app._notifications) >= 2,
                what="key refused",
            )
            await wait_for(pilot, lambda: isinstance(app.screen.focused, Card), what="a card")
            await pilot.press("enter")  # playing while MPD is away: the same, and the app goes on
            await wait_for(
                pilot,
                lambda: sum("not reachable" in str(n.message) for n in app._notifications) >= 3,
                what="play refused",
            )
            assert "MPD not connected" in bar_text(app)
            server.start()
            await wait_for(
                pilot, lambda: pb.player.state().connected, timeout=20, what="reconnected"
            )
            await wait_for(
                pilot, lambda: "MPD not connected" not in bar_text(app), what="bar reconnected"
            )
            assert any("again" in str(n.message) for n in app._notifications)
            await pilot.press("q")

    asyncio.run(run())


def test_app_does_not_record_what_a_running_mpd_watch_records(library, server, home):
    """`tuneup mpd watch` started first holds the recorder lock: the app follows but does not store plays;
    once the watch ends, the app takes over."""
    env = library
    use_mpd(env, server)
    environ = {**os.environ, "TUNEUP_HOME": str(home)}
    watch = subprocess.Popen(
        [sys.executable, "-m", "tuneup", "mpd", "watch"],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert "connected to MPD" in watch.stderr.readline()
        db = env.db
        names = songs(server)

        async def run():
            app = create_app(env, onboarding=False, rows_loader=_fallback_rows)
            async with app.run_test(size=(120, 40)) as pilot:
                pb = app.playback
                await wait_for(
                    pilot,
                    lambda: pb.player is not None and pb.player.state().connected,
                    what="follow",
                )
                c = server.client()
                c.clear()
                for name in names[:3]:
                    c.add(name)
                c.play(0)
                await wait_for(
                    pilot, lambda: pb.state.playing and pb.state.position > 1.0, what="playing"
                )
                await pilot.press("n")
                await wait_for(pilot, lambda: len(mpd_listens(db)) == 1, what="watch records")
                await pilot.pause(1.5)
                assert len(mpd_listens(db)) == 1  # once, not by both
                assert any("recorded by the other tuneup" in line for line in pb.player.log)
                watch.send_signal(signal.SIGINT)  # the watch ends; the app takes over
                watch.wait(30)  # a loaded machine: the watch saves and exits
                await wait_for(
                    pilot,
                    lambda: pb.state.position > 1.0 and c.currentsong()["file"] == names[1],
                    what="second song",
                )
                await pilot.press("n")
                await wait_for(pilot, lambda: len(mpd_listens(db)) == 2, what="app records")
                await pilot.pause(1.5)
                c.disconnect()
                await pilot.press("q")
            rows = mpd_listens(db)
            assert [Path(r[0]).name for r in rows] == names[:2]

        asyncio.run(run())
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait()


def test_radio_through_mpd_keeps_its_queue_topped_up(library, server):
    env = library
    use_mpd(env, server)

    async def run():
        app = create_app(env, onboarding=False, rows_loader=_fallback_rows)
        async with app.run_test(size=(120, 40)) as pilot:
            pb = app.playback
            pb.radio_policy = TopUp(first=3, low=2, more=2)
            await wait_for(pilot, lambda: isinstance(app.screen.focused, Card), what="a card")
            seed = app.screen.focused.item
            await pilot.press("r")
            c = server.client()
            await wait_for(
                pilot,
                lambda: pb.state.playing and pb.state.item_id == seed.item_id,
                timeout=60,
                what="radio playing in MPD",
            )
            assert c.currentsong()["file"] == Path(seed.path).name and pb.radio_session is not None
            # three to start with, then more as soon as two or fewer wait after the current song
            await wait_for(
                pilot, lambda: int(c.status()["playlistlength"]) >= 5, timeout=30, what="topped up"
            )
            skipped = pb.state.item_id  # the seed, unless a slow machine let it finish meanwhile
            await pilot.press("s")
            await wait_for(
                pilot, lambda: pb.radio_session.skips == [skipped], timeout=30, what="learned"
            )
            await wait_for(
                pilot,
                lambda: mpd_listens(env.db) and mpd_listens(env.db)[-1][2] == 1,
                what="skip recorded",
            )
            queued = [s["file"] for s in c.playlistinfo()]
            assert len(queued) == len(set(queued))  # nothing repeated
            c.disconnect()
            await pilot.press("q")
        rows = mpd_listens(env.db)
        assert rows[-1][1:3] == ("skipped", 1) and all(r[1] == "finished" for r in rows[:-1])

    asyncio.run(run())


def test_mpd_player_stop_records_the_song_and_keeps_following(env, server):
    """The core adapter without the app: start, stop (recorded as stopped), start again, detach."""
    from tuneup.library.scan.scanner import scan
    from tuneup.playback.mpd_player import MpdPlayer
    from tuneup.playback.queue import entries_for

    scan(env.db, [str(server.music)])
    c = server.client()
    c.clear()  # what an earlier test left playing would be recorded too
    c.disconnect()
    ids = [r[0] for r in env.db.execute("SELECT id FROM items ORDER BY path LIMIT 2")]
    player = MpdPlayer(
        env.paths.db_file, env.profile_id, env.paths.run_dir, server.address, poll_s=0.1
    )
    player.start(entries_for(env.db, ids))
    until(lambda: player.state().entry and player.state().position > 1.0)
    assert player.state().entry.item_id == ids[0] and player.state().queue_length == 2
    player.stop()
    until(lambda: player.state().entry is None)
    assert player.running and player.state().connected
    assert mpd_listens(env.db)[0][1:3] == ("stopped", 0)  # a stop is not a skip
    player.start(entries_for(env.db, ids[1:]))
    c = server.client()
    assert [s["file"] for s in c.playlistinfo()] == [
        Path(p).name
        for p in [env.db.execute("SELECT path FROM items WHERE id = ?", [ids[1]]).fetchone()[0]]
    ]
    player.detach()
    assert (
        not player.running and c.status()["state"] == "play"
    )  # detached: MPD plays on, nothing recorded
    time.sleep(0.5)
    assert len(mpd_listens(env.db)) == 1
    c.clear()
    c.disconnect()


def test_mpd_with_a_password(env, tmp_path):
    """Without the password MPD refuses: the state says so (no dead threads); with it, tuneup follows."""
    from mpd_support import MpdServer

    from tuneup.errors import TuneupError
    from tuneup.playback.mpd import MpdAddress
    from tuneup.playback.mpd_player import MpdPlayer, probe

    (tmp_path / "locked").mkdir()
    srv = MpdServer(
        tmp_path / "locked", 'password "sesame@read,add,control,admin"\ndefault_permissions ""\n'
    )
    srv.music.mkdir()
    srv.start()
    try:
        with pytest.raises(TuneupError, match="password refused"):
            probe(MpdAddress(str(srv.socket), password="wrong"))
        assert probe(MpdAddress(str(srv.socket), password="sesame")).startswith("0.")
        player = MpdPlayer(
            env.paths.db_file,
            env.profile_id,
            env.paths.run_dir,
            MpdAddress(str(srv.socket)),
            poll_s=0.1,
            backoff=(0.1,),
        )
        player.attach()
        until(lambda: player.state().connected is False)
        assert "check mpd.password" in player.state().error
        time.sleep(0.5)
        assert [t.name for t in player._threads if t.is_alive()][-1:] == [
            "tuneup-mpd-poll"
        ]  # still trying
        player.detach()
        player = MpdPlayer(
            env.paths.db_file,
            env.profile_id,
            env.paths.run_dir,
            MpdAddress(str(srv.socket), password="sesame"),
            poll_s=0.1,
        )
        player.attach()
        until(lambda: player.state().connected)
        player.detach()
    finally:
        srv.stop()
