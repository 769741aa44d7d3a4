"""The one resolver (issue 14) on a big library: how long naming an item takes by id, path,
"Artist - Title" and a misspelling that gets "did you mean".

    python bench/resolve.py               # 100,000 items
    python bench/resolve.py --n 20000

Items are written straight through the store's upsert (no files: the resolver reads only the
table). Each lookup runs ``--repeat`` times in this process; medians are reported. The id and
path steps are index lookups; "Artist - Title" reads every row with a title (SQLite's NOCASE
and lower() fold ASCII only, so the comparison is done in Python with casefold); a miss also
runs difflib over the distinct names for the suggestions.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tuneup.errors import ItemNotFound  # noqa: E402
from tuneup.store import open_db, utcnow, write  # noqa: E402
from tuneup.store.items import upsert_sql  # noqa: E402
from tuneup.store.resolve import resolve  # noqa: E402


def fill(db, n: int) -> None:
    cols = ["path_raw", "path", "kind", "size", "mtime_ns", "added_at", "updated_at"]
    cols += ["title", "artist", "album"]
    now = utcnow()
    rows = []
    for i in range(n):
        path = f"/music/Artist {i // 120:04d}/Album {i // 12:05d}/{i % 12:02d} Song {i}.flac"
        rows.append(
            (os.fsencode(path), path, "track", 1, 1, now, now, f"Song number {i}",
             f"Artist {i // 120:04d}", f"Album {i // 12:05d}")
        )  # fmt: skip
    with write(db):
        db.conn.executemany(upsert_sql(cols), rows)


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "tuneup.db")
        start = time.perf_counter()
        fill(db, args.n)
        print(f"{args.n} items written in {time.perf_counter() - start:.1f} s")
        last = args.n - 1
        path = f"/music/Artist {last // 120:04d}/Album {last // 12:05d}/{last % 12:02d} Song {last}.flac"
        name = f"artist {last // 120:04d} - song number {last}"

        def miss():
            try:
                resolve(db, f"Artsit {last // 120:04d} - Snog numbr {last}")
            except ItemNotFound as exc:
                assert exc.suggestions, exc

        cases = {
            "id": lambda: resolve(db, str(args.n // 2)),
            "path": lambda: resolve(db, path),
            '"Artist - Title" (last item, any case)': lambda: resolve(db, name),
            "misspelling with did-you-mean": miss,
        }
        for label, fn in cases.items():
            print(f"{label:<42} {timed(fn, args.repeat) * 1000:9.1f} ms")
        db.conn.close()


if __name__ == "__main__":
    main()
