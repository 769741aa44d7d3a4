"""Matching imported listens to local files: normalisation, tie-breakers, ids, re-matching later."""

import json

import pytest
from history_support import add_item, listens

from tuneup.history.importers.run import import_files
from tuneup.history.match import Matcher, rematch
from tuneup.store.normalize import norm_artist, norm_title, primary_artist


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Let It Be - Remastered 2009", "let it be"),
        ("Let It Be (Remastered 2009)", "let it be"),
        ("Heroes - 2017 Remaster", "heroes"),
        ("Get Lucky (feat. Pharrell Williams)", "get lucky"),
        ("Get Lucky [Radio Edit]", "get lucky"),
        ("Get Lucky ft. Pharrell - Single Version", "get lucky"),
        ("Don’t Stop Me Now", "dont stop me now"),
        ("Ça plane pour moi", "ca plane pour moi"),
        ("1999", "1999"),
        ("Dancing with Myself", "dancing with myself"),
        ("Sunflower (with Swae Lee)", "sunflower"),
        ("Part 1 - Part 2", "part 1 part 2"),
    ],
)
def test_titles(raw, expected):
    assert norm_title(raw) == expected


@pytest.mark.parametrize(
    "raw, full, first",
    [
        ("The Beatles", "beatles", "beatles"),
        ("Beatles, The", "beatles", "beatles"),
        ("BEYONCÉ", "beyonce", "beyonce"),
        ("Daft Punk feat. Pharrell Williams", "daft punk", "daft punk"),
        ("Simon & Garfunkel", "simon and garfunkel", "simon"),
        ("AC/DC", "ac dc", "ac dc"),
        ("Calvin Harris, Dua Lipa", "calvin harris dua lipa", "calvin harris"),
    ],
)
def test_artists(raw, full, first):
    assert norm_artist(raw) == full and primary_artist(raw) == first


def _rows(*items):
    return [(i, a, None, t, al, d, m) for i, (a, t, al, d, m) in enumerate(items, 1)]


def test_album_then_duration_break_ties():
    m = Matcher(
        _rows(
            ("Queen", "Bohemian Rhapsody", "A Night at the Opera", 355.0, None),
            ("Queen", "Bohemian Rhapsody", "Live Killers", 360.0, None),
            ("Queen", "Bohemian Rhapsody (Remastered 2011)", "Greatest Hits", 354.0, None),
        )
    )
    assert m.match("Queen", "Bohemian Rhapsody", "Live Killers").item_id == 2
    assert (
        m.match(
            "Queen",
            "Bohemian Rhapsody - Remastered 2011",
            "Greatest Hits (Remastered)",
            duration_ms=354000,
        ).item_id
        == 3
    )  # album differs in its suffix, normalised too
    found = m.match("queen", "bohemian rhapsody", None, duration_ms=360500)
    assert (found.item_id, found.how) == (2, "artist+title+duration")


def test_mbid_wins_and_reasons_for_misses():
    m = Matcher(
        _rows(("Artist", "Song", None, 200.0, "AAAA-1"), ("Artist", "Other", None, 100.0, None))
    )
    assert m.match("Someone", "Else", mbid="aaaa-1").how == "mbid"
    assert m.match("Nobody", "Song").how == "artist not in library"
    assert m.match("Artist", "Missing").how == "title not in library for this artist"
    assert m.match("The Artist feat. X", "Song").item_id == 1
    assert m.match("Artist & Friend", "Other").item_id == 2  # first credited artist


def test_unmatched_listens_match_after_the_file_arrives(env, tmp_path):
    f = tmp_path / "StreamingHistory_music_0.json"
    f.write_text(
        json.dumps(
            [
                {
                    "endTime": "2023-01-05 21:14",
                    "artistName": "Röyksopp",
                    "trackName": "Eple",
                    "msPlayed": 200000,
                },
                {
                    "endTime": "2023-01-06 21:14",
                    "artistName": "Röyksopp",
                    "trackName": "Eple - Remastered",
                    "msPlayed": 9000,
                },
            ]
        )
    )
    s = import_files(env.db, "spotify-basic", [f], profile_id=env.profile_id)
    assert s["unmatched"] == 2
    assert rematch(env.db) == {"listens": 0, "feedback": 0, "unmatched": 2}
    item = add_item(env.db, "/m/eple.flac", artist="Royksopp", title="Eple", duration=221.0)
    assert rematch(env.db) == {"listens": 2, "feedback": 0, "unmatched": 0}
    assert [r["item_id"] for r in listens(env.db)] == [item, item]


def test_rematch_feedback_and_merge_duplicates(env):
    pid = env.profile_id
    with env.db.conn:
        env.db.execute(
            "INSERT INTO feedback (profile_id, kind, mbid, created_at, source) "
            "VALUES (?, 'like', 'mb-1', '2024-01-01T00:00:00+00:00', 'listenbrainz')",
            [pid],
        )
        env.db.execute(
            "INSERT INTO feedback (profile_id, kind, artist, title, created_at, source) "
            "VALUES (?, 'like', 'X', 'Y', '2024-01-01T00:00:00+00:00', 'listenbrainz')",
            [pid],
        )
    item = add_item(env.db, "/m/y.flac", artist="X", title="Y", mbid="MB-1")
    assert rematch(env.db)["feedback"] == 2
    assert env.db.execute("SELECT item_id, kind FROM feedback").fetchall() == [(item, "like")]


def test_scan_command_rematches(tuneup_cmd, env, tmp_path):
    from history_support import tone

    f = tmp_path / "StreamingHistory_music_0.json"
    f.write_text(
        json.dumps(
            [
                {
                    "endTime": "2023-01-05 21:14",
                    "artistName": "Later Band",
                    "trackName": "Arrives",
                    "msPlayed": 200000,
                }
            ]
        )
    )
    tuneup_cmd("import", "spotify-basic", f)
    tone(
        tmp_path / "lib" / "arrives.ogg",
        0.5,
        tags={"artist": "Later Band", "title": "Arrives (2019 Remaster)"},
    )
    proc = tuneup_cmd("scan", tmp_path / "lib", "--quiet")
    assert "matched 1 earlier listen(s)" in proc.stderr
    (row,) = listens(env.db)
    assert row["item_id"] is not None
