"""Known-answer accuracy: generated drums with a known tempo, chords in a known key, tones of known level."""

from __future__ import annotations

import math

import numpy as np
import pytest
import signals

from tuneup.library.sound import decode as audio
from tuneup.library.sound import features
from tuneup.library.sound.features import analyse


@pytest.fixture(scope="module")
def tempo_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tempo")
    return signals.tempo_set(folder, seconds=15.0, bpms=range(60, 181, 15), fmt="flac")


@pytest.fixture(scope="module")
def key_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    return signals.key_set(folder, seconds=8.0, fmt="ogg")


def test_tempo_within_two_percent_for_straight_and_swung_drums(tempo_files):
    """At the ends of the range (60 BPM with a hat on every eighth; 165-180 BPM, which the
    estimator, tuned on real music, reads at half time) the beat and its double or half are both
    what a listener may tap: at most four such octave readings, nothing else."""
    misses, other = [], []
    for path, bpm in tempo_files:
        measured = analyse(str(path))[0]["tempo_bpm"]
        if measured is None or abs(measured / bpm - 1) > 0.02:
            misses.append((path.name, measured))
            if not measured or min(abs(measured / bpm / r - 1) for r in (0.5, 2.0)) > 0.02:
                other.append((path.name, measured))
    assert len(misses) <= 4 and not other, misses


def test_key_and_mode_in_all_24_keys(key_files):
    misses = []
    for path, key, mode in key_files:
        data = analyse(str(path))[0]
        if (data["key"], data["mode"]) != (key, mode):
            misses.append((path.name, data["key"], data["mode"]))
    assert len(misses) <= 0.2 * len(key_files), misses


def test_key_confidence_is_higher_for_chords_than_for_drums(key_files, tempo_files):
    chord = analyse(str(key_files[0][0]))[0]
    drums = analyse(str(tempo_files[0][0]))[0]
    assert chord["key_strength"] > 0.6
    assert chord["key_strength"] > drums["key_strength"]


def test_drums_have_a_clear_pulse_and_chords_do_not(key_files, tempo_files):
    drums = analyse(str(tempo_files[4][0]))[0]
    chord = analyse(str(key_files[1][0]))[0]
    assert drums["pulse_clarity"] > 0.5 and drums["tempo_confidence"] > 0.3
    assert drums["danceability"] > chord["danceability"]
    assert 2.0 < drums["onset_rate"] < 8.0  # beats plus off-beat hats at 90 BPM: 3 events/s


@pytest.mark.parametrize("channels, expected", [(1, -23.01), (2, -20.0)])
def test_integrated_loudness_of_a_997_hz_tone(tmp_path, channels, expected):
    # BS.1770: a 997 Hz sine at amplitude 0.1 reads -23.01 LUFS in one channel, 3 dB more in two.
    tone = signals.tone(997.0, 0.1, 6.0, 48000)
    path = signals.write(
        tmp_path / "tone.wav",
        signals.multichannel(tone, channels) if channels > 1 else tone,
        48000,
        "FLOAT",
    )
    data = analyse(str(path))[0]
    assert data["loudness_lufs"] == pytest.approx(expected, abs=0.3)
    assert data["loudness_range_lu"] < 0.5


def test_k_weighting_matches_the_standard_response():
    # The K filter is about +0.69 dB at 1 kHz, about +4 dB high up, and cuts deep lows.
    gain_db = 10 * np.log10(features.k_weighting_power(np.array([20.0, 1000.0, 10000.0])))
    assert gain_db[1] == pytest.approx(0.69, abs=0.1)
    assert gain_db[2] == pytest.approx(4.0, abs=0.5)
    assert gain_db[0] < -10


def test_loudness_range_sees_a_quiet_and_a_loud_half(tmp_path):
    quiet = signals.tone(440.0, 0.02, 10.0, 44100)
    loud = signals.tone(440.0, 0.2, 10.0, 44100)
    path = signals.write(tmp_path / "steps.flac", np.concatenate([quiet, loud]), 44100)
    data = analyse(str(path))[0]
    assert data["loudness_range_lu"] == pytest.approx(20.0, abs=2.5)


def test_spectral_features_of_a_tone_and_of_noise(tmp_path):
    sr = 44100
    tone = signals.tone(1000.0, 0.3, 5.0, sr)
    noise = (0.1 * np.random.default_rng(0).standard_normal(5 * sr)).astype(np.float32)
    t = analyse(str(signals.write(tmp_path / "tone.flac", tone, sr)))[0]
    n = analyse(str(signals.write(tmp_path / "noise.flac", noise, sr, "PCM_24")))[0]
    assert t["spectral_centroid_hz"] == pytest.approx(1000, rel=0.05)
    assert t["zcr_per_s"] == pytest.approx(2000, rel=0.02)
    assert t["spectral_flatness"] < 0.01 < 0.5 < n["spectral_flatness"]
    nyquist = audio.analysis_rate(sr)[0] / 2
    assert n["spectral_centroid_hz"] == pytest.approx(nyquist / 2, rel=0.15)
    # 85 % of white noise's power lies below 0.85 x Nyquist, a little less after the decimation filter.
    assert 0.7 * nyquist < n["spectral_rolloff_hz"] <= 0.85 * nyquist
    assert n["acousticness"] < t["acousticness"]


def test_vector_is_finite_float32_with_a_name_per_component(tempo_files):
    data, vec = analyse(str(tempo_files[0][0]))
    assert vec.dtype == np.float32 and vec.shape == (len(features.VECTOR_NAMES),)
    assert np.all(np.isfinite(vec)) and np.all(np.abs(vec) <= 4)
    assert data["tempo_bpm"] and math.isfinite(data["loudness_lufs"])
