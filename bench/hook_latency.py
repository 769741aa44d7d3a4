"""How long a player waits for `tuneup log` while 8 other writers hammer the store (issue 18).

    python bench/hook_latency.py [--seconds 60] [--writers 8] [--home DIR]

A home with a scanned library of a few real files is made; then, for ``--seconds``, 8 writers run
at once: three loops of `tuneup log` (the player hook; each call timed from spawn to exit), two
loops of `tuneup like`/`unlike`, one loop of `tuneup import` of a fresh ListenBrainz file, one
loop of `tuneup scan`, and one in-process writer that holds the write lock for 2 s out of every
3 (a long import transaction, the worst case for a hook). At the end every reported listen must
be in the store (the spool drained): "lost" counts any that are not.
Prints p50/p95/p99/max of the hook's wall time and the load average; figures go in
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


def tuneup(home: Path, *args, check=False) -> subprocess.CompletedProcess:
    env = dict(os.environ, TUNEUP_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "tuneup", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        check=check,
    )


def setup(home: Path) -> list[Path]:
    from media import make_audio

    lib = home / "lib"
    files = [
        make_audio(lib, "flac", {"title": f"song {i}", "artist": "Bench"}, name=f"{i:02d}.flac")
        for i in range(6)
    ]
    tuneup(home, "scan", lib, "--quiet", check=True)
    return files


def hook_loop(home, files, stop, times, reported, who):
    n = 0
    while not stop.is_set():
        n += 1
        at = f"2026-01-01T{who:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z"
        started = time.monotonic()
        proc = tuneup(home, "log", files[n % len(files)], "--played", "30", "--at", at)
        times.append(time.monotonic() - started)
        if proc.returncode == 0:
            reported.append(at)
        else:
            print("log failed:", proc.stderr.strip(), file=sys.stderr)


def like_loop(home, files, stop, which):
    n = 0
    while not stop.is_set():
        n += 1
        tuneup(home, "like" if n % 2 else "unlike", files[(n + which) % len(files)])


def import_loop(home, stop):
    n = 0
    while not stop.is_set():
        n += 1
        path = home / f"import-{n}.jsonl"
        lines = [
            {
                "listened_at": 1_700_000_000 + n * 1000 + i,
                "track_metadata": {"artist_name": "Bench", "track_name": f"song {i % 6}"},
            }
            for i in range(500)
        ]
        path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
        tuneup(home, "import", "listenbrainz", path)


def scan_loop(home, stop):
    while not stop.is_set():
        tuneup(home, "scan", "--quiet")


def lock_holder(db_file, stop):
    """A writer that keeps the write lock 2 s out of every 3 (as a long import transaction does)."""
    conn = sqlite3.connect(db_file, timeout=60, isolation_level=None)
    while not stop.is_set():
        conn.execute("BEGIN IMMEDIATE")
        time.sleep(2)
        conn.execute("COMMIT")
        time.sleep(1)
    conn.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--home")
    args = ap.parse_args()
    home = Path(args.home or tempfile.mkdtemp(prefix="tuneup-hook-"))
    files = setup(home)
    from tuneup.paths import get_paths

    db_file = get_paths(home).db_file
    stop = threading.Event()
    times: list[float] = []
    reported: list[str] = []
    threads = [
        threading.Thread(target=hook_loop, args=(home, files, stop, times, reported, w))
        for w in range(3)
    ]
    threads += [threading.Thread(target=like_loop, args=(home, files, stop, w)) for w in range(2)]
    threads += [
        threading.Thread(target=import_loop, args=(home, stop)),
        threading.Thread(target=scan_loop, args=(home, stop)),
        threading.Thread(target=lock_holder, args=(db_file, stop)),
    ]
    load_before = os.getloadavg()
    for t in threads:
        t.start()
    time.sleep(args.seconds)
    stop.set()
    for t in threads:
        t.join()
    load_after = os.getloadavg()
    deadline = time.monotonic() + 120  # the detached drainers finish what is spooled
    spool = get_paths(home).data_dir / "spool"
    while time.monotonic() < deadline and any(spool.glob("*.json")):
        time.sleep(0.5)
    tuneup(home, "history", "-n", "1")  # drains anything a killed drainer left
    conn = sqlite3.connect(db_file)
    stored = {r[0] for r in conn.execute("SELECT started_at FROM listens WHERE source = 'hook'")}
    lost = [at for at in reported if at.replace("Z", "+00:00") not in stored]
    times.sort()
    q = statistics.quantiles(times, n=100)
    print(
        json.dumps(
            {
                "hook_calls": len(times),
                "p50_s": round(q[49], 3),
                "p95_s": round(q[94], 3),
                "p99_s": round(q[98], 3),
                "max_s": round(times[-1], 3),
                "reported": len(reported),
                "lost": len(lost),
                "load_before": [round(x, 1) for x in load_before],
                "load_after": [round(x, 1) for x in load_after],
                "seconds": args.seconds,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
