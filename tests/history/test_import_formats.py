"""Each import format with realistic samples: counts, matching, skips, duplicates, malformed files."""

import json
import zipfile

import pytest
from history_support import add_item, listens

from tuneup.errors import ImportFormatError
from tuneup.history.importers.run import import_files


def _extended(
    ts,
    ms,
    track="Let It Be - Remastered 2009",
    artist="The Beatles",
    album="Let It Be (Remastered)",
    reason_end="trackdone",
    skipped=None,
    incognito=False,
    **extra,
):
    entry = {
        "ts": ts,
        "username": "someone",
        "platform": "Android OS 11 API 30 (Google, Pixel 4a)",
        "ms_played": ms,
        "conn_country": "DE",
        "ip_addr_decrypted": "203.0.113.7",
        "user_agent_decrypted": "unknown",
        "master_metadata_track_name": track,
        "master_metadata_album_artist_name": artist,
        "master_metadata_album_album_name": album,
        "spotify_track_uri": "spotify:track:7iN1s7xHE4ifF5povM6A48" if track else None,
        "episode_name": None,
        "episode_show_name": None,
        "spotify_episode_uri": None,
        "reason_start": "clickrow",
        "reason_end": reason_end,
        "shuffle": False,
        "skipped": skipped,
        "offline": False,
        "offline_timestamp": 1612345678,
        "incognito_mode": incognito,
    }
    entry.update(extra)
    return entry


@pytest.fixture
def lib(env):
    db = env.db
    return {
        "letitbe": add_item(
            db,
            "/music/beatles/let_it_be.flac",
            artist="Beatles, The",
            title="Let It Be",
            album="Let It Be",
            duration=243.0,
        ),
        "getlucky": add_item(
            db,
            "/music/daft/get_lucky.flac",
            artist="Daft Punk",
            title="Get Lucky",
            album="Random Access Memories",
            duration=369.0,
            mbid="8d1a8a8e-1111-4222-8333-444455556666",
        ),
        "beyonce": add_item(
            db,
            "/music/b/halo.mp3",
            artist="Beyoncé",
            title="Halo",
            album="I Am... Sasha Fierce",
            duration=261.0,
        ),
    }


def _run(env, fmt, *paths, dry_run=False):
    return import_files(env.db, fmt, list(paths), profile_id=env.profile_id, dry_run=dry_run)


def _snapshot(db):
    return [
        db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
        for t in ("listens", "feedback", "imports")
    ]


def test_spotify_extended(env, lib, tmp_path):
    entries = [
        _extended("2021-02-03T18:04:03Z", 243000),  # full play, ts = end
        _extended("2021-02-03T18:04:20Z", 12000, reason_end="fwdbtn"),  # skip by reason
        _extended("2021-02-03T18:05:00Z", 9000, reason_end="endplay", skipped=True),  # skip by flag
        _extended(
            "2021-02-03T18:09:00Z", 200000, reason_end="fwdbtn", skipped=True
        ),  # long: not a skip
        _extended("2021-02-03T18:10:00Z", 100000, incognito=True),  # dropped
        _extended(
            "2021-02-03T19:00:00Z",
            1500000,
            track=None,
            artist=None,
            album=None,
            episode_name="Episode 12",
            episode_show_name="Some Podcast",
            spotify_episode_uri="spotify:episode:abc",
        ),  # ignored
        _extended(
            "2021-02-04T08:00:00Z",
            369000,
            track="Get Lucky (feat. Pharrell Williams & Nile Rodgers)",
            artist="Daft Punk",
            album="Random Access Memories",
        ),
        _extended(
            "2021-02-04T08:10:00Z", 180000, track="Unknown Song", artist="Nobody Known", album="X"
        ),
    ]
    f = tmp_path / "Streaming_History_Audio_2021_3.json"
    f.write_text(json.dumps(entries))
    s = _run(env, "spotify-extended", f)
    assert (s["read"], s["listens"], s["imported"], s["duplicates"]) == (8, 6, 6, 0)
    assert s["ignored"] == {"incognito": 1, "podcast": 1}
    assert (s["matched"], s["unmatched"]) == (5, 1)
    assert s["match_report"]["top_unmatched"][0] == {
        "artist": "Nobody Known",
        "title": "Unknown Song",
        "album": "X",
        "mbid": None,
        "reason": "artist not in library",
        "listens": 1,
    }
    rows = listens(env.db)
    first = rows[0]
    assert first["started_at"] == "2021-02-03T18:00:00+00:00"  # 18:04:03 minus 243 s
    assert (first["item_id"], first["end_reason"], first["skipped"], first["source"]) == (
        lib["letitbe"],
        "finished",
        0,
        "spotify",
    )
    assert [(r["end_reason"], r["skipped"]) for r in rows[1:4]] == [
        ("skipped", 1),
        ("skipped", 1),
        ("skipped", 0),
    ]
    assert rows[4]["item_id"] == lib["getlucky"]
    assert rows[5]["item_id"] is None and rows[5]["artist"] == "Nobody Known"
    # the same file again adds nothing; a second file with the same plays neither
    again = _run(env, "spotify-extended", f)
    assert (again["imported"], again["duplicates"]) == (0, 6) and again[
        "already_imported_files"
    ] == [str(f)]
    assert (again["read"], again["listens"], again["ignored"]) == (
        8,
        6,
        {"incognito": 1, "podcast": 1},
    )
    copy = tmp_path / "endsong_0.json"
    copy.write_text(json.dumps(entries, indent=1))
    third = _run(env, "spotify-extended", copy)
    assert (third["imported"], third["duplicates"]) == (0, 6)
    assert len(listens(env.db)) == 6
    assert env.db.execute("SELECT count(*) FROM imports").fetchone()[0] == 2


