"""Benchmark: `tuneup export-data` and `tuneup forget --all` over 1,000,000 listens.

    /work/venv/bin/python bench/privacy.py [--listens 1000000] [--items 50000] [--keep DIR]

Items and listens are inserted directly (recording is not what is measured); 80% of listens match an
item. Each command runs as a real `tuneup` child process; wall time and that child's peak RSS are
reported, with the database size before and after forget (VACUUM).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def fill(db_file: Path, n_items: int, n_listens: int) -> None:
    from tuneup.store import open_db, utcnow, write

    db = open_db(db_file)
    now = utcnow()
    with write(db):
        db.conn.executemany(
            "INSERT INTO items (path_raw, path, kind, size, mtime_ns, added_at, updated_at, artist, title, duration) "
            "VALUES (?,?,'track',1,1,?,?,?,?,200)",
            (
                (
                    f"/music/{k}.flac".encode(),
                    f"/music/{k}.flac",
                    now,
                    now,
                    f"Artist {k // 10}",
                    f"Title {k}",
                )
                for k in range(n_items)
            ),
        )
        db.conn.executemany(
            "INSERT INTO listens (item_id, profile_id, started_at, ms_played, duration_ms, end_reason, skipped, "
            "source, artist, title, dedup_key) VALUES (?,1,?,?,200000,'finished',0,'spotify',?,?,?)",
            (
                (
                    1 + k % n_items if k % 5 else None,
                    f"20{10 + k // 100_000:02d}-01-01T00:00:{k % 60:02d}+00:00",
                    90_000,
                    f"Artist {k % 5000}",
                    f"Song {k % 50_000}",
                    f"bench-{k}",
                )
                for k in range(n_listens)
            ),
        )
    db.conn.close()


def run(args: list[str], root: Path) -> tuple[float, int, str]:
    """Wall seconds and peak RSS (MB) of one `tuneup` child alone, and its stdout."""
    out_file = root / "stdout.txt"
    started = time.perf_counter()
    with open(out_file, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tuneup", *args], stdout=out, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise SystemExit(f"tuneup {' '.join(args)} failed ({status})")
    return time.perf_counter() - started, usage.ru_maxrss // 1024, out_file.read_text()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listens", type=int, default=1_000_000)
    ap.add_argument("--items", type=int, default=50_000)
    ap.add_argument("--keep", type=Path, help="Work in DIR and keep it.")
    a = ap.parse_args()
    root = a.keep or Path(tempfile.mkdtemp(prefix="tuneup-bench-privacy-"))
    os.environ["TUNEUP_HOME"] = str(root / "home")
    db_file = root / "home" / "data" / "tuneup.db"
    t = time.perf_counter()
    fill(db_file, a.items, a.listens)
    print(
        f"filled {a.listens:,} listens, {a.items:,} items in {time.perf_counter() - t:.1f} s; "
        f"db {db_file.stat().st_size / 2**20:.0f} MB; load {os.getloadavg()[0]:.1f}"
    )
    out = root / "export.json"
    wall, rss, _ = run(["export-data", "--out", str(out)], root)
    print(
        f"export-data: {wall:.1f} s wall, peak RSS {rss} MB, "
        f"{out.stat().st_size / 2**20:.0f} MB of JSON"
    )
    before = db_file.stat().st_size
    wall, rss, text = run(["forget", "--all", "--yes", "--json"], root)
    print(
        f"forget --all: {wall:.1f} s wall, peak RSS {rss} MB; "
        f"db {before / 2**20:.0f} MB -> {db_file.stat().st_size / 2**20:.1f} MB"
    )
    print(text)
    if not a.keep:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
