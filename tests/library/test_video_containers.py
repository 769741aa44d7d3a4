"""The fast container readers (EBML for mkv/webm, MPEG-PS) agree with MediaInfo, and fall back to it."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tuneup.errors import MediaReadError
from tuneup.library.video.containers import _read_mediainfo, _read_mp4_mutagen, read_container
from tuneup.library.video.matroska import read_matroska
from tuneup.library.video.mp4 import read_mp4
from tuneup.library.video.mpegps import read_mpeg_ps

FIXTURES = Path(__file__).parent.parent / "fixtures" / "video"


def ffmpeg(*args):
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *map(str, args)],
        check=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Longer files than the fixtures: audio before video in the mkv, MPEG-2 in the mpg."""
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg not installed (scripts/install-system-deps.sh installs it)")
    d = tmp_path_factory.mktemp("gen")
    src = [
        "-f",
        "lavfi",
        "-i",
        "sine=duration=4:sample_rate=48000",
        "-f",
        "lavfi",
        "-i",
        "testsrc=duration=4:size=160x120:rate=25",
    ]
    ffmpeg(
        *src,
        "-map",
        "0:a",
        "-map",
        "1:v",
        "-c:a",
        "libvorbis",
        "-c:v",
        "libvpx",
        "-b:v",
        "50k",
        "-metadata",
        "title=Long Title",
        d / "long.mkv",
    )
    ffmpeg(*src, "-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpeg", d / "long.mpg")
    ffmpeg(
        *src,
        "-map",
        "0:a",
        "-map",
        "1:v",
        "-c:a",
        "aac",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-movflags",
        "+faststart",
        "-metadata",
        "title=Fast Start",
        d / "faststart.mp4",
    )
    from mutagen.mp4 import MP4

    tagged = MP4(d / "faststart.mp4")
    tagged["\xa9gen"] = ["Rock"]
    tagged["tvsn"], tagged["tves"], tagged["stik"] = [3], [300], [10]
    tagged.save()
    return d


def _agree(fast: dict, reference: dict):
    for key in ("container", "width", "height", "codec", "has_video"):
        assert fast.get(key) == reference.get(key), key
    assert fast["duration"] == pytest.approx(reference["duration"], abs=0.05)
    assert fast["tags"].get("title") == reference["tags"].get("title")


@pytest.mark.parametrize("name", ["titled.mkv", "clip.webm"])
def test_matroska_reader_agrees_with_mediainfo(name):
    _agree(read_matroska(FIXTURES / name), _read_mediainfo(FIXTURES / name))


def test_mpeg_ps_reader_agrees_with_mediainfo():
    _agree(read_mpeg_ps(FIXTURES / "clip.mpg"), _read_mediainfo(FIXTURES / "clip.mpg"))


def test_longer_generated_files(generated):
    _agree(read_matroska(generated / "long.mkv"), _read_mediainfo(generated / "long.mkv"))
    _agree(read_mpeg_ps(generated / "long.mpg"), _read_mediainfo(generated / "long.mpg"))


@pytest.mark.parametrize("name", ["episode.mp4", "movie.m4v"])
def test_lean_mp4_reader_agrees_with_mutagen(name):
    assert read_mp4(FIXTURES / name) == _read_mp4_mutagen(FIXTURES / name)


def test_lean_mp4_reader_on_a_faststart_file_with_audio_first(generated):
    lean = read_mp4(generated / "faststart.mp4")
    assert lean == _read_mp4_mutagen(generated / "faststart.mp4")
    assert (lean["width"], lean["height"], lean["codec"]) == (160, 120, "avc1")
    assert lean["tags"]["genres"] == ["Rock"] and lean["tags"]["episode"] == 300
    assert lean["tags"]["title"] == "Fast Start" and lean["tags"]["media_kind"] == "tv show"
    assert lean["duration"] == pytest.approx(4.0, abs=0.1)


def test_mislabelled_and_truncated_files_fall_back_to_mediainfo(tmp_path):
    fake = tmp_path / "really-webm.mp4"
    shutil.copyfile(FIXTURES / "clip.webm", fake)
    assert read_container(fake)["container"] == "WebM"
    cut_mp4 = tmp_path / "cut.mp4"
    cut_mp4.write_bytes((FIXTURES / "episode.mp4").read_bytes()[:-200])
    with pytest.raises(MediaReadError):
        read_mp4(cut_mp4)
    cut = tmp_path / "cut.mkv"
    cut.write_bytes((FIXTURES / "titled.mkv").read_bytes()[:40])
    with pytest.raises(MediaReadError):
        read_matroska(cut)
    garbage = tmp_path / "garbage.mpg"
    garbage.write_bytes(b"\x00\x00\x01\xba" + b"\xff" * 100)
    with pytest.raises(MediaReadError):
        read_mpeg_ps(garbage)
    with pytest.raises(MediaReadError):
        read_container(garbage)


def _ebml(element_id: int, payload: bytes) -> bytes:
    """One EBML element with an 8-byte size field (valid for any payload length)."""
    ident = element_id.to_bytes((element_id.bit_length() + 7) // 8, "big")
    return ident + bytes([0x01]) + len(payload).to_bytes(7, "big") + payload


def test_matroska_info_and_tracks_after_the_clusters_are_found_through_the_seekhead(tmp_path):
    import struct

    from tuneup.library.video import matroska as m

    info = _ebml(
        m.INFO,
        _ebml(m.TIMESCALE, (1_000_000).to_bytes(3, "big"))
        + _ebml(m.DURATION, struct.pack(">d", 90_000.0))
        + _ebml(m.TITLE, b"Late Info"),
    )
    video = _ebml(
        m.VIDEO,
        _ebml(m.WIDTH, (640).to_bytes(2, "big")) + _ebml(m.HEIGHT, (360).to_bytes(2, "big")),
    )
    tracks = _ebml(
        m.TRACKS, _ebml(m.TRACK, _ebml(m.TRACK_TYPE, b"\x01") + _ebml(m.CODEC_ID, b"V_VP9") + video)
    )
    cluster = _ebml(m.CLUSTER, b"\x00" * 64)

    def seekhead(info_at: int, tracks_at: int) -> bytes:
        def seek(eid: int, at: int) -> bytes:
            return _ebml(
                m.SEEK,
                _ebml(m.SEEK_ID, eid.to_bytes(4, "big")) + _ebml(m.SEEK_POS, at.to_bytes(4, "big")),
            )

        return _ebml(m.SEEKHEAD, seek(m.INFO, info_at) + seek(m.TRACKS, tracks_at))

    head_len = len(seekhead(0, 0))
    body = (
        seekhead(head_len + len(cluster), head_len + len(cluster) + len(info))
        + cluster
        + info
        + tracks
    )
    path = tmp_path / "late.mkv"
    path.write_bytes(_ebml(m.EBML, _ebml(m.DOCTYPE, b"matroska")) + _ebml(m.SEGMENT, body))
    got = read_matroska(path)
    assert got["duration"] == pytest.approx(90.0) and got["tags"]["title"] == "Late Info"
    assert (got["width"], got["height"], got["codec"]) == (640, 360, "VP9")
