"""The fast container readers (EBML for mkv/webm, MPEG-PS) agree with MediaInfo, and fall back to it."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tuneup.errors import MediaReadError
from tuneup.library.containers import _read_mediainfo, read_container
from tuneup.library.matroska import read_matroska
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


def test_mislabelled_and_truncated_files_fall_back_to_mediainfo(tmp_path):
    fake = tmp_path / "really-webm.mp4"
    shutil.copyfile(FIXTURES / "clip.webm", fake)
    assert read_container(fake)["container"] == "WebM"
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
