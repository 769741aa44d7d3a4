"""Playing, pausing, skipping and quitting from the app with a real mpv (audio and video off)."""

from __future__ import annotations

import asyncio
import shutil
import time

import pytest

pytest.importorskip("tuneup.playback.mpv")
pytestmark = pytest.mark.skipif(shutil.which("mpv") is None, reason="mpv is not installed")

from tuneup.playback.players import default_player  # noqa: E402
from tuneup.playback.radio_queue import TopUp  # noqa: E402
from tuneup.tui.app import create_app  # noqa: E402
from tuneup.tui.widgets.library_view import LibraryView  # noqa: E402
from tuneup.tui.widgets.now_playing import NowPlaying  # noqa: E402


def write_tracks(root, n=3, seconds=20.0):
    import numpy as np
    import soundfile
    from mutagen.oggvorbis import OggVorbis

    root.mkdir(parents=True)
    rate = 22050
    t = np.arange(int(rate * seconds)) / rate
    for k in range(n):
        path = root / f"{k}.ogg"
        soundfile.write(
            path,
            (0.2 * np.sin(2 * np.pi * (220 + 110 * k) * t)).astype("float32"),
            rate,
            format="OGG",
            subtype="VORBIS",
        )
        tags = OggVorbis(path)
        tags.update({"title": [f"Tone {k}"], "artist": ["Sine Band"], "genre": ["test"]})
        tags.save()


def null_player(env, profile_id):
    return default_player(env, profile_id, mpv_args=["--ao=null", "--vo=null"])


def _fallback_rows(db, config, profile, profile_id):
    from tuneup.tui.home_rows import fallback_rows

    return fallback_rows(db, profile, profile_id)


async def open_library(app, pilot) -> LibraryView:
    """The Library tab, loaded, with its list focused (enter then plays from the first row)."""
    await pilot.press("2")
    await app.workers.wait_for_complete()
    await pilot.pause()
    view = app.screen.query_one(LibraryView)
    view.focus()
    return view


async def wait_for(pilot, condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await pilot.pause(0.1)


def test_play_pause_skip_and_quit_record_listens(env, tmp_path):
    from tuneup.library.scan.scanner import scan

    write_tracks(tmp_path / "music")
    scan(env.db, [str(tmp_path / "music")])
    db = env.db

    async def run():
        app = create_app(env, player_factory=null_player, onboarding=False)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_library(app, pilot)
            assert len(view.rows) == 3
            await pilot.press("enter")
            pb = app.playback
            await wait_for(pilot, lambda: pb.state.playing and pb.state.position > 0.5)
            first = pb.state.item_id
            bar = app.screen.query_one(NowPlaying)
            assert "Tone" in str(bar.query_one("#np-line").render())
            assert "Up next: Sine Band - Tone" in str(bar.query_one("#np-next").render())
            await pilot.press("space")
            await wait_for(pilot, lambda: pb.state.paused)
            await pilot.press("space")
            await wait_for(pilot, lambda: not pb.state.paused)
            await pilot.press("s")  # skip: recorded as a skip
            await wait_for(pilot, lambda: pb.state.item_id not in (None, first))
            await wait_for(
                pilot, lambda: db.execute("SELECT count(*) FROM listens").fetchone()[0] == 1
            )
            await pilot.press("l")  # like what plays now
            second = pb.state.item_id
            await pilot.press("q")
        rows = db.execute("SELECT item_id, end_reason, skipped FROM listens ORDER BY id").fetchall()
        assert rows[0] == (first, "skipped", 1)
        assert rows[1][0] == second and rows[1][1] == "stopped"
        liked = db.execute("SELECT item_id FROM feedback WHERE kind = 'like'").fetchall()
        assert liked == [(second,)]

    asyncio.run(run())


def test_starting_another_item_or_quitting_is_not_a_skip(env, tmp_path):
    """Playing another row while one plays (the queue replaced) and quitting end the plays as
    "stopped", never as skips, even for a track liked seconds before (issue 17)."""
    from tuneup.library.scan.scanner import scan

    write_tracks(tmp_path / "music")
    scan(env.db, [str(tmp_path / "music")])
    db = env.db

    async def run():
        app = create_app(env, player_factory=null_player, onboarding=False)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_library(app, pilot)
            await pilot.press("enter")
            pb = app.playback
            await wait_for(pilot, lambda: pb.state.playing and pb.state.position > 0.5)
            first = pb.state.item_id
            await pilot.press("l")
            await pilot.press("down", "down", "enter")  # another row: replaces the queue
            await wait_for(pilot, lambda: pb.state.item_id not in (None, first))
            await wait_for(pilot, lambda: pb.state.playing and pb.state.position > 0.5)
            await pilot.press("q")
        rows = db.execute("SELECT item_id, end_reason, skipped FROM listens ORDER BY id").fetchall()
        assert rows[0] == (first, "stopped", 0)
        assert len(rows) == 2 and rows[1][1:] == ("stopped", 0)
        assert view is not None

    asyncio.run(run())


def test_radio_from_a_home_card_plays_a_queue(env, tmp_path):
    from tuneup.library.scan.scanner import scan
    from tuneup.tui.widgets.home import Card

    root = tmp_path / "music"
    write_tracks(root, n=6, seconds=8.0)
    scan(env.db, [str(root)])

    async def run():
        app = create_app(
            env, player_factory=null_player, onboarding=False, rows_loader=_fallback_rows
        )
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen.focused, Card))
            seed = app.screen.focused.item.item_id
            await pilot.press("r")
            pb = app.playback
            await wait_for(pilot, lambda: pb.state.playing, timeout=60)
            assert pb.state.item_id == seed and pb.radio_session is not None
            assert len(pb.state.up_next) >= 1
            await pilot.press("q")

    asyncio.run(run())


