"""Tempo from onset strength: multi-band autocorrelation, a metrical comb and a perceptual prior.

The onset strength is spectral flux per band. Bands are grouped (bass, low-mid, high-mid, treble)
and each group's envelope is autocorrelated and normalised on its own, so a quiet hi-hat in the
treble counts as much for the pulse as a loud kick in the bass, as it does for a listener; a fifth
autocorrelation, of the loudness-weighted envelope, carries the accents.

A candidate beat period T is scored by the metrical levels a beat implies (after Ellis 2007 and
Percival & Tzanetakis 2014): its own autocorrelation plus a share of the bar's above it (2T, 4T
or 3T, 6T); scaled down when the pulse at half (or a third of) the period is as strong as the
beat itself, since then the faster pulse is the beat; scaled up when the beat divides into two
or three (a tatum at T/2 or T/3 with nothing at T/4 or T/6), as beats do; and weighted by a
log-Gaussian tempo prior around 120 BPM. Nothing is subtracted: a comb that subtracts the energy
between beats reads off-beat hats as the beat, and lands on 2/5 or 4/5 of it where its penalty
teeth fall on negative correlation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TEMPO_MIN, TEMPO_MAX = 40.0, 240.0
PRIOR_BPM = 120.0
PRIOR_FLAT = 0.0
PRIOR_OCTAVES = 0.7  # standard deviation of the log2 tempo prior
BAR_WEIGHT = 0.3
BAND_POWER = 1.0
ACCENT_WEIGHT = 0.5
TATUM_BONUS = 0.0  # off, likewise
HALF_MIN_ON = 0.1
HALF_PENALTY = 0.0  # off: tuned away on the dev half (it cost real music more than it gave grooves)
MARGIN_SCALE = 4.0
ACTIVITY_FLOOR, ACTIVITY_FULL = 0.03, 0.1  # mean accent flux per frame (log10 units)
STRENGTH_FLOOR, STRENGTH_FULL = 0.05, 0.3  # beat autocorrelation: none .. full
N_CANDIDATES = 480  # log-spaced beat periods from TEMPO_MIN to TEMPO_MAX (0.37 % apart)


@dataclass
class Tempo:
    bpm: float
    confidence: float  # 0..1; high means the beat is unambiguous and this octave clearly wins
    clarity: float  # 0..1: how periodic the onsets are at all (autocorrelation peak height)


SPECTRAL_BANDS = 12  # the analysis rate's onset bands; a 13th, when there, is all above it


def band_groups(n_bands: int) -> list[slice]:
    """Four contiguous groups of the spectral onset bands (bass ... treble), and the band above
    the analysis rate on its own when there is one."""
    edges = np.linspace(0, min(n_bands, SPECTRAL_BANDS), 5).round().astype(int)
    groups = [slice(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]
    if n_bands > SPECTRAL_BANDS:
        groups.append(slice(SPECTRAL_BANDS, n_bands))
    return groups


def detrend(envelope: np.ndarray, fps: float) -> np.ndarray:
    """Envelope minus its 1 s moving average, rectified: the accents, not the overall level."""
    n = max(int(fps), 1)
    csum = np.concatenate([[0.0], np.cumsum(envelope)])
    idx = np.arange(len(envelope))
    lo, hi = np.maximum(idx - n // 2, 0), np.minimum(idx + n // 2 + 1, len(envelope))
    return np.maximum(envelope - (csum[hi] - csum[lo]) / (hi - lo), 0)


def autocorrelation(envelope: np.ndarray, max_lag: int) -> np.ndarray:
    """Unbiased autocorrelation of the zero-mean envelope for lags 0 .. max_lag - 1, ac[0] = 1."""
    e = envelope - envelope.mean()
    n = len(e)
    size = 1 << (2 * n - 1).bit_length()
    spec = np.fft.rfft(e, size)
    ac = np.fft.irfft(spec.real**2 + spec.imag**2, size)[: min(max_lag, n)]
    ac *= n / np.maximum(n - np.arange(len(ac)), 1)
    return ac / ac[0] if ac[0] > 0 else np.zeros_like(ac)


def window_autocorrelations(flux: np.ndarray, accent: np.ndarray, fps: float) -> np.ndarray:
    """Rows: the autocorrelation of each band group's detrended flux, then of ``accent``."""
    max_lag = int(8 * 60 * fps / TEMPO_MIN) + 2
    rows = []
    for group in band_groups(flux.shape[1]):
        env = detrend(flux[:, group].sum(axis=1), fps)
        rows.append(autocorrelation(env, max_lag))
    rows.append(autocorrelation(detrend(accent, fps), max_lag))
    length = min(len(r) for r in rows)
    return np.array([r[:length] for r in rows])


def combine(acs: list[np.ndarray], weights: list[float]) -> np.ndarray:
    """The windows' autocorrelation rows, averaged (weighted by window length); an
    anti-correlated lag counts as no evidence either way."""
    length = min(a.shape[1] for a in acs)
    total = sum(w * a[:, :length] for a, w in zip(acs, weights)) / sum(weights)
    return np.maximum(total, 0)


