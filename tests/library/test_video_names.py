"""Names of video files and folders: the cases from issue 3, and the fast path agreeing with guessit."""

from pathlib import PurePath

import pytest

from tuneup.library.video.names import (
    GUESSIT_OPTIONS,
    _fast,
    _folder_context,
    guessit_module,
    parse_name,
)

CASES = [
    # (path, expected subset)
    (
        "TV/Show Name/Season 01/Show Name - S01E02 - Title.mkv",
        {
            "kind": "episode",
            "title": "Show Name",
            "season": 1,
            "episode": 2,
            "episode_title": "Title",
            "series_dir": "TV/Show Name",
        },
    ),
    (
        "TV/Show.Name.S01E02.720p.x264.mkv",
        {"kind": "episode", "title": "Show Name", "season": 1, "episode": 2},
    ),
    ("TV/Show 1x02.avi", {"kind": "episode", "title": "Show", "season": 1, "episode": 2}),
    (
        "Movies/Movie Name (2019)/Movie Name (2019).mkv",
        {"kind": "movie", "title": "Movie Name", "year": 2019},
    ),
    ("Movies/Movie.Name.2019.1080p.mkv", {"kind": "movie", "title": "Movie Name", "year": 2019}),
    ("Movies/Movie Name (2019)/movie.mkv", {"kind": "movie", "title": "Movie Name", "year": 2019}),
    (
        "TV/Show Name/Season 01/Show Name - S01E01E02 - Double.mkv",
        {"kind": "episode", "season": 1, "episode": 1, "episode_end": 2, "episode_title": "Double"},
    ),
    ("TV/Show.Name.S01E01-E03.mkv", {"kind": "episode", "episode": 1, "episode_end": 3}),
    (
        "TV/Show Name/Specials/Show Name - S00E01 - Special.mkv",
        {"kind": "episode", "season": 0, "episode": 1},
    ),
    (
        "TV/Show Name/Specials/Show Name - Behind the scenes.mkv",
        {"kind": "episode", "season": 0, "title": "Show Name"},
    ),
    (
        "Anime/[Group] Some Anime - 012 [1080p].mkv",
        {"kind": "episode", "title": "Some Anime", "absolute_episode": 12},
    ),
    (
        "Anime/Some Anime/Some Anime - 013.mkv",
        {"kind": "episode", "title": "Some Anime", "absolute_episode": 13},
    ),
    (
        "TV/Show Name/Season 2/S02E03.mkv",
        {"kind": "episode", "title": "Show Name", "season": 2, "episode": 3},
    ),
    (
        "TV/Doctor Who (2005)/Season 01/Doctor Who (2005) - S01E01 - Rose.mkv",
        {
            "kind": "episode",
            "title": "Doctor Who",
            "year": 2005,
            "season": 1,
            "episode": 1,
            "episode_title": "Rose",
        },
    ),
    ("TV/Show Name/Season 1/Pilot.mkv", {"kind": "episode", "title": "Show Name", "season": 1}),
    ("clips/birthday party.mp4", {"kind": "video", "title": "birthday party"}),
    ("x/----.mkv", {"kind": "video", "title": "----"}),
    ("x/1080p.x264.mkv", {"kind": "video"}),
    ("Camera/IMG_1234.mp4", {"kind": "video", "title": "IMG_1234"}),
    ("Camera/VID_20240101_120000.mp4", {"kind": "video", "title": "VID_20240101_120000"}),
    ("Movies/Movie Name 2019.mkv", {"kind": "movie", "title": "Movie Name", "year": 2019}),
]


@pytest.mark.parametrize("path,expected", CASES, ids=[c[0] for c in CASES])
def test_naming_cases(path, expected):
    got = parse_name(PurePath(path))
    assert {k: got.get(k) for k in expected} == expected, got
    assert got["title"]  # every file gets some title, even one whose name says nothing


