"""Property tests for every history importer's parser.

- valid records written in the format and parsed back give the same data;
- a file with one malformed record raises ImportFormatError naming that entry or line, and an import of it
  changes nothing in the database;
- any content at all (random JSON values, bytes, text) makes an import either succeed with storable rows or
  raise a project error, never another exception.
"""

import csv
import io
import json
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuneup.errors import ImportFormatError, TuneupError
from tuneup.history.importers import (
    base,
    lastfm,
    listenbrainz,
    rockbox,
    spotify_basic,
    spotify_extended,
)
from tuneup.history.importers.run import import_files
from tuneup.store import open_db, profile_id

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EPOCH_MIN, EPOCH_MAX = 631152000, 4102444799  # 1990 .. 2099, what the importers accept

# JSON can carry any string, lone surrogates included (as \ud800 escapes).
json_text = st.text(st.characters(exclude_categories=()), min_size=1, max_size=20)
# Text files are UTF-8: no surrogates.
utf8_text = st.text(st.characters(codec="utf-8"), min_size=1, max_size=20)
epochs = st.integers(EPOCH_MIN + 10**6, EPOCH_MAX - 10**6)
mbids = st.uuids().map(str)


@pytest.fixture(scope="module")
def db():  # one store for the module (overrides conftest's): Hypothesis runs many examples per test
    with tempfile.TemporaryDirectory() as tmp:
        database = open_db(Path(tmp) / "tuneup.db")
        yield database
        database.conn.close()


def write_file(data: bytes | str, name: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="tuneup-prop-"))
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def parse(module, path) -> list:
    return list(module.parse(path, base.Options(skip_seconds=30)))


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def snapshot(db) -> list:
    return [
        db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
        for t in ("listens", "feedback", "imports")
    ]


def assert_refused(db, module, path, place: str) -> None:
    """Parsing ``path`` raises ImportFormatError naming ``place``; importing it writes nothing."""
    with pytest.raises(ImportFormatError, match=rf"{path}: {place}: "):
        parse(module, path)
    before = snapshot(db)
    with pytest.raises(ImportFormatError, match=rf"{place}: "):
        import_files(db, module.FORMAT, [path], profile_id=profile_id(db))
    assert snapshot(db) == before


# --- valid records round-trip ---------------------------------------------------------------------------

extended_plays = st.lists(
    st.fixed_dictionaries(
        {
            "ts": epochs,
            "ms_played": st.integers(0, 10**7),
            "title": json_text,
            "artist": json_text | st.none(),
            "album": json_text | st.none(),
            "reason_end": st.sampled_from(
                ["trackdone", "fwdbtn", "endplay", "logout", "trackerror", None]
            ),
            "skipped": st.sampled_from([True, False, None]),
        }
    ),
    min_size=1,
    max_size=15,
)


@SETTINGS
@given(extended_plays)
def test_spotify_extended_round_trip(plays):
    entries = [
        {
            "ts": iso(p["ts"]),
            "ms_played": p["ms_played"],
            "master_metadata_track_name": p["title"],
            "master_metadata_album_artist_name": p["artist"],
            "master_metadata_album_album_name": p["album"],
            "reason_end": p["reason_end"],
            "skipped": p["skipped"],
            "incognito_mode": False,
        }
        for p in plays
    ]
    path = write_file(json.dumps(entries), "Streaming_History_Audio_2021.json")
    got = parse(spotify_extended, path)
    assert len(got) == len(plays)
    for p, rec in zip(plays, got):
        skipped = p["ms_played"] < 30000 and (
            p["skipped"] is True or p["reason_end"] in spotify_extended.SKIP_REASONS
        )
        ended = "skipped" if skipped else spotify_extended.end_reason(p["reason_end"])
        assert rec == base.listen(
            p["ts"] - p["ms_played"] // 1000,
            p["ms_played"],
            ended,
            skipped,
            p["artist"],
            p["title"],
            p["album"],
        )


basic_plays = st.lists(
    st.tuples(epochs.map(lambda e: e - e % 60), st.integers(0, 10**7), json_text, json_text),
    min_size=1,
    max_size=15,
)


