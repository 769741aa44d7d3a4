"""The fast container readers (EBML for mkv/webm, MPEG-PS) agree with MediaInfo, and fall back to it."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tuneup.errors import MediaReadError
from tuneup.library.containers import _read_mediainfo, _read_mp4_mutagen, read_container
from tuneup.library.matroska import read_matroska
from tuneup.library.mp4 import read_mp4
from tuneup.library.mpegps import read_mpeg_ps

FIXTURES = Path(__file__).parent / "fixtures" / "video"


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *map(str, args)], check=True, timeout=60)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Longer files than the fixtures: audio before video in the mkv, MPEG-2 in the mpg."""
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg not installed (scripts/install-system-deps.sh installs it)")
    d = tmp_path_factory.mktemp("gen")
    src = ["-f", "lavfi", "-i", "sine=duration=4:sample_rate=48000", "-f", "lavfi", "-i",
           "testsrc=duration=4:size=160x120:rate=25"]
    ffmpeg(*src, "-map", "0:a", "-map", "1:v", "-c:a", "libvorbis", "-c:v", "libvpx", "-b:v", "50k",
           "-metadata", "title=Long Title", d / "long.mkv")
    ffmpeg(*src, "-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpeg", d / "long.mpg")
    ffmpeg(*src, "-map", "0:a", "-map", "1:v", "-c:a", "aac", "-c:v", "libx264", "-preset", "ultrafast",
           "-movflags", "+faststart", "-metadata", "title=Fast Start", d / "faststart.mp4")
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
