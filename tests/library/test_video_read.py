"""Reading real video files (tiny committed fixtures), scanning a library tree, and the series model."""

import json
import shutil
from pathlib import Path

import pytest

from tuneup.library.video import series as lib
from tuneup.library.video.classify import VIDEO_EXTENSIONS, read_video, series_key, store_series
from tuneup.library.video.containers import read_container
from tuneup.store import open_db
from tuneup.store.db import write

FIXTURES = Path(__file__).parent.parent / "fixtures" / "video"


def test_fixtures_are_tiny():
    files = [p for p in FIXTURES.iterdir() if p.suffix in VIDEO_EXTENSIONS]
    assert {p.suffix for p in files} >= {".mp4", ".m4v", ".mkv", ".webm", ".mpg"}
    assert all(p.stat().st_size < 20_000 for p in files)


def test_mp4_with_tv_atoms():
    item = read_video(FIXTURES / "episode.mp4")
    assert item["kind"] == "episode"
    assert (item["season"], item["episode"], item["title"]) == (1, 2, "The Pilot")
    assert item["genres"] == ["Drama"] and item["description"].startswith("A much longer")
    assert item["date"] == "2021-03-04" and item["year"] == 2021
    assert item["extra"]["episode_id"] == "FS0102" and item["extra"]["hd"] is True
    assert item["extra"]["media_kind"] == "tv show"
    assert (item["width"], item["height"], item["codec"]) == (32, 24, "avc1")
    assert item["duration"] == pytest.approx(1.0, abs=0.1)
    assert item["_series"]["title"] == "Fixture Show"
    assert "_warnings" not in item


def test_m4v_movie():
    item = read_video(FIXTURES / "movie.m4v")
    assert item["kind"] == "movie" and item["title"] == "Fixture Movie" and item["year"] == 2019
    assert item["genres"] == ["Science Fiction"] and item["guessed"] == []


@pytest.mark.parametrize(
    "name,codec,container",
    [
        ("titled.mkv", "AVC", "Matroska"),
        ("clip.webm", "VP8", "WebM"),
        ("clip.mpg", "MPEG Video", "MPEG-PS"),
    ],
)
def test_containers_mutagen_cannot_read(name, codec, container):
    item = read_video(FIXTURES / name)
    assert item["kind"] == "video"
    assert (item["width"], item["height"], item["codec"]) == (32, 24, codec)
    assert item["extra"]["container"] == container
    assert item["duration"] == pytest.approx(1.0, abs=0.1)


def test_embedded_title_wins_over_the_name():
    item = read_video(FIXTURES / "titled.mkv")
    assert item["title"] == "Embedded Title" and "title" not in item["guessed"]


def test_mpg_is_never_taken_for_audio():
    import mutagen

    assert (
        type(mutagen.File(FIXTURES / "clip.mpg")).__name__ == "MP3"
    )  # the trap this guards against
    info = read_container(FIXTURES / "clip.mpg")
    assert info["has_video"] and info["container"] == "MPEG-PS"


def test_zero_byte_and_garbage_files_are_named_with_a_warning(tmp_path):
    empty = tmp_path / "Show - S01E04 - Empty.mkv"
    empty.touch()
    item = read_video(empty)
    assert (item["kind"], item["season"], item["episode"], item["title"]) == (
        "episode",
        1,
        4,
        "Empty",
    )
    assert "empty file" in item["_warnings"][0]
    garbage = tmp_path / "Film (2001).mp4"
    garbage.write_bytes(b"\x00not a video at all" * 100)
    item = read_video(garbage)
    assert (item["kind"], item["title"], item["year"]) == ("movie", "Film", 2001)
    assert "indexed from its name only" in item["_warnings"][0]


def test_missing_file_raises(tmp_path):
    from tuneup.errors import MediaReadError

    with pytest.raises(MediaReadError):
        read_video(tmp_path / "gone.mkv")


def _copy(src: str, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / src, dest)
    return dest


TVSHOW = """<tvshow><title>Show Name</title><year>2010</year><genre>Comedy</genre><plot>A show.</plot>
<actor><name>Lead Actor</name><role>Lead</role></actor><uniqueid type="tvdb">123</uniqueid></tvshow>"""


def make_library(root: Path) -> Path:
    show = root / "TV" / "Show Name"
    (show / "tvshow.nfo").parent.mkdir(parents=True)
    (show / "tvshow.nfo").write_text(TVSHOW)
    for n in (3, 1, 2):
        _copy("titled.mkv", show / "Season 01" / f"Show Name - S01E{n:02d} - Part {n}.mkv")
    _copy("clip.webm", show / "Season 02" / "Show Name - S02E01 - Return.webm")
    _copy("clip.webm", show / "Specials" / "Show Name - S00E01 - Special.webm")
    (show / "Season 01" / "Show Name - S01E02 - Part 2.nfo").write_text(
        "<episodedetails><title>The Second</title><plot>Things.</plot><genre>Mystery</genre>"
        "<actor><name>Guest Star</name></actor><season>1</season><episode>2</episode></episodedetails>"
    )
    (show / "Season 01" / "Show Name - S01E03 - Part 3.nfo").write_text(
        "<episodedetails><title>Broken"
    )
    for title, year, collection in (
        ("First Film", 2001, "Saga"),
        ("Second Film", 2004, "Saga"),
        ("Lone Film", 2010, None),
    ):
        video = _copy("clip.webm", root / "Movies" / f"{title} ({year})" / f"{title} ({year}).webm")
        nfo = f"<movie><title>{title}</title><year>{year}</year>"
        nfo += f"<set><name>{collection}</name></set>" if collection else ""
        (video.parent / "movie.nfo").write_text(nfo + "</movie>")
    _copy("clip.mpg", root / "Clips" / "birthday party.mpg")
    _copy("clip.mpg", root / "Clips" / "1080p.x264.mpg")
    (root / "Clips" / "placeholder S01E01.mkv").touch()
    return root