@SETTINGS
@given(basic_plays)
def test_spotify_basic_round_trip(plays):
    entries = [
        {
            "endTime": datetime.fromtimestamp(e, timezone.utc).strftime("%Y-%m-%d %H:%M"),
            "msPlayed": ms,
            "artistName": a,
            "trackName": t,
        }
        for e, ms, a, t in plays
    ]
    got = parse(spotify_basic, write_file(json.dumps(entries), "StreamingHistory_music_0.json"))
    assert got == [
        base.listen(e - ms // 1000, ms, "skipped" if ms < 30000 else "finished", ms < 30000, a, t)
        for e, ms, a, t in plays
    ]


lb_listens = st.lists(
    st.fixed_dictionaries(
        {
            "at": epochs,
            "artist": json_text,
            "title": json_text,
            "album": json_text | st.none(),
            "mbid": mbids | st.none(),
            "duration_ms": st.integers(1, 10**7) | st.none(),
        }
    ),
    min_size=1,
    max_size=15,
)
lb_feedback = st.lists(st.tuples(mbids, st.sampled_from([1, -1]), epochs), max_size=5)


def lb_line(p) -> str:
    info = {
        k: v
        for k, v in (("recording_mbid", p["mbid"]), ("duration_ms", p["duration_ms"]))
        if v is not None
    }
    meta = {"artist_name": p["artist"], "track_name": p["title"], "additional_info": info}
    if p["album"] is not None:
        meta["release_name"] = p["album"]
    return json.dumps({"listened_at": p["at"], "track_metadata": meta})


def lb_expected(p) -> tuple:
    d = p["duration_ms"]
    return base.listen(
        p["at"],
        d if d else base.UNKNOWN_MS,
        "finished",
        False,
        p["artist"],
        p["title"],
        p["album"],
        p["mbid"],
        d,
    )


@SETTINGS
@given(lb_listens, lb_feedback, st.sampled_from(["jsonl", "zip", "json"]))
def test_listenbrainz_round_trip(plays, feedback, container):
    lines = "\n".join(lb_line(p) for p in plays) + "\n"
    fb_lines = "".join(
        json.dumps({"recording_mbid": m, "score": s, "created": c}) + "\n" for m, s, c in feedback
    )
    expected = [lb_expected(p) for p in plays]
    if container == "jsonl":
        got = parse(listenbrainz, write_file(lines, "3.jsonl"))
    elif container == "json":
        got = parse(
            listenbrainz,
            write_file("[" + ",".join(lb_line(p) for p in plays) + "]", "listens.json"),
        )
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("export/listens/2021/3.jsonl", lines)
            zf.writestr("export/feedback.jsonl", fb_lines)
        got = parse(listenbrainz, write_file(buf.getvalue(), "listenbrainz_someone.zip"))
        expected = [
            base.feedback(c, "like" if s == 1 else "dislike", None, None, m) for m, s, c in feedback
        ] + expected
    assert got == expected


# CSV fields: anything UTF-8, with no surrounding space (the header layout strips it).
csv_text = utf8_text.map(str.strip).filter(bool)
lastfm_plays = st.lists(
    st.tuples(
        epochs.map(lambda e: e - e % 60),
        csv_text,
        csv_text | st.none(),
        csv_text,
        mbids | st.none(),
    ),
    min_size=1,
    max_size=15,
)


@SETTINGS
@given(lastfm_plays, st.booleans())
def test_lastfm_round_trip(plays, header):
    out = io.StringIO()
    w = csv.writer(out)
    if header:
        w.writerow(lastfm.HEADER)
        for e, artist, album, track, mbid in plays:
            w.writerow([e, iso(e), artist, "", album or "", "", track, mbid or ""])
    else:
        for e, artist, album, track, _ in plays:
            w.writerow(
                [
                    artist,
                    album or "",
                    track,
                    datetime.fromtimestamp(e, timezone.utc).strftime("%d %b %Y %H:%M"),
                ]
            )
    got = parse(lastfm, write_file(out.getvalue(), "scrobbles.csv"))
    assert got == [
        base.listen(
            e, base.UNKNOWN_MS, "finished", False, artist, track, album, mbid if header else None
        )
        for e, artist, album, track, mbid in plays
    ]


# A scrobbler.log field holds no tab or line break; the artist does not start with '#' (a header line).
log_field = st.text(
    st.characters(codec="utf-8", exclude_characters="\t\r\n"), min_size=1, max_size=20
)
rockbox_plays = st.lists(
    st.tuples(
        log_field.filter(lambda s: not s.startswith("#")),
        log_field,
        log_field.filter(str.strip),
        st.integers(0, 7200),
        st.sampled_from("LS"),
        epochs,
        mbids | st.none(),
    ),
    min_size=1,
    max_size=15,
)


@SETTINGS
@given(rockbox_plays)
def test_rockbox_round_trip(plays):
    lines = ["#AUDIOSCROBBLER/1.1", "#TZ/UTC", "#CLIENT/Rockbox ipod 3.15"]
    for artist, album, title, seconds, rating, stamp, mbid in plays:
        fields = [artist, album, title, "3", str(seconds), rating, str(stamp)] + (
            [mbid] if mbid else []
        )
        lines.append("\t".join(fields))
    got = parse(rockbox, write_file("\n".join(lines) + "\n", ".scrobbler.log"))
    expected = []
    for artist, album, title, seconds, rating, stamp, mbid in plays:
        ms = seconds * 1000
        expected.append(
            base.listen(
                stamp,
                ms if rating == "L" else 0,
                "finished" if rating == "L" else "skipped",
                rating == "S",
                artist,
                title,
                album,
                mbid,
                ms or None,
            )
        )
    assert got == expected


# --- one malformed record: a clear error naming it, and nothing written ----------------------------------

BAD_VALUES = st.sampled_from(
    [
        None,
        "",
        "soon",
        "²",
        "-5",
        -5,
        1.5,
        True,
        [],
        {},
        10**30,
        "9" * 40,
        "2021-13-45T99:00:00Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
    ]
)


def _good_extended(i):
    return {
        "ts": iso(EPOCH_MIN + 10**8 + i * 600),
        "ms_played": 200000,
        "master_metadata_track_name": f"Song {i}",
        "master_metadata_album_artist_name": "Band",
        "master_metadata_album_album_name": "LP",
    }


def _good_basic(i):
    return {
        "endTime": "2021-02-03 18:%02d" % (i % 60),
        "msPlayed": 200000,
        "artistName": "Band",
        "trackName": f"Song {i}",
    }


def _good_lb(i):
    return {
        "listened_at": EPOCH_MIN + 10**8 + i * 600,
        "track_metadata": {"artist_name": "Band", "track_name": f"Song {i}"},
    }


JSON_FORMATS = {
    # format: (module, file name, good entry, keys that must be valid, how entries are joined)
    "spotify-extended": (
        spotify_extended,
        "endsong_0.json",
        _good_extended,
        ["ts", "ms_played"],
        "array",
    ),
    "spotify-basic": (
        spotify_basic,
        "StreamingHistory0.json",
        _good_basic,
        ["endTime", "msPlayed"],
        "array",
    ),
    "listenbrainz": (listenbrainz, "1.jsonl", _good_lb, ["listened_at", "track_metadata"], "lines"),
}


def _is_bad(fmt: str, key: str, value) -> bool:
    """Whether the parser must refuse ``value`` for ``key`` (some bad-looking values are fine)."""
    if fmt == "spotify-extended" and key == "ms_played":
        return not (isinstance(value, str) and value.lstrip("-").isdecimal() and int(value) >= 0)
    return True


@SETTINGS
@given(fmt=st.sampled_from(sorted(JSON_FORMATS)), n=st.integers(1, 12), data=st.data())
def test_one_bad_json_entry_is_named_and_nothing_is_written(db, fmt, n, data):
    module, name, good, keys, layout = JSON_FORMATS[fmt]
    entries = [good(i) for i in range(n)]
    bad = data.draw(st.integers(0, n - 1), "bad index")
    hows = ["value", "missing", "not an object"] + (["bad json"] if layout == "lines" else [])
    how = data.draw(st.sampled_from(hows))
    if how == "value":
        key, value = data.draw(st.sampled_from(keys)), data.draw(BAD_VALUES)
        if value == 10**30 and key == "ms_played" and fmt == "spotify-basic":
            value = -1
        if not _is_bad(fmt, key, value):
            value = None
        entries[bad][key] = value
    elif how == "missing":
        del entries[bad][data.draw(st.sampled_from(keys))]
    elif how == "not an object":
        entries[bad] = data.draw(st.sampled_from([1, "text", [], None, True]))
    if layout == "array":
        text = json.dumps(entries)
    else:
        lines = [json.dumps(e) for e in entries]
        if how == "bad json":
            lines[bad] = lines[bad][:-1]
        text = "\n".join(lines) + "\n"
    path = write_file(text, name)
    assert_refused(db, module, path, f"{'entry' if layout == 'array' else 'line'} {bad + 1}")


@SETTINGS
@given(n=st.integers(1, 12), data=st.data())
def test_one_bad_scrobbler_line_is_named_and_nothing_is_written(db, n, data):
    rows = [
        ["Band", "LP", f"Song {i}", "1", "200", "L", str(EPOCH_MIN + 10**8 + i * 600)]
        for i in range(n)
    ]
    bad = data.draw(st.integers(0, n - 1))
    column = data.draw(st.sampled_from([2, 4, 5, 6, "count"]))
    if column == "count":
        rows[bad] = rows[bad][: data.draw(st.sampled_from([1, 5, 6]))]
        if len(rows[bad]) == 6 and data.draw(st.booleans()):
            rows[bad] += ["x", "y", "z"]  # 9 fields
    else:
        bad_values = {
            2: ["", "  "],
            4: ["", "3.5", "²", "-1", "9" * 40],
            5: ["", "X", "l"],
            6: ["", "x", "²", "-1", "9" * 40, "1"],
        }
        rows[bad][column] = data.draw(st.sampled_from(bad_values[column]))
    header = ["#AUDIOSCROBBLER/1.1", "#TZ/UTC"]
    path = write_file("\n".join(header + ["\t".join(r) for r in rows]) + "\n", ".scrobbler.log")
    assert_refused(db, rockbox, path, f"line {bad + 1 + len(header)}")


@SETTINGS
@given(n=st.integers(1, 12), data=st.data())
def test_one_bad_lastfm_row_is_named_and_nothing_is_written(db, n, data):
    header = data.draw(st.booleans())
    if header:
        rows = [
            [str(EPOCH_MIN + 10**8 + i * 600), "", "Band", "", "LP", "", f"Song {i}", ""]
            for i in range(n)
        ]
        fields = {0: ["", "x", "²", "-1", "9" * 40, "1"], 6: ["", " "]}
    else:
        rows = [["Band", "LP", f"Song {i}", "03 Feb 2021 18:%02d" % (i % 60)] for i in range(n)]
        fields = {2: ["", " "], 3: ["", "31 Feb 2021 10:00", "03 Feb 1921 10:00", "²"]}
    bad = data.draw(st.integers(0, n - 1))
    column = data.draw(st.sampled_from(sorted(fields) + ["count"]))
    if column == "count":
        rows[bad] = rows[bad] + ["extra"]
    else:
        rows[bad][column] = data.draw(st.sampled_from(fields[column]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(lastfm.HEADER)
    writer.writerows(rows)
    path = write_file(out.getvalue(), "scrobbles.csv")
    assert_refused(db, lastfm, path, f"line {bad + 1 + header}")


# --- anything at all: a project error or storable rows ---------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False)
    | json_text
    | st.sampled_from(["2021-02-03T18:04:03Z", "2021-02-03 18:04", "²", "-0", "1e5", "9" * 30]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(json_text, inner, max_size=3),
    max_leaves=8,
)
KEYS = {
    "spotify-extended": [
        "ts",
        "ms_played",
        "master_metadata_track_name",
        "master_metadata_album_artist_name",
        "master_metadata_album_album_name",
        "reason_end",
        "skipped",
        "incognito_mode",
        "episode_name",
    ],
    "spotify-basic": ["endTime", "msPlayed", "artistName", "trackName", "episodeName"],
    "listenbrainz": ["listened_at", "track_metadata", "score", "recording_mbid", "created"],
}
VALID = {
    "ts": "2021-02-03T18:04:03Z",
    "ms_played": 1000,
    "endTime": "2021-02-03 18:04",
    "msPlayed": 1000,
    "listened_at": 1612375443,
    "created": 1612375443,
    "score": 1,
    "track_metadata": {
        "artist_name": "A",
        "track_name": "T",
        "additional_info": {"duration_ms": 1000},
    },
}


def entries_for(fmt):
    def entry(keys):
        return st.fixed_dictionaries(
            {}, optional={k: json_values | st.just(VALID.get(k, "x")) for k in keys}
        )

    return st.lists(entry(KEYS[fmt]) | json_values, max_size=6)


def _import_anything(db, fmt, path):
    before = snapshot(db)
    try:
        summary = import_files(db, fmt, [path], profile_id=profile_id(db))
    except TuneupError as exc:
        assert str(exc) and "\n" not in str(exc)
        assert snapshot(db) == before
        return None
    assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    return summary


@SETTINGS
@given(fmt=st.sampled_from(["spotify-extended", "spotify-basic"]), data=st.data())
def test_any_json_array_imports_or_is_refused(db, fmt, data):
    entries = data.draw(entries_for(fmt))
    path = write_file(
        json.dumps(entries),
        "Streaming_History_Audio_x.json"
        if fmt == "spotify-extended"
        else "StreamingHistory_music_0.json",
    )
    _import_anything(db, fmt, path)


@SETTINGS
@given(
    lines=st.lists(
        entries_for("listenbrainz").map(lambda es: es[0] if es else {}) | json_values, max_size=6
    ),
    name=st.sampled_from(["1.jsonl", "feedback.jsonl"]),
)
def test_any_listenbrainz_lines_import_or_are_refused(db, lines, name):
    _import_anything(db, "listenbrainz", write_file("\n".join(json.dumps(v) for v in lines), name))


scrobble_text = st.lists(
    st.lists(
        st.sampled_from(["", "L", "S", "200", "²", "9" * 30, "1612375443", "x", "#", " "])
        | utf8_text,
        min_size=0,
        max_size=9,
    ).map("\t".join),
    max_size=6,
)


@SETTINGS
@given(
    header=st.sampled_from(
        ["#AUDIOSCROBBLER/1.1\n#TZ/UTC\n", "#AUDIOSCROBBLER/1.1\n#TZ/UNKNOWN\n", ""]
    ),
    lines=scrobble_text,
    raw=st.binary(max_size=40),
)
def test_any_scrobbler_log_imports_or_is_refused(db, header, lines, raw):
    _import_anything(
        db,
        "rockbox",
        write_file(header.encode() + "\n".join(lines).encode() + b"\n" + raw, "x.log"),
    )


csv_cells = (
    st.sampled_from(
        ["", "uts", "0", "²", "9" * 30, "1612375443", "03 Feb 2021 18:04", "01 Jan 1970 00:00", "x"]
    )
    | utf8_text
)


@SETTINGS
@given(
    header=st.booleans(),
    rows=st.lists(st.lists(csv_cells, max_size=9), max_size=6),
    raw=st.binary(max_size=20),
)
def test_any_lastfm_csv_imports_or_is_refused(db, header, rows, raw):
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(lastfm.HEADER)
    writer.writerows(rows)
    _import_anything(db, "lastfm", write_file(out.getvalue().encode() + raw, "scrobbles.csv"))


# --- valid records all the way into the database ----------------------------------------------------------


def _stored(text):
    """What the database holds for imported text: lone surrogates (valid JSON escapes, not valid Unicode)
    become U+FFFD, NUL a space; everything else is kept as is."""
    if text is None:
        return None
    return "".join(
        "\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else " " if c == "\x00" else c for c in text
    )


@SETTINGS
@given(extended_plays, st.booleans())
def test_spotify_extended_plays_are_stored_as_read(db, plays, fresh_times):
    offset = db.execute("SELECT count(*) FROM listens").fetchone()[0] * 10  # new plays each example
    entries = [
        {
            "ts": iso(p["ts"] + offset),
            "ms_played": p["ms_played"],
            "master_metadata_track_name": p["title"],
            "master_metadata_album_artist_name": p["artist"],
            "master_metadata_album_album_name": p["album"],
            "reason_end": p["reason_end"],
            "incognito_mode": False,
        }
        for p in plays
    ]
    path = write_file(json.dumps(entries), "Streaming_History_Audio_2022.json")
    summary = import_files(db, "spotify-extended", [path], profile_id=profile_id(db))
    import_id = db.execute("SELECT max(id) FROM imports").fetchone()[0]
    rows = db.execute(
        "SELECT artist, title, album, ms_played FROM listens WHERE import_id = ?", [import_id]
    ).fetchall()
    expected = {
        (
            _stored(e["master_metadata_album_artist_name"]),
            _stored(e["master_metadata_track_name"]),
            _stored(e["master_metadata_album_album_name"]),
            e["ms_played"],
        )
        for e in entries
    }
    assert set(rows) <= expected
    assert summary["imported"] + summary["duplicates"] == len(entries)
    assert len(rows) == summary["imported"]


@SETTINGS
@given(lb_listens, lb_feedback)
def test_listenbrainz_listens_and_feedback_are_stored_as_read(plays, feedback):
    db = open_db(Path(tempfile.mkdtemp(prefix="tuneup-prop-")) / "tuneup.db")
    plays = [
        {**p, "at": p["at"] + i} for i, p in enumerate(plays)
    ]  # distinct plays (no duplicates to drop)
    fb = [
        {
            "recording_mbid": m,
            "score": s,
            "created": c + i,
            "track_metadata": {"artist_name": p["artist"], "track_name": p["title"]},
        }
        for i, ((m, s, c), p) in enumerate(zip(feedback, plays))
    ]
    path = write_file("".join(lb_line(p) + "\n" for p in plays), "7.jsonl")
    fb_path = write_file("".join(json.dumps(f) + "\n" for f in fb), "feedback.jsonl")
    import_files(db, "listenbrainz", [path, fb_path], profile_id=profile_id(db))
    stored = set(db.execute("SELECT artist, title, album, mbid FROM listens").fetchall())
    assert {
        (_stored(p["artist"]), _stored(p["title"]), _stored(p["album"]), p["mbid"]) for p in plays
    } <= stored
    stored_fb = set(db.execute("SELECT artist, title, mbid FROM feedback").fetchall())
    assert {
        (
            _stored(f["track_metadata"]["artist_name"]),
            _stored(f["track_metadata"]["track_name"]),
            f["recording_mbid"],
        )
        for f in fb
    } <= stored_fb


# --- big files are streamed: the same plays, the same errors ----------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(json_values, max_size=8),
    indent=st.sampled_from([None, 0, 2]),
    chunk=st.integers(1, 64),
    tail=st.sampled_from(["", "\n", "  \n\n", " x", ",", "]"]),
)
def test_streamed_array_reads_what_json_reads(values, indent, chunk, tail):
    """iter_json_array streams files over STREAM_ABOVE bytes in CHUNK pieces; forced here for any size."""
    text = json.dumps(values, indent=indent) + tail
    path = write_file(text, "big.json")
    try:
        expected = json.loads(text)
    except json.JSONDecodeError as exc:
        expected = exc
    old = base.STREAM_ABOVE, base.CHUNK
    base.STREAM_ABOVE, base.CHUNK = -1, chunk
    try:
        if isinstance(expected, Exception):
            with pytest.raises(ImportFormatError, match=rf"{path}: line \d+ column \d+: bad JSON"):
                list(base.iter_json_array(path))
        else:
            assert list(base.iter_json_array(path)) == expected
    finally:
        base.STREAM_ABOVE, base.CHUNK = old


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 30), bad=st.data(), chunk=st.integers(1, 50))
def test_streamed_array_names_the_line_of_a_syntax_error(n, bad, chunk):
    lines = [json.dumps({"n": i}) + "," for i in range(n)]
    broken = bad.draw(st.integers(0, n - 1))
    lines[broken] = lines[broken].replace("}", "", 1)  # an object that never closes
    text = "[\n" + "\n".join(lines)[:-1] + "\n]\n"
    path = write_file(text, "big.json")
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    old = base.STREAM_ABOVE, base.CHUNK
    base.STREAM_ABOVE, base.CHUNK = -1, chunk
    try:
        with pytest.raises(
            ImportFormatError, match=rf"line {expected.value.lineno} column {expected.value.colno}:"
        ):
            list(base.iter_json_array(path))
    finally:
        base.STREAM_ABOVE, base.CHUNK = old


def test_streamed_array_refuses_what_is_not_an_array_or_not_utf8():
    old = base.STREAM_ABOVE
    base.STREAM_ABOVE = -1
    try:
        with pytest.raises(ImportFormatError, match="expected a JSON array"):
            list(base.iter_json_array(write_file('{"a": 1}', "x.json")))
        assert list(base.iter_json_array(write_file("  [ ]  ", "x.json"))) == []
        with pytest.raises(ImportFormatError, match="not UTF-8"):
            list(base.iter_json_array(write_file(b'[{"a": "\xff\xfe"}]', "x.json")))
        with pytest.raises(ImportFormatError, match="ends inside the array"):
            list(base.iter_json_array(write_file("[1, 2", "x.json")))
    finally:
        base.STREAM_ABOVE = old
