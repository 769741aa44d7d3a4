"""Tags and properties read right from real generated files in every format; path fallback."""

import json
import subprocess

import pytest
from media import CODEC, FORMATS, make_audio

from tuneup.errors import MediaReadError
from tuneup.library.tags.pathguess import apply_guess, guess_from_path
from tuneup.library.tags.read import read_audio, split_genres

FULL = {
    "title": "Señor <b>[bold]</b> \\n done",
    "artist": ["Anna", "Bert"],
    "album": "Blue Album",
    "albumartist": "Anna",
    "tracknumber": 3,
    "tracktotal": 12,
    "discnumber": 2,
    "disctotal": 2,
    "date": "1999-05-01",
    "genre": ["Rock; Pop", "rock", "Jazz/Funk"],
    "composer": "Carla",
    "bpm": "128",
    "initialkey": "Am",
    "mood": "Happy",
    "label": "Indie Label",
    "compilation": True,
    "musicbrainz_trackid": "0b1c-track",
    "musicbrainz_albumid": "0b1c-album",
    "musicbrainz_artistid": "0b1c-artist",
    "musicbrainz_albumartistid": "0b1c-aa",
    "musicbrainz_releasetrackid": "0b1c-rt",
    "replaygain_track_gain": "-6.50 dB",
    "replaygain_track_peak": "0.988",
    "replaygain_album_gain": "-7.25 dB",
    "replaygain_album_peak": "0.999",
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_tag_and_property_per_format(tmp_path, fmt):
    row = read_audio(bytes(make_audio(tmp_path, fmt, FULL)))
    assert row["kind"] == "track"
    assert row["title"] == FULL["title"]
    assert json.loads(row["artists"]) == ["Anna", "Bert"]
    assert row["artist"] in ("Anna; Bert",)
    assert (row["album"], row["albumartist"]) == ("Blue Album", "Anna")
    assert row["tracknumber"] == 3 and row["discnumber"] == 2 and row["disctotal"] == 2
    if fmt != "wma":  # WM/TrackNumber carries no total
        assert row["tracktotal"] == 12
    assert row["date"].startswith("1999") and row["year"] == 1999
    assert json.loads(row["genres"]) == ["Rock", "Pop", "Jazz", "Funk"]
    assert row["composer"] == "Carla" and row["bpm"] == 128 and row["initial_key"] == "Am"
    assert row["mood"] == "Happy" and row["label"] == "Indie Label" and row["compilation"] == 1
    assert (
        row["mb_trackid"],
        row["mb_albumid"],
        row["mb_artistid"],
        row["mb_albumartistid"],
        row["mb_releasetrackid"],
    ) == ("0b1c-track", "0b1c-album", "0b1c-artist", "0b1c-aa", "0b1c-rt")
    assert (
        row["rg_track_gain"],
        row["rg_track_peak"],
        row["rg_album_gain"],
        row["rg_album_peak"],
    ) == (-6.5, 0.988, -7.25, 0.999)
    assert row["codec"] == CODEC[fmt]
    assert row["sample_rate"] > 0 and row["channels"] >= 1 and row["bitrate"] > 0
    expected = 1.0 if fmt != "dsf" else 0.0116  # the hand-written DSF holds a few milliseconds
    assert row["duration"] == pytest.approx(expected, abs=0.06)


@pytest.mark.parametrize("fmt", FORMATS)
def test_untagged_file_reads_properties_only(tmp_path, fmt):
    row = read_audio(bytes(make_audio(tmp_path, fmt)))
    assert "title" not in row and "artist" not in row
    assert row["duration"] > 0 and row["codec"] == CODEC[fmt]


def test_id3v23_and_numeric_genres(tmp_path):
    path = make_audio(
        tmp_path, "mp3", {"title": "Old", "genre": "(17)", "artist": "A/B"}, id3_version=3
    )
    row = read_audio(bytes(path))
    assert row["title"] == "Old" and json.loads(row["genres"]) == ["Rock"]
    assert row["artist"] == "A/B"  # "/" is never an artist separator (AC/DC)


def test_id3v24_null_separated_genres(tmp_path):
    from mutagen.id3 import ID3, TCON

    path = make_audio(tmp_path, "mp3", {"title": "x"})
    tags = ID3(path)
    tags.add(TCON(encoding=3, text=["Ambient\x00Drone", "ambient"]))
    tags.save()
    assert json.loads(read_audio(bytes(path))["genres"]) == ["Ambient", "Drone"]


def test_split_genres_dedupes_and_splits():
    assert split_genres(["Rock / Pop; rock", "Hip-Hop|R&B , Jazz\x00Soul"]) == [
        "Rock",
        "Pop",
        "Hip-Hop",
        "R&B",
        "Jazz",
        "Soul",
    ]


def test_opus_r128_gain_becomes_replaygain(tmp_path):
    path = make_audio(tmp_path, "opus", {"title": "x"})
    import mutagen

    audio = mutagen.File(path)
    audio["R128_TRACK_GAIN"] = ["-2560"]  # -10 dB relative to -23 LUFS
    audio.save()
    assert read_audio(bytes(path))["rg_track_gain"] == pytest.approx(-5.0)


def test_wrong_extension_is_still_read(tmp_path):
    src = make_audio(tmp_path / "a", "flac", {"title": "Really FLAC"})
    dst = tmp_path / "misnamed.mp3"
    dst.write_bytes(src.read_bytes())
    row = read_audio(bytes(dst))
    assert row["title"] == "Really FLAC" and row["format"] == "flac"


@pytest.mark.parametrize("content", [b"", b"\x00" * 10, bytes(range(256)) * 40])
def test_garbage_raises_media_read_error(tmp_path, content):
    path = tmp_path / "bad.ogg"
    path.write_bytes(content)
    with pytest.raises(MediaReadError):
        read_audio(bytes(path))


# --- path fallback ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "parts, expected",
    [
        (
            ["Artist", "Album", "01 - Title.mp3"],
            {"artist": "Artist", "album": "Album", "tracknumber": 1, "title": "Title"},
        ),
        (
            ["Artist", "Album (1999)", "CD2", "03. Song Name.flac"],
            {
                "artist": "Artist",
                "album": "Album",
                "year": 1999,
                "discnumber": 2,
                "tracknumber": 3,
                "title": "Song Name",
            },
        ),
        (["Artist - Title.mp3"], {"artist": "Artist", "title": "Title"}),
        (["01. Title.ogg"], {"tracknumber": 1, "title": "Title"}),
        (
            ["Some Band - Greatest Hits", "07 Best Song.mp3"],
            {
                "artist": "Some Band",
                "album": "Greatest Hits",
                "tracknumber": 7,
                "title": "Best Song",
            },
        ),
        (
            ["Artist", "Album", "02 - Other Artist - Song.mp3"],
            {"artist": "Other Artist", "album": "Album", "tracknumber": 2, "title": "Song"},
        ),
        (
            ["Artist", "2001 - Album", "1-04 Song_Name_Here.mp3"],
            {
                "artist": "Artist",
                "album": "Album",
                "year": 2001,
                "discnumber": 1,
                "tracknumber": 4,
                "title": "Song Name Here",
            },
        ),
        (["Loose Files", "Just a title.mp3"], {"artist": "Loose Files", "title": "Just a title"}),
        (["1999.mp3"], {"title": "1999"}),
    ],
)
def test_guess_from_path(parts, expected):
    assert guess_from_path(parts) == expected


