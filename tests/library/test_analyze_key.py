"""Key and mode from a harmonic pitch-class profile (issue 15): harmonics and tuning handled."""

from __future__ import annotations

import numpy as np
import pytest
import signals

from tuneup.library.sound import key
from tuneup.library.sound.features import analyse

SR = 22050


@pytest.mark.parametrize("tonic, mode", [(0, "minor"), (4, "major"), (7, "minor"), (10, "major")])
def test_a_band_tuned_40_cents_sharp_is_still_in_its_key(tmp_path, tonic, mode):
    """Samples made at 22,050 Hz declared as 22,050 * 2^(0.4/12): every note 40 cents sharp,
    between two pitch classes of an equal-tempered grid at A = 440 Hz."""
    audio = signals.chord_progression(tonic, mode, "saw", 12.0, SR, seed=tonic)
    sharp = int(round(SR * 2 ** (0.4 / 12)))
    path = signals.write(tmp_path / "sharp.flac", audio, sharp)
    data, _ = analyse(str(path))
    assert (data["key"], data["mode"]) == (signals.PITCH_NAMES[tonic], mode)


def test_rich_harmonics_do_not_move_the_tonic_to_the_fifth():
    """Peaks of a C major triad in a bright timbre (10 harmonics each): the 3rd harmonics fall on
    G, D and B, yet the profile's strongest class is still C."""
    peaks = []
    for midi in (48, 52, 55):  # C3 E3 G3
        for h in range(1, 11):
            pitch = midi + 12 * np.log2(h)
            peaks.append((0.0, pitch, 1.0 / h))
    profile = key.hpcp(np.array(peaks), 0.0)
    assert int(np.argmax(profile)) == 0
    assert profile[0] > profile[7]


def test_tuning_is_read_from_the_peaks():
    pitches = np.array([57.3, 64.3, 69.3, 72.3, 76.3])
    peaks = np.stack([np.zeros(5), pitches, np.ones(5)], axis=1)
    assert key.tuning([peaks]) == pytest.approx(0.3, abs=1e-6)