@pytest.fixture
def scanned(tmp_path):
    from tuneup.library.scan.scanner import scan

    root = make_library(tmp_path / "lib")
    db = open_db(tmp_path / "t.db")
    summary = scan(db, [root], workers=1)
    yield db, summary, root
    db.conn.close()


def test_scan_builds_the_series_model(scanned):
    db, summary, root = scanned
    assert summary.added == 11 and summary.errors == []
    [tree] = lib.list_series(db, "Show Name")
    assert tree["title"] == "Show Name" and tree["year"] == 2010 and tree["genres"] == ["Comedy"]
    assert [s["season"] for s in tree["seasons"]] == [1, 2]
    assert [e["episode"] for e in tree["seasons"][0]["episodes"]] == [1, 2, 3]
    assert tree["seasons"][0]["episodes"][1]["title"] == "The Second"
    assert [e["episode_title"] for e in tree["specials"]] == ["Special"]
    counts = lib.counts(db)
    assert counts == {
        "movies": 3,
        "episodes": 6,
        "videos": 2,
        "specials": 1,
        "series": 2,
        "seasons": 3,
    }


def test_zero_byte_video_is_indexed_from_its_name_and_reported(scanned):
    db, summary, _ = scanned
    row = db.execute(
        "SELECT kind, season, episode, duration FROM items WHERE path LIKE '%placeholder%'"
    ).fetchone()
    assert row == ("episode", 1, 1, None)
    assert any("placeholder" in w["path"] and "empty file" in w["reason"] for w in summary.warnings)


def test_movies_collections_and_videos(scanned):
    db, _, _ = scanned
    assert [m["title"] for m in lib.movies(db)] == ["First Film", "Lone Film", "Second Film"]
    [saga] = lib.collections(db)
    assert saga["name"] == "Saga" and [m["year"] for m in saga["movies"]] == [2001, 2004]
    assert sorted(v["title"] for v in lib.other_videos(db)) == ["1080p x264", "birthday party"]


def test_series_content_is_the_union(scanned):
    db, _, _ = scanned
    [tree] = lib.list_series(db, "Show Name")
    content = lib.series_content(db, tree["id"])
    assert content["genres"] == ["Comedy", "Mystery"]
    assert content["cast"] == ["Lead Actor", "Guest Star"]
    assert "A show." in content["text"] and "Things." in content["text"]


def test_malformed_nfo_is_reported_and_the_episode_still_indexed(scanned):
    db, summary, root = scanned
    row = db.execute(
        "SELECT title, season, episode FROM items WHERE path LIKE '%S01E03%'"
    ).fetchone()
    assert row == ("Embedded Title", 1, 3)
    [warning] = [w for w in summary.warnings if w["path"].endswith("S01E03 - Part 3.mkv")]
    assert "Part 3.nfo: malformed XML" in warning["reason"]


def test_store_series_merges_and_keys(tmp_path):
    db = open_db(tmp_path / "s.db")
    with write(db):
        a = store_series(db, {"title": "The Show", "year": 2005, "genres": ["Drama"], "path": "/x"})
        b = store_series(
            db, {"title": "the.show", "genres": ["Crime"], "plot": "P"}
        )  # no year: joins the only one
        c = store_series(db, {"title": "The Show", "year": 1999})
    assert a == b != c
    row = db.execute("SELECT genres, plot, path FROM series WHERE id = ?", [a]).fetchone()
    assert json.loads(row[0]) == ["Drama", "Crime"] and row[1] == "P" and row[2] == "/x"
    assert series_key("The Show", 2005) == "the show|2005"


def test_videos_command_json(tuneup_cmd, home, tmp_path):
    root = make_library(tmp_path / "lib")
    tuneup_cmd("scan", root, "--json", "-q")
    data = json.loads(tuneup_cmd("videos", "--json").stdout)
    assert {m["title"] for m in data["movies"]} == {"First Film", "Second Film", "Lone Film"}
    assert [s["title"] for s in data["series"]] == ["placeholder", "Show Name"]
    assert data["collections"][0]["name"] == "Saga"
    data = json.loads(tuneup_cmd("videos", "--series", "show name", "--json").stdout)
    assert (
        data["series"][0]["next"]["reason"] == "start" and data["series"][0]["next"]["episode"] == 1
    )
    text = tuneup_cmd("videos").stdout
    assert "Season 1" in text and "Specials" in text and "S01E02 The Second" in text
    missing = tuneup_cmd("videos", "--series", "nope", check=False)
    assert missing.returncode == 1 and "no series matching" in missing.stderr


def test_an_nfo_that_says_everything_spares_guessit(tmp_path, monkeypatch):
    from tuneup.library.video import names as videoname

    video = _copy("titled.mkv", tmp_path / "Show.Name.S01E02.720p.x264-GRP.mkv")
    video.with_suffix(".nfo").write_text(
        "<episodedetails><title>T</title><showtitle>Show Name</showtitle>"
        "<season>1</season><episode>2</episode></episodedetails>"
    )
    monkeypatch.setattr(videoname, "_guessit", lambda *a, **k: pytest.fail("guessit was called"))
    item = read_video(video)
    assert (item["kind"], item["season"], item["episode"], item["_series"]["title"]) == (
        "episode",
        1,
        2,
        "Show Name",
    )
    video.with_suffix(".nfo").unlink()
    monkeypatch.setattr(videoname, "_guessit", None)  # no NFO: the release name needs guessit
    item = read_video(video)
    assert (item["kind"], item["season"], item["episode"], item["_series"]["title"]) == (
        "episode",
        1,
        2,
        "Show Name",
    )
