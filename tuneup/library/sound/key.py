"""Key and mode: a harmonic pitch-class profile (after Gómez 2006, HPCP) matched to key profiles.

A chroma from the plain magnitude spectrum puts each note's 3rd harmonic on its fifth and its 5th
on its major third, so the tonic drifts a fifth up and minor reads as major. Here only spectral
peaks count (parabolically interpolated on the log magnitude), each peak also counts for the
notes it may be the 2nd, 3rd or 4th harmonic of (weights 0.6^(h-1)), the tuning is estimated
from the peaks (the circular mean of their deviation from equal temperament, so a band tuned to
435 Hz is not smeared over two pitch classes), and every frame is normalised to its strongest
class before frames are summed, so a loud chord does not outvote the rest of the track.
"""

from __future__ import annotations

import numpy as np

PITCH_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")

# Krumhansl-Kessler probe-tone profiles (major, minor), tonic first.
KEY_PROFILES = (
    np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88]),
    np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]),
)
MIN_HZ, MAX_HZ = 60.0, 5000.0
HARMONICS = 4
HARMONIC_DECAY = 0.6
PEAK_FLOOR = 0.01  # peaks below 1 % of the frame's strongest (-40 dB) are left out
MINOR_BIAS = 0.02  # added to minor keys' correlation (tuned on the dev half of the real library)


def spectral_peaks(power: np.ndarray, sr: int, n_fft: int) -> np.ndarray:
    """Rows (frame, pitch in MIDI numbers, amplitude) of the local maxima of each frame's
    magnitude spectrum between MIN_HZ and MAX_HZ, above PEAK_FLOOR of the frame's strongest."""
    mag = np.sqrt(power, dtype=np.float32)
    lo = max(int(MIN_HZ * n_fft / sr), 1)
    hi = min(int(MAX_HZ * n_fft / sr), mag.shape[1] - 2, int((sr / 2 - 100) * n_fft / sr))
    if hi <= lo:
        return np.zeros((0, 3))
    mid = mag[:, lo:hi]
    is_peak = (mid > mag[:, lo - 1 : hi - 1]) & (mid >= mag[:, lo + 1 : hi + 1])
    is_peak &= mid > PEAK_FLOOR * mag.max(axis=1, keepdims=True)
    frame, col = np.nonzero(is_peak)
    if len(frame) == 0:
        return np.zeros((0, 3))
    b = col + lo
    left, centre, right = (np.log(mag[frame, b + k].astype(np.float64) + 1e-12) for k in (-1, 0, 1))
    curve = left - 2 * centre + right
    shift = np.where(curve < -1e-12, 0.5 * (left - right) / np.where(curve < -1e-12, curve, -1), 0)
    shift = np.clip(shift, -0.5, 0.5)
    amp = np.exp(centre - 0.25 * (left - right) * shift)
    pitch = 69 + 12 * np.log2((b + shift) * sr / n_fft / 440.0)
    return np.stack([frame.astype(np.float64), pitch, amp], axis=1)


def tuning(peaks: list[np.ndarray]) -> float:
    """The deviation of the peaks from equal temperament (semitones, -0.5 .. 0.5), energy weighted."""
    rows = [p for p in peaks if len(p)]
    if not rows:
        return 0.0
    allp = np.concatenate(rows)
    phase = np.sum(allp[:, 2] ** 2 * np.exp(2j * np.pi * allp[:, 1]))
    return float(np.angle(phase) / (2 * np.pi)) if abs(phase) > 0 else 0.0


def hpcp(peaks: np.ndarray, deviation: float) -> np.ndarray:
    """The sum over frames of each frame's harmonic pitch-class profile, normalised to its max."""
    if len(peaks) == 0:
        return np.zeros(12)
    frame = peaks[:, 0].astype(int)
    energy = peaks[:, 2] ** 2
    n_frames = int(frame.max()) + 1
    profile = np.zeros((n_frames, 12))
    for h in range(1, HARMONICS + 1):
        pitch = peaks[:, 1] - deviation - 12 * np.log2(h)
        nearest = np.round(pitch)
        weight = np.cos(np.pi * (pitch - nearest)) ** 2 * HARMONIC_DECAY ** (h - 1)
        np.add.at(profile, (frame, nearest.astype(int) % 12), energy * weight)
    top = profile.max(axis=1, keepdims=True)
    return (profile / np.where(top > 0, top, 1)).sum(axis=0)


def key_scores(chroma: np.ndarray) -> np.ndarray:
    """Pearson correlation of ``chroma`` with the 12 major then 12 minor rotated profiles."""
    c = (chroma - chroma.mean()) / (chroma.std() + 1e-12)
    out = np.empty(24)
    for m, profile in enumerate(KEY_PROFILES):
        p = (profile - profile.mean()) / profile.std()
        for tonic in range(12):
            out[m * 12 + tonic] = float(c @ np.roll(p, tonic)) / 12
    return out


def estimate_key(chroma: np.ndarray) -> tuple[str | None, str | None, float, float]:
    """(key, mode, strength, confidence): the best of 24 rotated profiles by Pearson correlation
    (minor keys get MINOR_BIAS). strength is that correlation; confidence its margin over the
    best other key."""
    if not np.any(chroma > 0) or np.allclose(chroma, chroma[0]):
        return None, None, 0.0, 0.0
    raw = key_scores(chroma)
    scores = raw + np.r_[np.zeros(12), np.full(12, MINOR_BIAS)]
    order = np.argsort(scores)[::-1]
    best = int(order[0])
    mode = "major" if best < 12 else "minor"
    margin = float(scores[best] - scores[order[1]])
    return PITCH_NAMES[best % 12], mode, float(raw[best]), margin