@pytest.mark.parametrize(
    "content, message",
    [
        ('[{"ts": "2021-02-03T18:04:03Z", "ms_played": 1000,', "line 1 column"),
        (
            json.dumps(
                [_extended("2021-02-03T18:04:03Z", 1000), _extended("2021-02-30T10:00:00Z", 5)]
            ),
            "entry 2: impossible date in 'ts'",
        ),
        (
            json.dumps([_extended("2021-02-03T18:04:03Z", 1000), {"ms_played": 5}]),
            "entry 2: missing 'ts'",
        ),
        (
            json.dumps([_extended("2021-02-03T18:04:03Z", "lots")]),
            "entry 1: 'ms_played' must be a whole number",
        ),
        (json.dumps({"ts": "x"}), "expected a JSON array"),
    ],
)
def test_malformed_spotify_leaves_database_untouched(env, lib, tmp_path, content, message):
    good = tmp_path / "Streaming_History_Audio_2020.json"
    good.write_text(json.dumps([_extended("2020-05-05T10:00:00Z", 200000)]))
    _run(env, "spotify-extended", good)
    before = _snapshot(env.db)
    bad = tmp_path / "Streaming_History_Audio_2021.json"
    bad.write_text(content)
    other = tmp_path / "Streaming_History_Audio_2022.json"
    other.write_text(json.dumps([_extended("2022-05-05T10:00:00Z", 200000)]))
    with pytest.raises(ImportFormatError) as err:
        _run(env, "spotify-extended", other, bad)  # the good file before it is not written either
    assert str(bad) in str(err.value) and message in str(err.value)
    assert _snapshot(env.db) == before


def test_spotify_basic(env, lib, tmp_path):
    f = tmp_path / "StreamingHistory_music_0.json"
    f.write_text(
        json.dumps(
            [
                {
                    "endTime": "2023-01-05 21:14",
                    "artistName": "Beyoncé",
                    "trackName": "Halo",
                    "msPlayed": 261000,
                },
                {
                    "endTime": "2023-01-05 21:15",
                    "artistName": "Daft Punk",
                    "trackName": "Get Lucky - Radio Edit",
                    "msPlayed": 4000,
                },
            ],
            indent=2,
        )
    )
    s = _run(env, "spotify_basic", f)
    assert (s["imported"], s["matched"]) == (2, 2)
    halo, lucky = listens(env.db)
    assert halo["started_at"] == "2023-01-05T21:09:39+00:00" and halo["item_id"] == lib["beyonce"]
    assert (lucky["end_reason"], lucky["skipped"], lucky["item_id"]) == (
        "skipped",
        1,
        lib["getlucky"],
    )
    bad = tmp_path / "StreamingHistory_music_1.json"
    bad.write_text(
        json.dumps([{"endTime": "2023-01-05 21:14", "trackName": "Halo", "msPlayed": 1}])
    )
    with pytest.raises(ImportFormatError, match="entry 1: missing 'artistName'"):
        _run(env, "spotify-basic", bad)


