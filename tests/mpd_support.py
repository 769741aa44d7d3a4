"""A private, real MPD for tests: a unix socket in a temporary directory, its own config, database and
music directory of generated FLAC files, and a null audio output (with a software mixer, so volume works).

    @pytest.fixture(scope="module")
    def server(tmp_path_factory):
        yield from mpd_server(tmp_path_factory)
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tuneup.playback.mpd import MpdAddress, connect

MPD = shutil.which("mpd") or "/usr/bin/mpd"
needs_mpd = pytest.mark.skipif(not Path(MPD).exists(), reason="mpd is not installed")

SONG_S = 8.0
FMT = "FLAC"
ARTISTS = ["Alpha", "Alpha", "Beta", "Beta", "Gamma", "Gamma", "Delta", "Delta"]


def make_song(path: Path, seconds: float, freq: float, artist: str, title: str) -> Path:
    import mutagen
    import numpy as np
    import soundfile as sf

    rate = 44100
    t = np.arange(int(rate * seconds)) / rate
    sf.write(path, (0.2 * np.sin(2 * np.pi * freq * t)).astype("float32"), rate, format=FMT)
    f = mutagen.File(path, easy=True)
    f["artist"], f["title"], f["genre"] = artist, title, "synthwave"
    f.save()
    return path


class MpdServer:
    def __init__(self, root: Path, extra_conf: str = ""):
        self.root, self.music = root, root / "music"
        self.socket = root / "socket"
        self.conf = root / "mpd.conf"
        self.conf.write_text(
            f'music_directory "{self.music}"\ndb_file "{root / "database"}"\nlog_file "{root / "log"}"\n'
            f'playlist_directory "{root}"\nbind_to_address "{self.socket}"\n'
            'audio_output {\n type "null"\n name "null"\n mixer_type "software"\n}\n' + extra_conf
        )
        self.proc = None

    def start(self) -> None:
        self.socket.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [MPD, "--no-daemon", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.socket.exists():
            assert self.proc.poll() is None, (
                (self.root / "log").read_text() if (self.root / "log").exists() else ""
            )
            assert time.monotonic() < deadline, "mpd did not open its socket"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    @property
    def address(self) -> MpdAddress:
        return MpdAddress(str(self.socket))

    def client(self):
        return connect(self.address)


def mpd_server(tmp_path_factory, seconds: float = SONG_S):
    """Start an MPD with one song per ARTISTS entry, indexed; yields the MpdServer, stops it after."""
    srv = MpdServer(tmp_path_factory.mktemp("mpd"))
    srv.music.mkdir()
    for n, artist in enumerate(ARTISTS):
        make_song(srv.music / f"{n:02d} {artist}.flac", seconds, 220 + 40 * n, artist, f"Song {n}")
    srv.start()
    c = srv.client()
    c.update()
    deadline = time.monotonic() + 20
    while "updating_db" in c.status() or len(c.listall()) < len(ARTISTS):
        assert time.monotonic() < deadline, "mpd did not index the music"
        time.sleep(0.1)
    c.disconnect()
    try:
        yield srv
    finally:
        srv.stop()


def songs(server: MpdServer) -> list[str]:
    return sorted(p.name for p in server.music.iterdir())


def wait_for(pred, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