def test_radio_keeps_extending_and_learns_from_skips(env, tmp_path):
    """Radio never runs dry: near the end of its queue it adds more, steering away from skipped tracks."""
    from tuneup.library.scan.scanner import scan
    from tuneup.tui.widgets.home import Card

    root = tmp_path / "music"
    write_tracks(root, n=30, seconds=8.0)  # more than a skip's 15 avoided neighbours
    scan(env.db, [str(root)])

    async def run():
        app = create_app(
            env, player_factory=null_player, onboarding=False, rows_loader=_fallback_rows
        )
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen.focused, Card))
            pb = app.playback
            pb.radio_policy = TopUp(first=3, low=2, more=2)
            await pilot.press("r")
            await wait_for(pilot, lambda: pb.state.playing, timeout=60)
            first = list(pb.player._queue)
            assert len(first) <= 4
            await pilot.press("s")  # skip: recorded, and the session avoids it
            await wait_for(pilot, lambda: len(pb.player._queue) > len(first), timeout=60)
            await wait_for(pilot, lambda: pb.radio_session.skips, timeout=30)
            queued = [e.item_id for e in pb.player._queue]
            assert len(queued) == len(set(queued))  # nothing repeated
            await pilot.press("q")

    asyncio.run(run())


def test_a_queue_mpv_cannot_play_is_one_notification_with_what_to_do(env, tmp_path):
    """No working sound output (a machine without a sound card): say so once, not once per track, and
    never in silence."""
    from tuneup.library.scan.scanner import scan

    write_tracks(tmp_path / "music")
    scan(env.db, [str(tmp_path / "music")], workers=1)

    def no_sound(env, profile_id):
        return default_player(
            env,
            profile_id,
            mpv_args=["--ao=alsa", "--audio-device=alsa/tuneup-no-such-device", "--vo=null"],
        )

    async def run():
        app = create_app(env, player_factory=no_sound, onboarding=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_library(app, pilot)
            await pilot.press("enter")
            told = lambda: [n for n in app._notifications if n.title == "Cannot play"]  # noqa: E731
            await wait_for(
                pilot,
                lambda: app.playback.player is not None and len(app.playback.player.errors) == 3,
            )
            await pilot.pause(0.3)
            assert len(told()) == 1
            message = str(told()[0].message)
            assert "audio output initialization failed" in message and "sound setup" in message
            assert not app.playback.state.playing
        assert env.db.execute("SELECT count(*) FROM listens").fetchone()[0] == 0  # none was heard

    asyncio.run(run())
