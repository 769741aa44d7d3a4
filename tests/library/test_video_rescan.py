"""Editing or adding an NFO sidecar is picked up by the next scan, though the video itself is unchanged."""

import shutil
from pathlib import Path

from tuneup.library.scan.scanner import scan
from tuneup.store import open_db

FIXTURES = Path(__file__).parent.parent / "fixtures" / "video"

MOVIE_NFO = """<?xml version="1.0" encoding="UTF-8"?>
<movie><title>{title}</title><year>2019</year><genre>Drama</genre></movie>
"""
TVSHOW_NFO = """<?xml version="1.0" encoding="UTF-8"?>
<tvshow><title>Harbour Lights</title><genre>{genre}</genre><plot>Boats.</plot></tvshow>
"""


def _title(db, like):
    return db.execute("SELECT title FROM items WHERE path LIKE ?", [f"%{like}"]).fetchone()[0]


def test_nfo_edits_reach_the_next_scan(tmp_path):
    movie_dir = tmp_path / "Movies" / "Quiet Harbour (2019)"
    movie_dir.mkdir(parents=True)
    shutil.copy(FIXTURES / "titled.mkv", movie_dir / "Quiet Harbour (2019).mkv")
    season = tmp_path / "Shows" / "Harbour Lights" / "Season 01"
    season.mkdir(parents=True)
    shutil.copy(FIXTURES / "titled.mkv", season / "Harbour Lights - S01E01 - Pilot.mkv")
    db = open_db(tmp_path / "t.db")

    first = scan(db, [tmp_path], workers=1)
    assert first.added == 2
    assert scan(db, workers=1).unchanged == 2  # nothing changed: nothing re-read

    (movie_dir / "movie.nfo").write_text(MOVIE_NFO.format(title="The Quiet Harbour"))
    (season.parent / "tvshow.nfo").write_text(TVSHOW_NFO.format(genre="Mystery"))
    second = scan(db, workers=1)
    assert second.updated == 2 and second.unchanged == 0
    assert _title(db, "Quiet Harbour (2019).mkv") == "The Quiet Harbour"
    genres = db.execute("SELECT genres FROM series WHERE title = 'Harbour Lights'").fetchone()[0]
    assert "Mystery" in genres

    assert scan(db, workers=1).unchanged == 2  # and the stored change time is stable afterwards
