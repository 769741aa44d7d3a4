"""Mix and row speed, end to end from process start, at 100,000 items and 1,000,000 listens.

    python bench/mix.py [--items 100000] [--listens 1000000] [--runs 3]

Generates the library and history straight into SQLite (bench/model.py's generator, plus a recent
month of listens and a series being watched), fits the model once, then times real `tuneup`
processes: `mix --weekly --refresh --out FILE` (the weekly mix generated, not read back),
`mix --weekly --out FILE` (this week's stored mix), and `rows --json` (first run of the day, which
makes the Daily Mixes, then a later run).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def recent(db, n_items: int, n: int = 5000, seed: int = 1) -> None:
    """A month of recent listening for profile 1, and a series in progress, so every row has something."""
    from tuneup.store import utcnow, write

    rng = np.random.default_rng(seed)
    now = datetime.now(timezone.utc)
    favourites = rng.integers(1, n_items + 1, 300)
    with write(db):
        db.conn.executemany(
            "INSERT INTO listens (item_id, profile_id, started_at, ms_played, duration_ms, end_reason, skipped, "
            "source) VALUES (?, 1, ?, 200000, 200000, 'finished', 0, 'bench')",
            (
                (
                    int(rng.choice(favourites)),
                    (now - timedelta(seconds=int(s))).isoformat(timespec="seconds"),
                )
                for s in rng.integers(3600, 30 * 86400, n)
            ),
        )
        sid = db.execute(
            "INSERT INTO series (key, title) VALUES ('bench show', 'Bench Show')"
        ).lastrowid
        stamp = utcnow()
        for ep in range(1, 11):
            iid = db.execute(
                "INSERT INTO items (path_raw, path, kind, size, mtime_ns, added_at, updated_at, title, series_id, "
                "season, episode, duration) VALUES (?, ?, 'episode', 1, 1, ?, ?, ?, ?, 1, ?, 2700)",
                [f"/tv/{ep}.mkv".encode(), f"/tv/{ep}.mkv", stamp, stamp, f"Episode {ep}", sid, ep],
            ).lastrowid
            if ep <= 3:
                db.execute(
                    "INSERT INTO watch_progress (profile_id, item_id, position_s, duration_s, last_watched_at, "
                    "completed, times_completed) VALUES (1, ?, 2700, 2700, ?, 1, 1)",
                    [iid, stamp],
                )


def forget_daily(home: Path) -> None:
    """Drop today's stored Daily Mixes, so the next `rows` makes them as the first run of a day does."""
    from tuneup.paths import get_paths
    from tuneup.store import open_db, write

    db = open_db(get_paths(home).db_file)
    with write(db):
        db.execute("DELETE FROM mixes WHERE kind = 'daily'")
    db.conn.close()


def timed(args: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `tuneup` process. CPU time is what the process itself costs; wall
    time also holds whatever else the machine was doing."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "tuneup", *args], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"tuneup {' '.join(args)} failed: {proc.stderr}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--listens", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument(
        "--reuse", metavar="HOME", help="time again against a home an earlier run generated"
    )
    args = ap.parse_args()
    from model import generate  # bench/model.py

    from tuneup.model.api import fit
    from tuneup.paths import get_paths
    from tuneup.store import open_db

    if args.reuse:
        home = Path(args.reuse)
    else:
        home = Path(tempfile.mkdtemp(prefix="tuneup-bench-mix-"))
        paths = get_paths(home).ensure()
        db = open_db(paths.db_file)
        t = time.perf_counter()
        generate(db, args.items, args.listens)
        recent(db, args.items)
        print(
            f"generated {args.items:,} items, {args.listens:,} listens in {time.perf_counter() - t:.1f} s"
        )
        t = time.perf_counter()
        fit(db, paths.model_dir)
        print(f"model fitted in {time.perf_counter() - t:.1f} s  (home: {home})")
        db.conn.close()
    env = {**os.environ, "TUNEUP_HOME": str(home)}
    out = home / "weekly.m3u8"
    results = {
        "tuneup --help": [timed(["--help"], env) for _ in range(args.runs)],
        "mix --weekly --refresh --out FILE (generated)": [
            timed(["mix", "--weekly", "--refresh", "--out", str(out)], env)
            for _ in range(args.runs)
        ],
        "mix --weekly --out FILE (stored this week)": [
            timed(["mix", "--weekly", "--out", str(out)], env) for _ in range(args.runs)
        ],
    }
    first = []
    for _ in range(args.runs):
        forget_daily(home)
        first.append(timed(["rows", "--json"], env))
    results["rows --json (first of the day: makes Daily Mixes)"] = first
    results["rows --json (later)"] = [timed(["rows", "--json"], env) for _ in range(args.runs)]
    assert out.read_text().count("#EXTINF") == 30
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, runs in results.items():
        wall, cpu = [r[0] for r in runs], [r[1] for r in runs]
        print(
            f"{name:52s} wall median {statistics.median(wall):.2f} s, CPU median {statistics.median(cpu):.2f} s "
            f"(wall: {', '.join(f'{x:.2f}' for x in wall)})"
        )


if __name__ == "__main__":
    main()