def test_apply_guess_fills_only_missing_fields_and_marks_them():
    row = apply_guess({"title": "Tagged Title"}, ["Artist", "Album", "05 - File Title.mp3"])
    assert row["title"] == "Tagged Title"
    assert (row["artist"], row["album"], row["tracknumber"]) == ("Artist", "Album", 5)
    assert json.loads(row["guessed"]) == ["artist", "album", "tracknumber"]
    assert json.loads(row["artists"]) == ["Artist"]
    assert "guessed" not in apply_guess(
        {
            "title": "t",
            "artist": "a",
            "album": "b",
            "tracknumber": 1,
            "discnumber": 1,
            "year": 2000,
        },
        ["x", "y", "01 - z.mp3"],
    )


# --- the fast MP3/FLAC path gives exactly what mutagen gives ---------------------------------------


def _mp3_variants(tmp_path):
    from mutagen import id3

    def frames(enc):
        return [
            id3.TIT2(encoding=enc, text=["Títle", "Second"]),
            id3.TPE1(encoding=enc, text=["Ä", "B"]),
            id3.TCON(encoding=enc, text=["(17)Rock", "(18)"]),
            id3.TXXX(encoding=enc, desc="ARTISTS", text=["Ä", "B"]),
            id3.TXXX(encoding=enc, desc="replaygain_track_gain", text=["-3.2 dB"]),
            id3.TRCK(encoding=enc, text=["4/9"]),
            id3.TBPM(encoding=enc, text=["99"]),
            id3.UFID(owner="http://example.com", data=b"x"),
            id3.UFID(owner="http://musicbrainz.org", data=b"mb"),
            id3.APIC(encoding=0, mime="image/jpeg", type=3, desc="", data=bytes(150_000)),
            id3.COMM(encoding=enc, lang="eng", desc="", text=["comment"]),
        ]

    out = []
    for version in (3, 4):
        for enc in (0, 1, 3) if version == 3 else (0, 1, 2, 3):
            path = make_audio(tmp_path, "mp3", name=f"v{version}-{enc}.mp3")
            tags = id3.ID3()
            for frame in frames(enc):
                tags.add(frame)
            if version == 3:
                tags.add(id3.TYER(encoding=enc, text=["1987"]))
                tags.add(id3.TDAT(encoding=enc, text=["0205"]))
                tags.add(id3.TIME(encoding=enc, text=["1130"]))
                tags.add(id3.TORY(encoding=enc, text=["1980"]))
                tags.save(path, v2_version=3)
            else:
                tags.add(id3.TDRC(encoding=enc, text=["2001-02-03"]))
                tags.add(id3.TDOR(encoding=enc, text=["1999"]))
                tags.save(path, v2_version=4)
            out.append(path)
    out.append(make_audio(tmp_path, "mp3", dict(FULL), name="full.mp3"))
    out.append(make_audio(tmp_path, "mp3", name="untagged.mp3"))
    for name, args in (
        ("cbr-no-xing", ["-b:a", "128k", "-write_xing", "0"]),
        ("cbr-info", ["-b:a", "192k"]),
        ("mpeg2-vbr", ["-q:a", "5", "-ar", "22050"]),
        ("stereo-48k", ["-ac", "2", "-ar", "48000"]),
    ):
        path = tmp_path / f"{name}.mp3"
        subprocess.run(
            [
                "ffmpeg",
                "-nostdin",
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                "sine=duration=2",
                "-c:a",
                "libmp3lame",
                *args,
                str(path),
            ],
            check=True,
        )
        out.append(path)
    out.append(make_audio(tmp_path, "mp3", dict(FULL), name="full3.mp3", id3_version=3))
    return out