def test_names_from_a_generated_tree(tmp_path):
    """Same parse on real paths under a folder tree (absolute paths, empty files)."""
    for rel, expected in CASES:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        got = parse_name(path)
        assert {k: got.get(k) for k in expected if k != "series_dir"} == {
            k: v for k, v in expected.items() if k != "series_dir"
        }, rel


def test_season_folder_gives_season_and_series_folder():
    ctx = _folder_context(PurePath("/lib/The Show (2011)/Season 3/x.mkv"))
    assert ctx["season"] == 3 and ctx["show"] == "The Show" and ctx["show_year"] == 2011
    assert ctx["series_dir"] == "/lib/The Show (2011)"


# Tidy names the fast path answers: it must say what guessit says.
AGREE = [
    "Show Name - S01E02 - Title.mkv",
    "Show Name - S01E02.mkv",
    "Show.Name.S01E02.mkv",
    "Show_Name_S03E10.mkv",
    "The Office - S02E01 - The Dundies.mkv",
    "Show 1x02.avi",
    "Show Name 2x11.mkv",
    "Movie Name (2019).mkv",
    "Another Film (1999).mp4",
    "Show Name - S01E01E02 - Double Bill.mkv",
    "Show Name - S00E05 - Christmas Special.mkv",
    "The 100 - S01E01 - Pilot.mkv",
    "Show 2005 - S01E01 - Pilot.mkv",
    "Show 0042 - S01E01 - Episode 1.mkv",
    "Show.Name.S01E02.Title.Here.mkv",
    "Show Name S01E02 Some Words.mkv",
    "Movie Name 2019.mkv",
    # release names: the title and numbers before the first release token
    "Show.Name.S01E02.720p.x264-GRP.mkv",
    "The.Office.US.S02E01.The.Dundies.720p.WEB.x264.mkv",
    "Show.Name.S03E04.Some.Title.1080p.AMZN.WEB-DL.DDP5.1.H.264-NTb.mkv",
    "Show.Name.S01E01E02.1080p.mkv",
    "Film.Number.1.1950.1080p.BluRay.x264-GRP.mkv",
    "2001.A.Space.Odyssey.1968.1080p.BluRay.x264.mkv",
    "Blade.Runner.2049.2017.2160p.UHD.BluRay.x265-TERMiNAL.mkv",
    "Movie Name (2019) Bluray-1080p.mkv",
    "[Group] Some Anime - 012 [1080p].mkv",
    "[SubsPlease] Show Name - 05 (1080p) [ABCD1234].mkv",
    "[Grp] Long Show Title - 1024v2 [720p].mkv",
]


@pytest.mark.parametrize("name", AGREE)
def test_fast_path_agrees_with_guessit(name):
    path = PurePath("lib") / name
    fast = _fast(path.stem, _folder_context(path))
    assert fast is not None, "this tidy name should not need guessit"
    guess = dict(guessit_module()(name, GUESSIT_OPTIONS))
    assert fast["title"] == guess["title"]
    for key in ("season", "year", "episode_title"):
        if key in guess:
            assert fast.get(key) == guess[key], key
    episodes = guess.get("episode")
    if isinstance(episodes, list):
        assert (fast["episode"], fast["episode_end"]) == (episodes[0], episodes[-1])
    elif episodes is not None:
        assert fast["episode"] == episodes


@pytest.mark.parametrize(
    "name",
    [
        "[Sub] Anime 2 - 05 [720p].mkv",
        "Movie.Name.2019.EXTENDED.1080p.mkv",
        "Show.S01E01-02.mkv",
        "Some Film Part 2.mkv",
        "Show.S01E02.FRENCH.720p.HDTV.mkv",
        "Amelie.2001.FRENCH.1080p.mkv",
    ],
)
def test_release_names_go_to_guessit(name):
    path = PurePath("lib") / name
    assert _fast(path.stem, _folder_context(path)) is None
    assert parse_name(path)["parser"] == "guessit"
