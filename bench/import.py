"""Benchmark: import 1,000,000 Spotify extended-history entries against a 50,000-track library.

    /work/venv/bin/python bench/import.py [--entries 1000000] [--tracks 50000] [--keep DIR]

Items are inserted directly (the scanner is not what is measured). The export is written as files
of 16,000 entries like Spotify's own (Streaming_History_Audio_*.json), with the variations real
exports have: "- Remastered" suffixes, "feat." credits, "The " prefixes, skips, incognito plays,
podcasts, and 15% of plays of tracks that are not in the library. The import runs in a child
process so its wall time and peak RSS are measured alone; a second run checks that re-importing
adds nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

WORDS = (
    "night summer blue fire heart light river dream city road star gold rain song love dance time wild "
    "electric silver shadow ocean echo sun moon storm glass paper velvet neon winter golden broken"
).split()
PER_FILE = 16_000


def make_library(db_file: Path, tracks: int, rng: random.Random) -> list[tuple]:
    from tuneup.store import open_db, utcnow, write

    db = open_db(db_file)
    now = utcnow()
    rows, catalogue = [], []
    for n in range(tracks):
        artist = f"{'The ' if n % 7 == 0 else ''}{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {n // 10}"
        title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {n}"
        album = f"{rng.choice(WORDS).title()} {n // 12}"
        duration = rng.uniform(120, 420)
        rows.append(
            (
                os.fsencode(f"/music/{n}.flac"),
                f"/music/{n}.flac",
                "track",
                1,
                1,
                now,
                now,
                artist,
                title,
                album,
                duration,
            )
        )
        catalogue.append((artist, title, album, duration))
    with write(db):
        db.conn.executemany(
            "INSERT INTO items (path_raw, path, kind, size, mtime_ns, added_at, updated_at, artist, title, album, "
            "duration) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
    db.conn.close()
    return catalogue


def _entry(rng, catalogue, when: datetime) -> dict:
    r = rng.random()
    if r < 0.85:
        artist, title, album, duration = rng.choice(catalogue)
        if rng.random() < 0.2:
            title += " - Remastered 2011"
        if rng.random() < 0.1:
            artist = artist.removeprefix("The ") + " feat. Somebody"
    else:
        artist, title, album, duration = (
            f"Stranger {rng.randrange(20000)}",
            f"Unknown {rng.randrange(9)}",
            "X",
            200,
        )
    ms = int(duration * 1000) if rng.random() < 0.7 else rng.randrange(1000, 60000)
    podcast = rng.random() < 0.01
    return {
        "ts": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "username": "bench",
        "platform": "Linux",
        "ms_played": ms,
        "conn_country": "DE",
        "ip_addr_decrypted": "203.0.113.7",
        "user_agent_decrypted": "unknown",
        "master_metadata_track_name": None if podcast else title,
        "master_metadata_album_artist_name": None if podcast else artist,
        "master_metadata_album_album_name": None if podcast else album,
        "spotify_track_uri": None if podcast else f"spotify:track:{rng.getrandbits(64):016x}",
        "episode_name": "Episode" if podcast else None,
        "episode_show_name": "Show" if podcast else None,
        "spotify_episode_uri": "spotify:episode:x" if podcast else None,
        "reason_start": "trackdone",
        "reason_end": "trackdone" if ms > 60000 else "fwdbtn",
        "shuffle": False,
        "skipped": ms < 30000,
        "offline": False,
        "offline_timestamp": 0,
        "incognito_mode": rng.random() < 0.005,
    }


def make_export(folder: Path, entries: int, catalogue, rng) -> list[Path]:
    files, when = [], datetime(2014, 1, 1, tzinfo=timezone.utc)
    for start in range(0, entries, PER_FILE):
        batch = []
        for _ in range(min(PER_FILE, entries - start)):
            when += timedelta(seconds=rng.randrange(60, 400))
            batch.append(_entry(rng, catalogue, when))
        path = folder / f"Streaming_History_Audio_{len(files):03d}.json"
        path.write_text(json.dumps(batch))
        files.append(path)
    return files


CHILD = """
import json, sys, time
from tuneup.store import open_db, profile_id
from tuneup.history.importers.run import import_files
db = open_db(sys.argv[1])
t = time.perf_counter()
s = import_files(db, "spotify-extended", sys.argv[2:], profile_id=profile_id(db))
s["seconds"] = time.perf_counter() - t
s.pop("match_report"); s.pop("files"); s.pop("already_imported_files")
print(json.dumps(s))
"""


def run_import(db_file: Path, files: list[Path]) -> tuple[dict, float, float]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(db_file), *map(str, files)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kb, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - cpu_before
    if peak_kb <= before:
        print(
            "note: peak RSS of this run is not above an earlier child's (shown: the earlier peak)",
            file=sys.stderr,
        )
    summary = json.loads(out)
    summary["cpu_seconds"] = cpu
    return summary, wall, peak_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--tracks", type=int, default=50_000)
    parser.add_argument("--keep", type=Path, help="Work in this folder and keep it.")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="tuneup-bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(5)
    db_file = work / "tuneup.db"
    if db_file.exists():
        db_file.unlink()
    t = time.perf_counter()
    catalogue = make_library(db_file, args.tracks, rng)
    files = make_export(work, args.entries, catalogue, rng)
    size = sum(f.stat().st_size for f in files)
    print(
        f"prepared {args.tracks:,} tracks and {args.entries:,} entries in {len(files)} files "
        f"({size / 1e6:,.0f} MB) in {time.perf_counter() - t:.1f} s",
        file=sys.stderr,
    )
    summary, wall, peak = run_import(db_file, files)
    print(
        f"import: {wall:.1f} s wall ({summary['seconds']:.1f} s in import_files, {summary['cpu_seconds']:.1f} s CPU), "
        f"peak RSS {peak:.0f} MB; load average before: {os.getloadavg()[0]:.1f}"
    )
    print(
        f"  read {summary['read']:,}, imported {summary['imported']:,}, matched {summary['matched']:,}, "
        f"unmatched {summary['unmatched']:,}, ignored {summary['ignored']}"
    )
    again, wall2, _ = run_import(db_file, files)
    print(
        f"re-import of the same files: {wall2:.1f} s ({again['cpu_seconds']:.1f} s CPU), imported {again['imported']}, "
        f"duplicates {again['duplicates']:,}"
    )
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