def _flac_variants(tmp_path):
    from mutagen.flac import FLAC, Picture

    full = make_audio(tmp_path, "flac", dict(FULL), name="full.flac")
    art = make_audio(
        tmp_path, "flac", {"title": "With art", "ARTIST": "Upper", "Genre": "A;B"}, name="art.flac"
    )
    audio = FLAC(art)
    picture = Picture()
    picture.data = bytes(200_000)
    audio.add_picture(picture)
    audio.save(padding=lambda info: 70_000)
    return [full, art]


def test_fast_path_matches_mutagen(tmp_path):
    from tuneup.library.tags.fastread import read_fast

    for path in _mp3_variants(tmp_path) + _flac_variants(tmp_path):
        assert read_fast(bytes(path), path.suffix) is not None, path.name  # the fast path was taken
        assert read_audio(bytes(path)) == read_audio(bytes(path), fast=False), path.name


def test_fast_path_leaves_unusual_files_to_mutagen(tmp_path):
    from tuneup.library.tags.fastread import read_fast

    v1 = make_audio(tmp_path, "mp3", name="v1.mp3")
    with open(v1, "ab") as f:
        f.write(
            b"TAG"
            + b"Old Title".ljust(30, b"\0")
            + b"Old Artist".ljust(30, b"\0")
            + bytes(30 + 4 + 30)
            + b"\x11"
        )
    assert read_fast(bytes(v1), ".mp3") is None
    assert read_audio(bytes(v1))["title"] == "Old Title"
    for fmt in ("mp3", "flac"):
        random_path = tmp_path / f"truncated.{fmt}"
        random_path.write_bytes(make_audio(tmp_path / fmt, fmt, dict(FULL)).read_bytes()[:300])
        assert read_fast(bytes(random_path), f".{fmt}") is None
