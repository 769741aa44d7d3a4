"""Awkward input: every file gets features or a recorded reason, and memory stays bounded."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import signals

from tuneup.library.sound import decode as audio
from tuneup.library.sound.analyze import Task, analyse_task
from tuneup.library.sound.features import VECTOR_NAMES

BPM = 120.0


def _drums(sr: int, seconds: float = 12.0) -> np.ndarray:
    return signals.drum_pattern(BPM, seconds, sr, seed=7)


def _result(path, duration=None):
    return analyse_task(Task(1, bytes(str(path), "utf-8"), duration))


def _assert_tempo(result):
    assert result.status == "ok", result.reason
    assert result.data["tempo_bpm"] == pytest.approx(BPM, rel=0.02)


@pytest.mark.parametrize("sr", [8000, 11025, 16000, 22050, 44100, 48000, 96000, 192000])
def test_sample_rates_from_8_to_192_khz(tmp_path, sr):
    result = _result(signals.write(tmp_path / f"d{sr}.wav", _drums(sr, 8.0), sr))
    _assert_tempo(result)
    assert 8000 <= result.data["analysis_sample_rate"] <= 16000
    assert result.data["source_sample_rate"] == sr


@pytest.mark.parametrize(
    "fmt, subtype",
    [
        ("wav", "PCM_U8"),
        ("wav", "PCM_16"),
        ("wav", "PCM_24"),
        ("wav", "PCM_32"),
        ("wav", "FLOAT"),
        ("wav", "DOUBLE"),
        ("flac", "PCM_24"),
        ("aiff", "PCM_16"),
        ("ogg", "VORBIS"),
        ("opus", "OPUS"),
        ("mp3", "MPEG_LAYER_III"),
    ],
)
def test_sample_formats_and_codecs(tmp_path, fmt, subtype):
    sr = 48000 if fmt == "opus" else 44100
    fmt_name = {"opus": "OGG"}.get(fmt)
    _assert_tempo(_result(signals.write(tmp_path / f"d.{fmt}", _drums(sr), sr, subtype, fmt_name)))


@pytest.mark.parametrize("channels", [1, 2, 6])
def test_mono_stereo_and_5_1_give_the_same_answers(tmp_path, channels):
    sr = 48000
    mono = _drums(sr)
    data = signals.multichannel(mono, channels) if channels > 1 else mono
    if channels == 6:
        data[:, 3] = 0.0  # LFE silent, as BS.1770 leaves it out
    result = _result(signals.write(tmp_path / f"c{channels}.wav", data, sr, "PCM_16"))
    _assert_tempo(result)
    reference = _result(signals.write(tmp_path / "ref.wav", mono, sr, "PCM_16")).data[
        "loudness_lufs"
    ]
    # Identical channels: BS.1770 sums their power (surrounds weighted 1.41).
    gain = {1: 1.0, 2: 2.0, 6: 3 + 2 * 1.41}[channels]
    assert result.data["loudness_lufs"] == pytest.approx(reference + 10 * np.log10(gain), abs=0.3)
    assert result.data["channels"] == channels


def test_silent_file_is_recorded_as_no_signal(tmp_path):
    result = _result(signals.silent(tmp_path / "silence.flac"))
    assert result.status == "no_signal" and "silent" in result.reason


def test_under_two_seconds_still_gets_features(tmp_path):
    result = _result(signals.write(tmp_path / "short.wav", _drums(22050, 1.5), 22050))
    assert result.status == "ok", result.reason
    assert result.data["analysed_s"] == pytest.approx(1.5, abs=0.01)
    assert np.isfinite(result.data["loudness_lufs"])
    assert len(result.vector) == 4 * len(VECTOR_NAMES)


def test_a_tiny_file_is_too_short(tmp_path):
    result = _result(signals.write(tmp_path / "blip.wav", _drums(22050, 0.2), 22050))
    assert result.status == "no_signal" and "too short" in result.reason


def test_corrupt_file_gets_a_reason(tmp_path):
    result = _result(signals.corrupt(tmp_path / "noise.mp3"))
    assert result.status == "no_signal" and result.reason


@pytest.mark.parametrize("fmt", ["flac", "ogg", "mp3", "wav"])
def test_truncated_files_get_features_or_a_reason(tmp_path, fmt):
    whole = signals.write(tmp_path / f"whole.{fmt}", _drums(44100, 20.0), 44100)
    result = _result(signals.truncated(whole, tmp_path / f"cut.{fmt}", keep=0.4))
    if result.status == "ok":
        assert result.data["analysed_s"] <= 20.0
    else:
        assert result.reason


def test_missing_file_gets_a_reason(tmp_path):
    result = _result(tmp_path / "gone.flac")
    assert result.status == "no_signal" and result.reason == "file not found"


def test_long_track_reads_three_windows(tmp_path):
    sr = 22050
    path = signals.write(tmp_path / "long.flac", _drums(sr, 200.0), sr)
    result = _result(path)
    _assert_tempo(result)
    assert result.data["analysed_s"] == pytest.approx(3 * audio.WINDOW_S, abs=0.1)
    assert result.data["duration_s"] == pytest.approx(200.0, abs=0.1)
    assert audio.window_spans(200.0) == [(35.0, 30.0), (85.0, 30.0), (135.0, 30.0)]


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_formats_soundfile_cannot_read_go_through_ffmpeg(tmp_path):
    wav = signals.write(tmp_path / "src.wav", _drums(44100), 44100, "PCM_16")
    m4a = tmp_path / "song.m4a"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(wav), "-c:a", "aac", "-b:a", "128k", str(m4a)],
        check=True,
    )
    result = _result(m4a)
    _assert_tempo(result)
    assert result.data["decoder"] == "ffmpeg"
    with pytest.raises(audio.NoSignal, match="ffmpeg is not on the PATH"):
        audio.decode(str(m4a), ffmpeg=None)


def test_two_hour_file_is_analysed_in_bounded_memory(tmp_path):
    path = signals.long_wav(tmp_path / "long.wav", seconds=2 * 3600 + 60, sr=8000, bpm=BPM)
    assert path.stat().st_size > 50_000_000
    script = textwrap.dedent(f"""
        import json
        from tuneup.library.sound.analyze import Task, analyse_task
        r = analyse_task(Task(1, {str(path)!r}.encode(), None))
        # VmHWM: this process's peak resident memory (ru_maxrss would include the parent's at fork).
        status = open("/proc/self/status").read().split("VmHWM:")[1]
        rss_mb = int(status.split()[0]) / 1024
        print(json.dumps({{"status": r.status, "reason": r.reason, "data": r.data, "rss_mb": rss_mb}}))
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    out = __import__("json").loads(proc.stdout)
    assert out["status"] == "ok", out["reason"]
    assert out["data"]["duration_s"] > 7200
    assert out["data"]["analysed_s"] == pytest.approx(90.0, abs=0.5)
    assert out["data"]["tempo_bpm"] == pytest.approx(BPM, rel=0.02)
    # The whole file as float32 would be 230 MB; an excerpt-bounded decoder needs a fraction of that.
    assert out["rss_mb"] < 150, out["rss_mb"]


def test_a_corrupt_file_is_undecodable_but_a_missing_tool_is_not(tmp_path, monkeypatch):
    """Undecodable keeps a track out of every mix, so only the file's own fault may set it."""
    corrupt = _result(signals.corrupt(tmp_path / "noise.mp3"))
    assert corrupt.status == "no_signal" and corrupt.undecodable, corrupt.reason
    m4a = tmp_path / "drums.m4a"  # soundfile cannot read AAC: ffprobe and ffmpeg are needed
    wav = signals.write(tmp_path / "drums.wav", _drums(22050), 22050)
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), "-c:a", "aac", str(m4a)], check=True)
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "ffmpeg").symlink_to(shutil.which("ffmpeg"))  # ffmpeg there, ffprobe not
    monkeypatch.setenv("PATH", str(tools))
    result = _result(m4a)
    assert result.status == "no_signal" and not result.undecodable, result.reason
    assert "ffprobe" in result.reason