def _lb_listen(at, artist, track, release=None, mbid=None, duration_ms=None):
    info = {
        "media_player": "Spotify",
        "submission_client": "listenbrainz",
        "music_service": "spotify.com",
    }
    if mbid:
        info["recording_mbid"] = mbid
    if duration_ms:
        info["duration_ms"] = duration_ms
    return {
        "inserted_at": at + 5,
        "listened_at": at,
        "recording_msid": "2bc3ba5f-msid",
        "track_metadata": {
            "artist_name": artist,
            "track_name": track,
            "release_name": release,
            "additional_info": info,
            "mbid_mapping": {"recording_mbid": mbid, "artist_mbids": []} if mbid else None,
        },
    }


def test_listenbrainz_zip_with_feedback(env, lib, tmp_path):
    z = tmp_path / "listenbrainz_someone_1700000000.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("user.json", json.dumps({"user_id": 1, "username": "someone"}))
        zf.writestr(
            "listens/2023/1.jsonl",
            "\n".join(
                json.dumps(x)
                for x in [
                    _lb_listen(
                        1672600000,
                        "Daft Punk feat. Pharrell Williams",
                        "Lucky (different title)",
                        mbid="8D1A8A8E-1111-4222-8333-444455556666",
                        duration_ms=369000,
                    ),  # by mbid
                    _lb_listen(1672600400, "The Beatles", "Let It Be", release="Let It Be"),
                ]
            )
            + "\n",
        )
        zf.writestr(
            "listens/2023/2.jsonl",
            json.dumps(_lb_listen(1675300000, "Someone Else", "Nope")) + "\n",
        )
        zf.writestr(
            "feedback.jsonl",
            "\n".join(
                json.dumps(x)
                for x in [
                    {
                        "created": 1672700000,
                        "recording_mbid": "8d1a8a8e-1111-4222-8333-444455556666",
                        "recording_msid": None,
                        "score": 1,
                    },
                    {
                        "created": 1672700001,
                        "recording_mbid": "00000000-0000-4000-8000-000000000000",
                        "score": -1,
                    },
                    {
                        "created": 1672700002,
                        "recording_mbid": "00000000-0000-4000-8000-000000000001",
                        "score": 0,
                    },
                ]
            )
            + "\n",
        )
    s = _run(env, "listenbrainz", z)
    assert (s["listens"], s["imported"], s["matched"], s["feedback"]) == (3, 5, 2, 2)
    rows = listens(env.db)
    assert rows[0]["item_id"] == lib["getlucky"] and rows[0]["ms_played"] == 369000
    assert (
        rows[1]["item_id"] == lib["letitbe"] and rows[1]["ms_played"] == 243000
    )  # length of the file
    assert rows[0]["started_at"] == "2023-01-01T19:06:40+00:00"
    fb = env.db.execute("SELECT item_id, kind, mbid FROM feedback ORDER BY id").fetchall()
    assert fb == [
        (lib["getlucky"], "like", "8d1a8a8e-1111-4222-8333-444455556666"),
        (None, "dislike", "00000000-0000-4000-8000-000000000000"),
    ]
    assert _run(env, "listenbrainz", z)["imported"] == 0
    # a newer export with the same feedback and listens adds nothing either
    z2 = tmp_path / "listens-1.jsonl"
    z2.write_text(
        json.dumps(_lb_listen(1672600400, "The Beatles", "Let It Be", release="Let It Be")) + "\n"
    )
    assert _run(env, "listenbrainz", z2)["duplicates"] == 1


def test_listenbrainz_bad_line(env, lib, tmp_path):
    f = tmp_path / "1.jsonl"
    f.write_text(json.dumps(_lb_listen(1672600000, "A", "B")) + "\n{not json\n")
    with pytest.raises(ImportFormatError, match=r"1\.jsonl: line 2: bad JSON"):
        _run(env, "listenbrainz", f)
    f.write_text(
        json.dumps({"listened_at": 1672600000, "track_metadata": {"artist_name": "A"}}) + "\n"
    )
    with pytest.raises(ImportFormatError, match="line 1: track_metadata needs"):
        _run(env, "listenbrainz", f)
    assert listens(env.db) == []