def mix(rows: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
    """One curve from per-row ``values`` (default: the rows themselves): the band rows' power
    mean, blended with the accent row."""
    values = rows if values is None else values
    band = (values[:-1] ** BAND_POWER).mean(axis=0) ** (1 / BAND_POWER)
    return (1 - ACCENT_WEIGHT) * band + ACCENT_WEIGHT * values[-1]


def interp(ac: np.ndarray, lags: np.ndarray) -> np.ndarray:
    lags = np.clip(lags, 0, len(ac) - 1.001)
    i = lags.astype(int)
    frac = lags - i
    return ac[i] * (1 - frac) + ac[i + 1] * frac


def peak(ac: np.ndarray, lags: np.ndarray, width: float = 0.02) -> np.ndarray:
    """The highest autocorrelation within +-``width`` (relative) of each lag: a tolerance for
    tempo drift and humanised timing."""
    steps = np.linspace(1 - width, 1 + width, 5)
    return interp(ac, lags[..., None] * steps).max(axis=-1)


def prior(bpm: np.ndarray) -> np.ndarray:
    """Log-Gaussian preference for tempi near PRIOR_BPM, flat within PRIOR_FLAT octaves of it."""
    distance = np.maximum(np.abs(np.log2(bpm / PRIOR_BPM)) - PRIOR_FLAT, 0)
    return np.exp(-0.5 * (distance / PRIOR_OCTAVES) ** 2)


def salience(rows: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """How well a beat every ``periods`` frames explains the autocorrelation rows, metrically.

    The beat's own periodicity plus a share of the bar's above it (2T and 4T, or 3T and 6T), less
    a share when some band pulses at half (or a third of) the period as strongly as at the period:
    then the faster pulse is the beat, and this one a bar."""
    ac = mix(rows)
    beat = peak(ac, periods)
    duple = (peak(ac, 2 * periods) + peak(ac, 4 * periods)) / 2
    triple = (peak(ac, 3 * periods) + peak(ac, 6 * periods)) / 2
    half = np.maximum(peak(ac, periods / 2), peak(ac, periods / 3))
    ratio = np.clip(half / np.maximum(beat, HALF_MIN_ON), 0, 1)
    tatum = np.zeros(len(periods))
    for row in rows:
        two = peak(row, periods / 2) - np.maximum(peak(row, periods / 4), peak(row, periods * 0.75))
        three = peak(row, periods / 3) - np.maximum(peak(row, periods / 6), peak(row, periods / 2))
        tatum = np.maximum(tatum, np.maximum(two, three))
    base = beat + BAR_WEIGHT * np.maximum(duple, triple)
    return base * (1 - HALF_PENALTY * ratio**2) * (1 + TATUM_BONUS * np.clip(tatum, 0, 1))


def estimate(rows: np.ndarray, fps: float, activity: float = 1.0) -> Tempo | None:
    """The tempo from autocorrelation rows (``combine``) at ``fps`` frames per second.

    ``activity``: the mean accent flux per frame; below ACTIVITY_FULL the confidence falls, to 0
    at ACTIVITY_FLOOR (a held chord's slow beating repeats, but nobody taps to it)."""
    length = rows.shape[1]
    min_bpm = max(TEMPO_MIN, 60 * fps / ((length - 1) / 2))
    if min_bpm >= TEMPO_MAX:
        return None
    ac = mix(rows)
    bpms = np.geomspace(min_bpm, TEMPO_MAX, N_CANDIDATES)
    periods = 60 * fps / bpms
    scores = salience(rows, periods) * prior(bpms)
    best = int(np.argmax(scores))
    bpm = refine(ac, fps, bpms[best])
    lags = np.arange(int(60 * fps / TEMPO_MAX), min(int(60 * fps / TEMPO_MIN) + 1, length))
    clarity = float(np.clip(ac[lags].max(), 0, 1)) if len(lags) else 0.0
    strength = float(peak(ac, np.array([60 * fps / bpm]))[0])
    active = float(np.clip((activity - ACTIVITY_FLOOR) / (ACTIVITY_FULL - ACTIVITY_FLOOR), 0, 1))
    return Tempo(bpm, confidence(bpms, scores, best, strength) * active, clarity)


def refine(ac: np.ndarray, fps: float, bpm: float) -> float:
    """The exact tempo near ``bpm``: the period whose multiples best hit the autocorrelation."""
    fine = bpm * np.linspace(0.97, 1.03, 121)
    periods = 60 * fps / fine
    harmonics = max(1, min(8, int((len(ac) - 1) / periods.max())))
    ks = np.arange(1, harmonics + 1)
    score = interp(ac, periods[:, None] * ks).mean(axis=1)
    return float(fine[int(np.argmax(score))])


def confidence(bpms: np.ndarray, scores: np.ndarray, best: int, strength: float) -> float:
    """How sure the tempo is: the winner's margin over the best candidate that is not the same
    tempo (within 4 %), times how strongly the onsets repeat at the beat at all.

    A related octave (x2, x1/2, x3, x1/3) close behind counts against the margin like any other
    rival: it is exactly the doubt about which octave is meant. Noise and drones have margins by
    chance, but no repetition (``strength``, the beat's autocorrelation, stays near 0)."""
    rival = scores[np.abs(np.log(bpms / bpms[best])) > np.log(1.04)]
    if len(rival) == 0 or scores[best] <= 0:
        return 0.0
    margin = 1 - float(rival.max()) / float(scores[best])
    repetition = np.clip((strength - STRENGTH_FLOOR) / STRENGTH_FULL, 0, 1)
    return float(np.clip(margin * MARGIN_SCALE, 0, 1) * repetition)
