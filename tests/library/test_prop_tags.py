"""Property tests for tag reading (tags -> columns), the artist/title keys and the matcher.

The keys (tuneup.store.normalize) are what an imported listen and a local file meet on, so they
must never raise on any text, must ignore case, spacing and accents, must drop "feat." credits and
release descriptions ("- 2011 Remaster"), and a track must always match itself.
"""

import json
import math
import sqlite3
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from tuneup.history.match import Matcher
from tuneup.library.tags.read import columns_from, split_genres
from tuneup.store.normalize import (
    fold,
    norm_album,
    norm_artist,
    norm_mbid,
    norm_title,
    primary_artist,
)

FAST = settings(max_examples=150, deadline=None)

# Any text at all: surrogates, NUL, C0/C1 controls, RTL marks, combining marks.
any_char = st.characters(exclude_categories=())
any_text = st.text(any_char, max_size=40)
# Text built to hit the parsers' special cases: digits of every script, separators, feat words.
tricky = st.text(
    st.sampled_from(list("0123456789²³¹١٢٣߀৪٫,./;| \x00\t-–()[]&feat.Remaster ")) | any_char,
    max_size=30,
)
TAG_KEYS = [
    "title",
    "artist",
    "artists",
    "album",
    "albumartist",
    "tracknumber",
    "tracktotal",
    "discnumber",
    "disctotal",
    "date",
    "originaldate",
    "genre",
    "composer",
    "bpm",
    "compilation",
    "initialkey",
    "replaygain_track_gain",
    "replaygain_album_peak",
    "r128_track_gain",
    "r128_album_gain",
    "musicbrainz_trackid",
    "label",
    "mood",
    "whatever",
]
numberish = (
    st.text(st.sampled_from("0123456789²³¹١٢٣৪٫.,/e- "), min_size=1, max_size=8)
    | st.integers(19, 6000).map(lambda n: "9" * n)
    | st.sampled_from(["nan", "inf", "-Infinity", "1e999"])
)
tag_dicts = st.dictionaries(
    st.sampled_from(TAG_KEYS),
    st.lists(st.one_of(any_text, tricky, numberish), max_size=3),
    max_size=10,
)

# Plain words for titles and artists: no word the key functions treat specially.
RESERVED = {
    "feat",
    "ft",
    "featuring",
    "with",
    "and",
    "x",
    "vs",
    "the",
    "remaster",
    "remastered",
    "mono",
    "stereo",
    "single",
    "edit",
    "mixed",
    "from",
    "clean",
    "explicit",
    "deluxe",
}
word = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzéüñøß"), min_size=2, max_size=8).filter(
    lambda w: w not in RESERVED
)
words = st.lists(word, min_size=1, max_size=4).map(" ".join)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@FAST
@given(tag_dicts)
def test_any_tags_give_storable_columns(tags):
    """Whatever the tags hold, columns_from returns plain values SQLite stores, and numbers are sane."""
    row = columns_from(tags)
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE TABLE t ({', '.join(row) or 'x'})")
    if row:
        db.execute(f"INSERT INTO t VALUES ({', '.join('?' * len(row))})", list(row.values()))
    for column in ("tracknumber", "tracktotal", "discnumber", "disctotal", "year"):
        if column in row:
            assert isinstance(row[column], int) and 0 <= row[column] < 2**63
    for column in ("bpm", "rg_track_gain", "rg_album_peak"):
        if column in row:
            assert math.isfinite(row[column])
    if "year" in row:
        assert 1000 <= row["year"] <= 2999
    for column in ("artists", "genres"):
        if column in row:
            assert isinstance(json.loads(row[column]), list)


@FAST
@given(st.lists(st.one_of(any_text, tricky), max_size=5))
def test_genres_split_dedup_and_keep_order(values):
    genres = split_genres(values)
    assert len({g.lower() for g in genres}) == len(genres)
    assert all(g == g.strip() and g for g in genres)
    assert split_genres(genres) == genres  # splitting again finds nothing more


@given(st.integers(1, 10**9), st.integers(1, 10**9))
@FAST
def test_track_numbers_in_their_usual_spellings(number, total):
    for text in (f"{number}/{total}", f"{number} of {total}", f"0{number}/{total}"):
        row = columns_from(
            {"tracknumber": [text], "discnumber": [str(number)], "disctotal": [str(total)]}
        )
        assert (row["tracknumber"], row["tracktotal"]) == (number, total)
        assert (row["discnumber"], row["disctotal"]) == (number, total)


@FAST
@given(any_text)
def test_keys_never_raise_and_are_folded(text):
    for fn in (fold, norm_artist, primary_artist, norm_title, norm_album, norm_mbid):
        key = fn(text)
        assert isinstance(key, str)
    key = fold(text)
    assert fold(key) == key  # idempotent
    assert key == key.strip() and "  " not in key
    assert not any(unicodedata.combining(c) for c in key)
    assert key == key.casefold()


