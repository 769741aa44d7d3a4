"""A video played from the app opens with its video track in mpv (audio and video outputs null here),
the bar follows it, and the play is recorded as a listen and as a finished watch."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("mpv") is None or shutil.which("ffmpeg") is None,
    reason="mpv and ffmpeg are needed",
)

from test_tui_playback import null_player, open_library, wait_for  # noqa: E402

from tuneup.tui.app import create_app  # noqa: E402
from tuneup.tui.widgets.now_playing import NowPlaying  # noqa: E402

SECONDS = 4


def make_video(path, title):
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=duration={SECONDS}:size=160x120:rate=10",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={SECONDS}",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            "-metadata",
            f"title={title}",
            str(path),
        ],
        check=True,
    )
    return path


def test_video_plays_with_its_video_track_and_is_recorded_as_a_watch(env, tmp_path):
    from tuneup.history.watch import get_progress, watch_history
    from tuneup.library.scan.scanner import scan

    make_video(tmp_path / "videos" / "pattern.mp4", "Test Pattern")
    scan(env.db, [str(tmp_path / "videos")])
    item_id, kind = env.db.execute("SELECT id, kind FROM items").fetchone()
    assert kind == "video"

    async def run():
        app = create_app(env, player_factory=null_player, onboarding=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_library(app, pilot)
            await pilot.press("enter")
            pb = app.playback
            await wait_for(pilot, lambda: pb.state.playing and pb.state.position > 0.3)
            assert pb.player.state().video  # mpv selected the video track: not forced audio-only
            line = str(app.screen.query_one(NowPlaying).query_one("#np-line").render())
            bar = str(app.screen.query_one(NowPlaying).query_one("#np-bar").render())
            assert "Test Pattern" in line and "video in mpv's window" in line
            assert f"0:0{SECONDS}" in bar and "━" in bar
            await wait_for(
                pilot, lambda: env.db.execute("SELECT count(*) FROM listens").fetchone()[0] == 1
            )
            await pilot.press("q")
        listen = env.db.execute("SELECT item_id, end_reason, skipped FROM listens").fetchone()
        assert listen == (item_id, "finished", 0)
        progress = get_progress(env.db, env.profile_id, item_id)
        assert progress.completed and progress.times_completed == 1
        assert [h["item_id"] for h in watch_history(env.db, env.profile_id)] == [item_id]

    asyncio.run(run())


def test_a_video_added_to_an_audio_queue_still_shows_its_video(env, tmp_path):
    """A queue that started audio-only (mpv --no-video) turns video on when a video is added to it."""
    import time

    import numpy as np
    import soundfile

    from tuneup.library.scan.scanner import scan
    from tuneup.playback.players import default_player

    make_video(tmp_path / "media" / "pattern.mp4", "Test Pattern")
    rate = 22050
    soundfile.write(tmp_path / "media" / "tone.flac", np.zeros(rate, dtype="float32"), rate)
    scan(env.db, [str(tmp_path / "media")])
    ids = dict(env.db.execute("SELECT kind, id FROM items").fetchall())
    player = default_player(env, env.profile_id, mpv_args=["--ao=null", "--vo=null"])
    try:
        player.start([ids["track"]])
        time.sleep(0.3)
        assert not player.state().video
        player.enqueue([ids["video"]])
        deadline = time.monotonic() + 15
        while not (
            player.state().entry and player.state().entry.kind == "video" and player.state().video
        ):
            assert time.monotonic() < deadline, player.state()
            time.sleep(0.05)
    finally:
        player.stop()


def test_a_video_that_fails_to_play_keeps_its_resume_point(env, tmp_path):
    from tuneup.history.watch import get_progress, record_progress
    from tuneup.library.scan.scanner import scan
    from tuneup.playback.players import default_player

    video = make_video(tmp_path / "videos" / "film.mp4", "Film")
    scan(env.db, [str(tmp_path / "videos")])
    item_id = env.db.execute("SELECT id FROM items").fetchone()[0]
    record_progress(env.db, env.profile_id, item_id, 2.5, float(SECONDS))
    video.write_bytes(b"not a video any more")  # damaged since: mpv cannot open it
    player = default_player(env, env.profile_id, mpv_args=["--ao=null", "--vo=null"])
    player.start([item_id])
    assert player.wait(30)
    assert any("film.mp4" in e for e in player.errors)
    assert get_progress(env.db, env.profile_id, item_id).position_s == pytest.approx(2.5)