def test_lastfm_both_layouts(env, lib, tmp_path):
    plain = tmp_path / "scrobbles.csv"
    plain.write_text(
        "The Beatles,Let It Be,Let It Be - Remastered 2009,31 Jan 2021 18:03\n"
        '"Simon & Garfunkel","Bookends","America","30 Jan 2021 09:15"\n'
        "Beyoncé,,Halo,01 Jan 1970 00:00\n",
        encoding="utf-8",
    )
    s = _run(env, "lastfm", plain)
    assert (s["listens"], s["imported"], s["matched"], s["ignored"]) == (
        2,
        2,
        1,
        {"no date (now-playing scrobble)": 1},
    )
    first = listens(env.db)[0]
    assert first["started_at"] == "2021-01-31T18:03:00+00:00" and first["item_id"] == lib["letitbe"]
    header = tmp_path / "lastfm-export.csv"
    header.write_text(
        "uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n"
        '1612116180,"31 Jan 2021, 18:03",Beyoncé,,I Am... Sasha Fierce,,Halo,\n'
        '1612116480,"31 Jan 2021, 18:08",Daft Punk,,RAM,,Get Lucky,8d1a8a8e-1111-4222-8333-444455556666\n'
    )
    s2 = _run(env, "lastfm", header)
    assert (s2["imported"], s2["matched"]) == (2, 2)
    bad = tmp_path / "bad.csv"
    bad.write_text("uts,utc_time,artist,album\n1612116180,x,A,B\n")
    with pytest.raises(ImportFormatError, match="bad.csv: .*missing column 'track'"):
        _run(env, "lastfm", bad)
    bad.write_text("A,B,C,31 Jan 2021 18:03\nA,B,C,32 Jan 2021 18:03\n")
    with pytest.raises(ImportFormatError, match="line 2: impossible date"):
        _run(env, "lastfm", bad)
    bad.write_text("A,B,C,31 Jan 2021 18:03\nA,B,C\n")
    with pytest.raises(ImportFormatError, match="line 2: expected 4 columns"):
        _run(env, "lastfm", bad)


SCROBBLER = (
    "#AUDIOSCROBBLER/1.1\n#TZ/{tz}\n#CLIENT/Rockbox sansaclipplus $Revision$\n"
    "The Beatles\tLet It Be\tLet It Be\t6\t243\tL\t1612116180\t\n"
    "Daft Punk\tRandom Access Memories\tGet Lucky\t8\t369\tS\t1612116500\t8d1a8a8e-1111-4222-8333-444455556666\n"
)


def test_rockbox_utc_and_local_time(env, lib, tmp_path, monkeypatch):
    utc = tmp_path / "utc" / ".scrobbler.log"
    utc.parent.mkdir()
    utc.write_text(SCROBBLER.format(tz="UTC"))
    s = _run(env, "rockbox", utc)
    assert (s["imported"], s["matched"]) == (2, 2)
    played, skipped = listens(env.db)
    assert played["started_at"] == "2021-01-31T18:03:00+00:00" and played["ms_played"] == 243000
    assert (skipped["end_reason"], skipped["skipped"], skipped["item_id"]) == (
        "skipped",
        1,
        lib["getlucky"],
    )
    import time

    monkeypatch.setenv("TZ", "Europe/Berlin")  # UTC+1 in January
    time.tzset()
    try:
        local = tmp_path / "local" / ".scrobbler.log"
        local.parent.mkdir()
        local.write_text(SCROBBLER.format(tz="UNKNOWN"))
        _run(env, "rockbox", local)
        assert listens(env.db)[2]["started_at"] == "2021-01-31T17:03:00+00:00"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    bad = tmp_path / ".scrobbler.log"
    bad.write_text("#AUDIOSCROBBLER/1.1\n#TZ/UTC\nA\tB\tC\t1\tlong\tL\t1612116180\t\n")
    with pytest.raises(ImportFormatError, match="line 3: duration must be whole seconds"):
        _run(env, "rockbox", bad)


def test_dry_run_writes_nothing(env, lib, tmp_path):
    f = tmp_path / "Streaming_History_Audio_2021.json"
    f.write_text(json.dumps([_extended("2021-02-03T18:04:03Z", 243000)]))
    s = _run(env, "spotify-extended", f, dry_run=True)
    assert s["dry_run"] and s["matched"] == 1 and s["imported"] is None
    assert (
        listens(env.db) == [] and env.db.execute("SELECT count(*) FROM imports").fetchone()[0] == 0
    )