@FAST
@given(
    words,
    st.sampled_from([str.upper, str.title, str.lower, str.swapcase]),
    st.sampled_from([lambda s: s, lambda s: f"  {s}\t", lambda s: s.replace(" ", "   ")]),
)
def test_keys_ignore_case_and_spacing(text, case, space):
    variant = space(case(text))
    assert norm_title(variant) == norm_title(text)
    assert norm_artist(variant) == norm_artist(text)
    assert primary_artist(variant) == primary_artist(text)


@FAST
@given(
    st.text(
        st.sampled_from(
            "abcdefghijklmnopqrstuvwxyzàáâãäåçèéêëìíîïñòóôõöùúûüýÿăąćčďęěğıłńňőœřśşšţťůűźżž "
        ),
        min_size=1,
        max_size=30,
    )
)
def test_keys_ignore_accents(text):
    plain = strip_accents(text)
    assert norm_title(text) == norm_title(plain)
    assert norm_artist(text) == norm_artist(plain)


VERSIONS = [
    "{t} - Remastered {y}",
    "{t} - {y} Remaster",
    "{t} ({y} Remaster)",
    "{t} [Remastered]",
    "{t} - Radio Edit",
    "{t} (Live from {w})",
    "{t} - Mono",
    "{t} (Deluxe Edition)",
    "{t} (feat. {w})",
    "{t} [ft. {w}]",
    "{t} feat. {w}",
    "{t} (feat. {w}) - {y} Remaster",
    "{t} (with {w})",
    "{t} - Single Version",
]


@FAST
@given(words, words, st.integers(1950, 2030), st.sampled_from(VERSIONS))
def test_release_descriptions_and_featured_artists_are_dropped(title, other, year, pattern):
    variant = pattern.format(t=title, y=year, w=other)
    if pattern == "{t} (Live from {w})":
        return  # "(Live ...)" is a different recording: kept on purpose unless it names a release
    assert norm_title(variant) == norm_title(title), variant


@FAST
@given(
    words,
    words,
    st.sampled_from(["{a} feat. {b}", "{a} ft. {b}", "{a} featuring {b}", "{a} Feat {b}"]),
)
def test_featured_artists_leave_the_artist_key(artist, other, pattern):
    assert norm_artist(pattern.format(a=artist, b=other)) == norm_artist(artist)


@FAST
@given(
    words,
    words,
    st.sampled_from(
        [
            "{a} & {b}",
            "{a}, {b}",
            "{a} and {b}",
            "{a} x {b}",
            "{a} vs. {b}",
            "{a} / {b}",
            "{a}; {b}",
            "{a} feat. {b}",
        ]
    ),
)
def test_primary_artist_is_the_first_credit(artist, other, pattern):
    assert (
        primary_artist(pattern.format(a=artist, b=other))
        == primary_artist(artist)
        == norm_artist(artist)
    )


@FAST
@given(words)
def test_leading_the_in_any_position(artist):
    assert norm_artist(f"The {artist}") == norm_artist(f"{artist}, The") == norm_artist(artist)


tracks = st.lists(
    st.tuples(
        any_text, any_text, st.one_of(st.none(), any_text), st.one_of(st.none(), st.floats(1, 3600))
    ),
    min_size=1,
    max_size=8,
)


@FAST
@given(tracks)
def test_every_track_matches_itself(rows):
    """With distinct title keys, each track (any text at all) is found by its own tags.
    (A file without an artist is never matched by artist and title: too weak a key.)"""
    seen, library = set(), []
    for i, (artist, title, album, duration) in enumerate(rows):
        if norm_artist(artist) and norm_title(title) and norm_title(title) not in seen:
            seen.add(norm_title(title))
            library.append((i, artist, None, title, album, duration, None))
    matcher = Matcher(library)
    for item_id, artist, _, title, album, duration, _ in library:
        ms = int(duration * 1000) if duration else None
        assert matcher.match(artist, title, album, ms).item_id == item_id
        assert matcher.match(artist, title).item_id == item_id


@FAST
@given(words, words, words, st.integers(1950, 2030), st.sampled_from(VERSIONS[:5]))
def test_streaming_service_spellings_match_the_file(artist, title, guest, year, pattern):
    library = [
        (7, f"The {artist}", None, title, "LP", 200.0, None),
        (8, f"{guest} {artist}", None, f"{title} {guest}", "LP", 200.0, None),
    ]
    matcher = Matcher(library)
    listened = pattern.format(t=title.upper(), y=year, w=guest)
    assert matcher.match(f"{artist}, The feat. {guest}", listened).item_id == 7
    assert matcher.match(f"the {artist} & {guest}", f"{title} (feat. {guest})").item_id == 7


@FAST
@given(st.uuids(), any_text, any_text)
def test_recording_id_wins_whatever_the_text(mbid, artist, title):
    matcher = Matcher([(3, "Someone", None, "Something", None, None, str(mbid))])
    assert matcher.match(artist, title, mbid=f"  {str(mbid).upper()} ").item_id == 3
