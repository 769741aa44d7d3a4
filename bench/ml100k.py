"""Fetch MovieLens-100k (inside the recbole wheel, from PyPI) and convert it to tuneup's eval format.

    python bench/ml100k.py [DIR]      # default bench/data/ml-100k; writes interactions.csv, items.csv

The data's licence is research-only: it lives under bench/data/ (git-ignored) and is never committed.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
DEFAULT_DIR = HERE / "data" / "ml-100k"
WHEEL = "recbole-1.2.1-py3-none-any.whl"
PREFIX = "recbole/dataset_example/ml-100k/"


def fetch_wheel() -> Path:
    wheel = CACHE / WHEEL
    if not wheel.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--quiet",
                "recbole==1.2.1",
                "-d",
                str(CACHE),
            ],
            check=True,
        )
    return wheel


def convert(wheel: Path, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        inter = z.read(PREFIX + "ml-100k.inter").decode("utf-8")
        items = z.read(PREFIX + "ml-100k.item").decode("latin-1")
    with open(out / "interactions.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["profile", "item", "timestamp"])
        for line in io.StringIO(inter).read().splitlines()[1:]:
            user, item, _rating, ts = line.split("\t")
            w.writerow([user, item, int(float(ts))])
    with open(out / "items.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["item", "title", "creator", "genres", "year"])
        for line in items.splitlines()[1:]:
            parts = line.split("\t")
            item, title, year, genres = (parts + ["", "", "", ""])[:4]
            w.writerow([item, title, "", "|".join(genres.split()), year])
    return out


def ensure(out: Path = DEFAULT_DIR) -> Path:
    if (out / "interactions.csv").exists() and (out / "items.csv").exists():
        return out
    return convert(fetch_wheel(), out)


if __name__ == "__main__":
    print(ensure(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR))