def test_big_files_are_streamed_with_the_same_results(env, lib, tmp_path, monkeypatch):
    from tuneup.history.importers import base

    entries = [_extended(f"2021-02-0{d}T18:04:03Z", 243000 - d) for d in range(1, 8)]
    f = tmp_path / "Streaming_History_Audio_2021.json"
    f.write_text(json.dumps(entries, indent=2))
    whole = [
        r
        for r in __import__("tuneup.history.importers.spotify_extended", fromlist=["parse"]).parse(
            f
        )
    ]
    monkeypatch.setattr(base, "STREAM_ABOVE", 0)
    monkeypatch.setattr(base, "CHUNK", 7)  # many refills, elements split across chunks
    from tuneup.history.importers import spotify_extended

    assert list(spotify_extended.parse(f)) == whole
    text = json.dumps(entries, indent=2)
    broken = text.replace('"ms_played": 242997,', '"ms_played": 242997,,')
    line = text[: text.index('"ms_played": 242997')].count("\n") + 1
    f.write_text(broken)
    with pytest.raises(ImportFormatError, match=rf"line {line} column \d+: bad JSON"):
        list(spotify_extended.parse(f))
    f.write_text(text[:-40])
    with pytest.raises(ImportFormatError, match="bad JSON"):
        list(spotify_extended.parse(f))
    f.write_text("[]")
    assert list(spotify_extended.parse(f)) == []
    f.write_text('{"ts": 1}')
    with pytest.raises(ImportFormatError, match="expected a JSON array"):
        list(spotify_extended.parse(f))


def test_not_utf8_is_reported(env, tmp_path):
    bad = tmp_path / ".scrobbler.log"
    bad.write_bytes(
        b"#AUDIOSCROBBLER/1.1\n#TZ/UTC\nMot\xf6rhead\tA\tAce of Spades\t1\t169\tL\t1612116180\t\n"
    )
    with pytest.raises(ImportFormatError, match=r"\.scrobbler\.log: not UTF-8"):
        _run(env, "rockbox", bad)
    csv_file = tmp_path / "scrobbles.csv"
    csv_file.write_bytes(b"Mot\xf6rhead,Ace,Ace of Spades,31 Jan 2021 18:03\n")
    with pytest.raises(ImportFormatError, match="scrobbles.csv: not UTF-8"):
        _run(env, "lastfm", csv_file)
    assert listens(env.db) == []


def test_parallel_parsing_gives_the_same_import(env, lib, tmp_path, monkeypatch):
    from tuneup.history.importers import run

    files = []
    for n in range(3):
        f = tmp_path / f"Streaming_History_Audio_202{n}.json"
        f.write_text(
            json.dumps(
                [
                    _extended(f"202{n}-02-0{d}T18:04:03Z", 100000 + d, track=t)
                    for d in range(1, 5)
                    for t in ("Let It Be", "Halo", "Other")
                ]
            )
        )
        files.append(f)
    serial = _run(env, "spotify-extended", *files, dry_run=True)
    monkeypatch.setattr(run, "PARALLEL_ABOVE", 0)
    parallel = _run(env, "spotify-extended", *files)
    assert parallel["imported"] == serial["listens"] == 36
    assert (
        parallel["matched"] == serial["matched"] == 12
    )  # "Halo" by the Beatles is not in the library
    rows = listens(env.db)
    assert (
        len({r["dedup_key"] for r in rows}) == 36
        and rows[0]["started_at"] == "2020-02-01T18:02:23+00:00"
    )
    bad = tmp_path / "Streaming_History_Audio_bad.json"
    bad.write_text("[{]")
    with pytest.raises(ImportFormatError, match="bad JSON"):
        _run(env, "spotify-extended", files[0], bad)


def test_same_file_twice_in_one_command(env, lib, tmp_path):
    f = tmp_path / "Streaming_History_Audio_2021.json"
    f.write_text(json.dumps([_extended("2021-02-03T18:04:03Z", 243000)]))
    s = _run(env, "spotify-extended", f, f)
    assert (s["imported"], s["duplicates"]) == (1, 1)
    assert len(listens(env.db)) == 1
