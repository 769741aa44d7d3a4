"""A track whose audio no decoder can read is marked by analysis and never put in a mix or playlist."""

from __future__ import annotations

import json

import numpy as np
import signals

from tuneup.library.scan.scanner import scan
from tuneup.library.sound.analyze import analyze


def _garbled(source, path, keep_header: int = 8192, seed: int = 3):
    """The file's header and tags intact, its audio frames replaced by noise (a disk error, a bad rip)."""
    data = source.read_bytes()
    noise = (
        np.random.default_rng(seed)
        .integers(0, 256, len(data) - keep_header, dtype=np.uint8)
        .tobytes()
    )
    path.write_bytes(data[:keep_header] + noise)
    return path


def test_undecodable_tracks_are_marked_and_left_out_of_mixes(env, tmp_path, tuneup_cmd, home):
    music = tmp_path / "music"
    music.mkdir()
    sr = 22050
    for n in range(14):
        signals.write(
            music / f"song{n:02d}.flac",
            signals.song(80 + 7 * n, n % 12, "major", seconds=8.0, sr=sr),
            sr,
        )
    signals.write(
        music / "blip.flac", signals.tone(seconds=0.3, sr=sr), sr
    )  # too short, but it plays
    broken = _garbled(music / "song00.flac", music / "broken.flac")
    scan(env.db, [str(music)], workers=1)
    broken_id = env.db.execute("SELECT id FROM items WHERE path = ?", [str(broken)]).fetchone()[0]
    analyze(env.db, workers=1)
    flags = dict(
        env.db.execute(
            "SELECT i.path, f.undecodable FROM features f JOIN items i ON i.id = f.item_id"
        ).fetchall()
    )
    assert flags.pop(str(broken)) == 1
    assert (
        set(flags.values()) == {0} and str(music / "blip.flac") in flags
    )  # too short is not undecodable
    env.close()

    out = tmp_path / "mixes"
    tuneup_cmd("mix", "--all", "--dir", out, "--format", "json")
    paths = [
        entry["path"] for f in out.glob("*.json") for entry in json.loads(f.read_text())["items"]
    ]
    assert paths and str(broken) not in paths
    recs = json.loads(tuneup_cmd("recommend", "--json", "-k", "50").stdout)
    assert recs and broken_id not in {r["item_id"] for r in recs}
