"""Prompt mixes at library scale (issue 19): `tuneup mix --prompt` on a generated 10k-track library
(12 genres, 800 artists, every track with measured-feature values), time from a cold start of the
store read (load_library) to the finished Mix, per prompt; the median of 5 runs.

    nice python bench/steer.py [--tracks 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time

from tuneup.mixes import prompt as prompts
from tuneup.store import open_db, utcnow, write

GENRES = "jazz folk metal techno ambient synthwave hip hop classical blues reggae punk soul".split()
PROMPTS = [
    "calm acoustic evening, no metal, some jazz",
    "energetic, fast, mostly techno, mode:hard",
    "dark, slow, genre:ambient, -classical",
    "party, 90s, some soul, more danceable",
]


def build(path: str, n: int) -> None:
    db = open_db(path)
    rng = random.Random(19)
    now = utcnow()
    with write(db):
        for i in range(1, n + 1):
            g = GENRES[i % len(GENRES)]
            db.execute(
                "INSERT INTO items (id, path_raw, path, kind, size, mtime_ns, added_at, updated_at, "
                "title, artist, genres, year) VALUES (?, ?, ?, 'track', 1, 1, ?, ?, ?, ?, ?, ?)",
                [
                    i,
                    f"/m/{i}.ogg".encode(),
                    f"/m/{i}.ogg",
                    now,
                    now,
                    f"t{i}",
                    f"artist {rng.randrange(800)}",
                    json.dumps([g]),
                    rng.randrange(1960, 2026),
                ],
            )
            data = {
                "energy": rng.random(),
                "acousticness": rng.random(),
                "danceability": rng.random(),
                "tempo_bpm": rng.uniform(60, 180),
                "spectral_centroid_hz": rng.uniform(500, 5000),
            }
            db.execute(
                "INSERT INTO features (item_id, version, computed_at, status, data) "
                "VALUES (?, 2, ?, 'ok', ?)",
                [i, now, json.dumps(data)],
            )
    db.conn.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracks", type=int, default=10_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "t.db")
        build(path, args.tracks)
        db = open_db(path)
        print(f"{args.tracks} tracks, load {os.getloadavg()[0]:.1f}")
        for text in PROMPTS:
            times = []
            for _ in range(5):
                t0 = time.perf_counter()
                mix = prompts.make(db, 1, text, size=30)
                times.append(time.perf_counter() - t0)
            print(f"{statistics.median(times):6.3f} s  {len(mix.items):3d} items  {text}")


if __name__ == "__main__":
    main()
