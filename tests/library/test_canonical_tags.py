"""Tags made canonical at scan time, raw values kept (issue 17): placeholders are unknown, container
folders are never artists, genres that differ in case or by a typo are one genre."""

import json

import pytest
from media import make_audio

from tuneup.library.scan.scanner import scan
from tuneup.library.tags.canonical import canonical_genre, genre_variants, is_placeholder
from tuneup.library.tags.pathguess import guess_from_path, is_container
from tuneup.store import open_db, write


@pytest.fixture
def db(tmp_path):
    d = open_db(tmp_path / "t.db")
    yield d
    d.conn.close()


def _items(db) -> dict[str, dict]:
    cur = db.execute("SELECT path, title, artist, album, genres, raw_tags FROM items")
    cols = [c[0] for c in cur.description]
    out = {}
    for row in cur.fetchall():
        item = dict(zip(cols, row))
        out[item["path"].rsplit("/", 2)[-2] + "/" + item["path"].rsplit("/", 1)[-1]] = item
    return out


def test_placeholder_tags_are_unknown_and_kept_raw(db, tmp_path):
    lib = tmp_path / "lib"
    make_audio(
        lib / "Psymong" / "PsymongR1.ogg",
        "ogg",
        {"title": "14 - Track 14", "artist": "<Unknown>", "album": "Lost", "genre": "(None)"},
    )
    make_audio(
        lib / "Psymong" / "b.ogg",
        "ogg",
        {"title": "Real Song", "artist": "Unknown Artist", "album": "Unknown Album"},
    )
    make_audio(lib / "x" / "c.ogg", "ogg", {"title": "Web", "artist": "www.example.com"})
    scan(db, [str(lib)])
    items = _items(db)
    first = items["Psymong/PsymongR1.ogg"]
    assert first["title"] == "PsymongR1" and first["genres"] is None  # from the file name
    assert first["artist"] == "Psymong"  # the folder may name it once the tag is known empty
    assert json.loads(first["raw_tags"]) == {
        "title": "14 - Track 14",
        "artist": "<Unknown>",
        "artists": '["<Unknown>"]',
        "genres": ["(None)"],
    }
    second = items["Psymong/b.ogg"]
    assert second["title"] == "Real Song" and second["album"] is None
    assert items["x/c.ogg"]["artist"] == "x"  # a web address is no artist
    for value in ("<Unknown>", "(None)", "Unknown Artist", "Track 01", "13 - Track 13", "N/A", ""):
        assert is_placeholder(value), value
    for value in ("Track Star", "The Unknown", "None More Black", "Untitled Unmastered"):
        assert not is_placeholder(value), value


def test_container_folders_are_never_artists(db, tmp_path):
    lib = tmp_path / "lib"
    for rel in (
        "warzone2100-music/albums/legacy_soundtrack/track5.ogg",
        "_transcoded/forest__wisphunt.ogg",
        "wesnoth-1.16-music/battle.ogg",
        "sonic-pi-samples/loop_amen.ogg",
        "supertux-data/forest/wisphunt.ogg",
        "music/Night Ferry/harbour.ogg",
        "Night Ferry/Harbour Lights/01 - Pier.ogg",
    ):
        make_audio(lib / rel, "ogg")
    scan(db, [str(lib)])
    artists = {r[0]: r[1:] for r in db.execute("SELECT path, artist, album FROM items")}
    by_name = {p.split("/lib/", 1)[1]: v for p, v in artists.items()}
    assert by_name["warzone2100-music/albums/legacy_soundtrack/track5.ogg"] == (
        None,
        "legacy soundtrack",
    )
    assert by_name["_transcoded/forest__wisphunt.ogg"][0] is None
    assert by_name["wesnoth-1.16-music/battle.ogg"] == (None, None)
    assert by_name["sonic-pi-samples/loop_amen.ogg"][0] is None
    assert by_name["supertux-data/forest/wisphunt.ogg"] == (None, "forest")
    assert by_name["music/Night Ferry/harbour.ogg"][0] == "Night Ferry"
    assert by_name["Night Ferry/Harbour Lights/01 - Pier.ogg"] == ("Night Ferry", "Harbour Lights")
    for name in (
        "albums",
        "Music",
        "_transcoded",
        "transcoded",
        "naev-data",
        "planetblupi-music-ogg",
    ):
        assert is_container(name), name
    for name in ("Radiohead", "ONE ABE", "a-ha", "Sigur Rós", "blink-182"):
        assert not is_container(name), name
    assert guess_from_path(["albums", "x.ogg"]) == {"title": "x"}


def test_genres_differing_in_case_or_by_a_typo_are_one(db, tmp_path):
    lib = tmp_path / "lib"
    spellings = ["Soundtrack"] * 3 + [
        "soundtrack",
        "Soundtrck",
        "Game Soundtrack",
        "Game soundtrack",
    ]
    for n, genre in enumerate(spellings + ["Folk", "Funk"]):
        make_audio(lib / "a" / f"{n}.ogg", "ogg", {"title": f"T{n}", "artist": "A", "genre": genre})
    scan(db, [str(lib)])
    got = {}
    for raw, raw_tags in db.execute("SELECT genres, raw_tags FROM items"):
        got.setdefault(tuple(json.loads(raw)), []).append(json.loads(raw_tags).get("genres"))
    assert set(got) == {("Soundtrack",), ("Game Soundtrack",), ("Folk",), ("Funk",)}
    assert sorted(r[0] for r in got[("Soundtrack",)] if r) == ["Soundtrck", "soundtrack"]
    assert canonical_genre("game music") == "Game Soundtrack" and canonical_genre("VGM") == (
        "Game Soundtrack"
    )
    assert canonical_genre("Hip Hop") == "Hip Hop"  # a spelling is the library's own...
    assert genre_variants({"Hip-Hop": 3, "hip hop": 1}) == {"hip hop": "Hip-Hop"}  # ...merged
    assert genre_variants({"Folk": 5, "Funk": 1, "Soul": 3, "Soup": 1}) == {}
    assert genre_variants({"rock": 2, "Rock": 1}) == {"Rock": "rock"}  # the common spelling wins


def test_rows_scanned_before_are_cleaned_on_the_next_scan(db, tmp_path):
    lib = tmp_path / "lib"
    make_audio(lib / "a.ogg", "ogg", {"title": "A", "artist": "Band"})
    scan(db, [str(lib)])
    with write(db):  # as an older tuneup left it
        db.execute(
            "UPDATE items SET artist = 'albums', guessed = '[\"artist\"]', genres = '[\"(None)\"]', "
            "raw_tags = NULL"
        )
    scan(db)
    artist, genres, raw = db.execute("SELECT artist, genres, raw_tags FROM items").fetchone()
    assert artist is None and genres is None
    assert json.loads(raw) == {"artist": "albums", "genres": ["(None)"]}
