"""Video files: what each one is (movie, episode, clip). Owned by the video-library issue.

Interface the scanner relies on (keep it):
- ``VIDEO_EXTENSIONS``: lower-case suffixes with the dot.
- ``read_video(path) -> dict``: runs in a scan worker process; returns item columns
  (see tuneup/store/schema.py ``items``) including ``kind``; may carry a ``_series`` dict
  (title, year, path, genres, plot, extra) for the parent series. Raises MediaReadError.
- ``store_series(db, series_info) -> int``: runs in the scanning process inside its write
  transaction; upserts the series row and returns its id.
"""

from __future__ import annotations

from pathlib import Path

VIDEO_EXTENSIONS = frozenset(
    ".mp4 .m4v .mov .mkv .webm .avi .ts .m2ts .mpg .mpeg .ogv .wmv .flv .3gp".split()
)


def read_video(path: Path) -> dict:
    return {"kind": "video", "title": path.stem, "guessed": ["title"]}


def store_series(db, series_info: dict) -> int | None:
    return None
