"""Signal features from decoded excerpts, numpy only. Every feature is documented in the README.

One short-time Fourier transform (Hann, 512-point below 16 kHz, 1024 above, 43-62 frames/s) feeds loudness,
spectral shape and the onset envelope; a long one (4096-point) feeds chroma for the key.
"""

from __future__ import annotations

import math

import numpy as np

from tuneup.library.sound import tempo
from tuneup.library.sound.decode import Excerpts, NoSignal
from tuneup.library.sound.key import (  # noqa: F401 - re-exported for the benchmarks
    KEY_PROFILES,
    PITCH_NAMES,
    estimate_key,
    hpcp,
    key_scores,
    spectral_peaks,
    tuning,
)

FEATURE_VERSION = 4

N_FFT = 512
CHROMA_N_FFT = 4096
ROLLOFF = 0.85
TEMPO_FLOOR = 3e-4  # for the tempo, band energies are floored 35 dB below the loudest: quiet ticks do not lead
ONSET_FLOOR = 1e-6  # for counting onsets, 60 dB: a quiet hi-hat is still an onset
SILENCE_LUFS = -70.0


# Octave bands for the spectral-shape part of the vector (Hz).
BAND_EDGES = (43, 86, 172, 344, 689, 1378, 2756, 5512)

# (name, centre, scale): vector[i] = clip((value - centre) / scale, -4, 4). Fixed constants, so a
# vector never depends on the rest of the library and stays comparable across runs.
VECTOR_SPEC = (
    (
        ("tempo_log2", 0.0, 0.5),  # log2(tempo / 120)
        ("tempo_confidence", 0.3, 0.25),
        ("pulse_clarity", 0.4, 0.25),
        ("onset_rate", 3.0, 2.0),
        ("loudness_lufs", -14.0, 6.0),
        ("loudness_range_lu", 7.0, 5.0),
        ("centroid_log2", 0.0, 0.7),  # log2(centroid / 1200 Hz)
        ("rolloff_log2", 0.0, 0.7),  # log2(rolloff / 2500 Hz)
        ("flatness", 0.1, 0.1),
        ("zcr_log2", 0.0, 1.0),  # log2(zcr / 1000 per s)
        ("key_fifths_x", 0.0, 0.5),
        ("key_fifths_y", 0.0, 0.5),
        ("mode", 0.0, 0.5),
        ("energy", 0.5, 0.25),
        ("danceability", 0.5, 0.25),
        ("acousticness", 0.5, 0.25),
    )
    + tuple((f"band_{lo}_{hi}", -12.0, 8.0) for lo, hi in zip(BAND_EDGES[:-1], BAND_EDGES[1:]))
)
VECTOR_NAMES = tuple(name for name, _, _ in VECTOR_SPEC)

# K-weighting (ITU-R BS.1770-4) biquads as specified at 48 kHz: high shelf, then RLB high-pass.
_K_STAGES = (
    (
        (1.53512485958697, -2.69169618940638, 1.19839281085285),
        (1.0, -1.69065929318241, 0.73248077421585),
    ),
    ((1.0, -2.0, 1.0), (1.0, -1.99004745483398, 0.99007225036621)),
)


def k_weighting_power(freqs: np.ndarray) -> np.ndarray:
    """|H(f)|^2 of the BS.1770 K-weighting filter at ``freqs`` (Hz)."""
    z = np.exp(-1j * 2 * np.pi * np.asarray(freqs, dtype=np.float64) / 48000.0)
    gain = np.ones(len(z))
    for b, a in _K_STAGES:
        num = b[0] + b[1] * z + b[2] * z * z
        den = a[0] + a[1] * z + a[2] * z * z
        gain *= np.abs(num / den) ** 2
    return gain


def frames(x: np.ndarray, n: int, hop: int) -> np.ndarray:
    """Strided (no-copy) view of ``x`` as frames of ``n`` samples every ``hop``."""
    if len(x) < n:
        x = np.concatenate([x, np.zeros(n - len(x), x.dtype)])
    return np.lib.stride_tricks.sliding_window_view(x, n)[::hop]


def power_spectrogram(x: np.ndarray, n: int, hop: int, chunk: int = 512) -> np.ndarray:
    """|rfft|^2 of Hann-windowed frames (frames x bins, float32), in cache-sized chunks."""
    fr = frames(x, n, hop)
    window = np.hanning(n).astype(np.float32)
    out = np.empty((len(fr), n // 2 + 1), np.float32)
    for i in range(0, len(fr), chunk):
        spec = np.fft.rfft(fr[i : i + chunk] * window, axis=1)
        out[i : i + chunk] = spec.real**2 + spec.imag**2
    return out


def _weighted_sum(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """matrix @ weights without BLAS: its threads only get in the way of worker processes."""
    return np.einsum("ij,j->i", matrix, weights.astype(matrix.dtype, copy=False))


def _band_sums(power: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Sum of ``power`` over each band of bins [edges[k], edges[k + 1])."""
    return np.add.reduceat(power[:, : edges[-1]], edges[:-1], axis=1)


class _Plan:
    """Per-rate constants: bin frequencies, K-weighting and band maps."""

    def __init__(self, sr: int):
        self.sr = sr
        self.n_fft = N_FFT if sr < 16000 else 2 * N_FFT
        self.hop = 256 if sr >= 11025 else 128  # an onset envelope at 43-62 frames per second
        self.fps = sr / self.hop
        self.freqs = np.fft.rfftfreq(self.n_fft, 1 / sr)
        window = np.hanning(self.n_fft)
        # Mean square of a frame from its one-sided power spectrum (Parseval, window-normalised).
        weight = np.full(len(self.freqs), 2.0)
        weight[0] = weight[-1] = 1.0
        norm = self.n_fft * float(window @ window)
        self.ms_weights = (weight / norm).astype(np.float32)
        self.k_weights = (weight * k_weighting_power(self.freqs) / norm).astype(np.float32)
        # Above the analysis band K-weighting is a flat +4 dB shelf: one gain for all of it.
        self.k_above = float(k_weighting_power(np.array([0.75 * sr]))[0])
        self.power_per_ms = norm / 2  # band sums of |X|^2 per unit of mean square
        self.onset_edges = self._bin_edges(np.geomspace(60, min(sr / 2, 8000), 13))
        self.shape_edges = self._bin_edges(np.array(BAND_EDGES, dtype=float))

    def _bin_edges(self, edges: np.ndarray) -> np.ndarray:
        """Bin index of each band edge, strictly increasing (every band gets at least one bin)."""
        idx = np.searchsorted(self.freqs, edges)
        for k in range(1, len(idx)):
            idx[k] = max(idx[k], idx[k - 1] + 1)
        return np.minimum(idx, len(self.freqs) - len(idx) + np.arange(len(idx)) + 1)


_PLANS: dict[int, _Plan] = {}


def _plan(sr: int) -> _Plan:
    if sr not in _PLANS:
        _PLANS[sr] = _Plan(sr)
    return _PLANS[sr]


def compute(ex: Excerpts) -> dict:
    """Every named feature of the excerpts (see the README); raises NoSignal for silence."""
    plan = _plan(ex.sr)
    acc = _Accumulator()
    ratios = ex.channel_power_ratio or [1.0] * len(ex.windows)
    removed = ex.removed_power or [None] * len(ex.windows)
    for x, ratio, above in zip(ex.windows, ratios, removed):
        _analyse_window(plan, x, ratio, above, acc)
    loud = integrated_loudness(acc.blocks)
    if loud is None or loud < SILENCE_LUFS:
        raise NoSignal("silent (no 400 ms block above -70 LUFS)")
    seconds = ex.seconds
    activity = acc.accent_sum / max(sum(acc.autocorr_weights), 1)
    beat = estimate_tempo(acc.autocorr, acc.autocorr_weights, plan.fps, activity)
    deviation = tuning(acc.peaks)
    key = estimate_key(sum(hpcp(p, deviation) for p in acc.peaks))
    spec = acc.spectral_means()
    data = {
        "duration_s": _round(ex.duration, 2),
        "analysed_s": round(seconds, 2),
        "decoder": ex.decoder,
        "source_sample_rate": ex.source_sr,
        "analysis_sample_rate": ex.sr,
        "channels": ex.channels,
        "tempo_bpm": _round(beat and beat.bpm, 2),
        "tempo_confidence": round(beat.confidence, 3) if beat else 0.0,
        "pulse_clarity": round(beat.clarity, 3) if beat else 0.0,
        "onset_rate": round(acc.onsets / seconds, 3),
        "loudness_lufs": round(loud, 2),
        "loudness_range_lu": round(loudness_range(acc.short_term), 2),
        "rms_dbfs": round(10 * math.log10(max(acc.ms_sum / max(acc.ms_n, 1), 1e-12)), 2),
        "spectral_centroid_hz": round(spec["centroid"], 1),
        "spectral_rolloff_hz": round(spec["rolloff"], 1),
        "spectral_flatness": round(spec["flatness"], 4),
        "zcr_per_s": round(acc.crossings / seconds, 1),
        "key": key[0],
        "mode": key[1],
        "key_strength": round(key[2], 3),
        "key_confidence": round(key[3], 3),
        "band_db": [round(v, 2) for v in spec["bands"]],
    }
    data.update(derived_axes(data))
    return data


def _round(value, digits):
    return None if value is None else round(float(value), digits)


class _Accumulator:
    """Sums over all windows of an item."""

    def __init__(self):
        self.blocks: list[np.ndarray] = []  # 400 ms block mean squares (K-weighted, channel sum)
        self.short_term: list[np.ndarray] = []  # 3 s block mean squares
        self.autocorr: list[np.ndarray] = []  # per window: tempo.window_autocorrelations
        self.autocorr_weights: list[int] = []
        self.accent_sum = 0.0  # the accent envelope summed over the windows' frames
        self.peaks: list[np.ndarray] = []  # per window: key.spectral_peaks rows
        self.onsets = 0
        self.crossings = 0
        self.ms_sum = 0.0
        self.ms_n = 0
        self.centroid = self.rolloff = self.flatness = self.weight = 0.0
        self.bands = np.zeros(len(BAND_EDGES) - 1)

    def spectral_means(self) -> dict:
        w = max(self.weight, 1e-12)
        total = max(self.bands.sum(), 1e-20)
        bands = 10 * np.log10(np.maximum(self.bands / total, 1e-10))
        return {
            "centroid": self.centroid / w,
            "rolloff": self.rolloff / w,
            "flatness": self.flatness / w,
            "bands": bands.tolist(),
        }


def _analyse_window(
    plan: _Plan, x: np.ndarray, ratio: float, above: np.ndarray | None, acc: _Accumulator
) -> None:
    """``above``: per sample, the power above the analysis band that decimation removed."""
    power = power_spectrogram(x, plan.n_fft, plan.hop)
    frame_ms = _weighted_sum(power, plan.ms_weights)
    above_ms = frame_means(above, plan.n_fft, plan.hop, len(frame_ms))
    acc.ms_sum += float(frame_ms.sum() + above_ms.sum())
    acc.ms_n += len(frame_ms)
    k_ms = (_weighted_sum(power, plan.k_weights) + plan.k_above * above_ms).astype(np.float64)
    k_ms *= ratio
    acc.blocks.append(_block_means(k_ms, plan.fps, 0.4, 0.1))
    acc.short_term.append(_block_means(k_ms, plan.fps, 3.0, 0.5))
    _spectral_shape(plan, power, frame_ms, acc)
    bands = _band_sums(power, plan.onset_edges)
    acc.onsets += count_onsets(onset_envelope(bands, ONSET_FLOOR), plan.fps)
    if len(bands) > 2 * plan.fps * 60 / tempo.TEMPO_MAX:
        if above is not None:  # the band above the analysis rate, in the same units
            bands = np.concatenate([bands, (above_ms * plan.power_per_ms)[:, None]], axis=1)
        flux, accent = tempo_inputs(bands)
        acc.autocorr.append(tempo.window_autocorrelations(flux, accent, plan.fps))
        acc.accent_sum += float(accent.sum())
        acc.autocorr_weights.append(len(bands))
    acc.crossings += int(np.count_nonzero(np.signbit(x[1:]) != np.signbit(x[:-1])))
    acc.peaks.append(chroma_peaks(plan, x))


def frame_means(values: np.ndarray | None, n: int, hop: int, count: int) -> np.ndarray:
    """Means of ``values`` over the ``count`` frames of ``n`` samples every ``hop`` (zeros if None)."""
    if values is None:
        return np.zeros(count, np.float32)
    csum = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    starts = np.arange(count) * hop
    ends = np.minimum(starts + n, len(values))
    means = (csum[ends] - csum[np.minimum(starts, ends)]) / n
    return np.maximum(means, 0).astype(np.float32)


def _block_means(values: np.ndarray, fps: float, length_s: float, hop_s: float) -> np.ndarray:
    """Means of ``values`` (one per frame) over blocks of ``length_s`` every ``hop_s`` seconds."""
    n = max(int(round(length_s * fps)), 1)
    if len(values) < n:
        return np.zeros(0)
    step = max(int(round(hop_s * fps)), 1)
    csum = np.concatenate([[0.0], np.cumsum(values)])
    starts = np.arange(0, len(values) - n + 1, step)
    return (csum[starts + n] - csum[starts]) / n


def integrated_loudness(blocks: list[np.ndarray]) -> float | None:
    """BS.1770 gated integrated loudness (LUFS) of 400 ms block mean squares."""
    z = np.concatenate(blocks) if blocks else np.zeros(0)
    z = z[z > 0]
    if len(z) == 0:
        return None
    loud = -0.691 + 10 * np.log10(z)
    z = z[loud > SILENCE_LUFS]
    if len(z) == 0:
        return -200.0
    relative = -0.691 + 10 * math.log10(z.mean()) - 10.0
    z = z[-0.691 + 10 * np.log10(z) > relative]
    return -0.691 + 10 * math.log10(z.mean())


def loudness_range(short_term: list[np.ndarray]) -> float:
    """EBU Tech 3342 loudness range (LU): 95th minus 10th percentile of gated 3 s loudness."""
    z = np.concatenate(short_term) if short_term else np.zeros(0)
    z = z[z > 0]
    if len(z) < 2:
        return 0.0
    loud = -0.691 + 10 * np.log10(z)
    loud = loud[loud > SILENCE_LUFS]
    if len(loud) < 2:
        return 0.0
    relative = -0.691 + 10 * math.log10(np.mean(10 ** ((loud + 0.691) / 10))) - 20.0
    loud = loud[loud > relative]
    return float(np.percentile(loud, 95) - np.percentile(loud, 10)) if len(loud) > 1 else 0.0


def _spectral_shape(
    plan: _Plan, power: np.ndarray, frame_ms: np.ndarray, acc: _Accumulator
) -> None:
    """Centroid, rolloff and flatness over audible frames (every 2nd frame is plenty for a mean)."""
    p = power[::2, 1:]
    ms = frame_ms[::2]
    audible = ms > ms.max() * 1e-6 if len(ms) else ms
    p = p[audible]
    if len(p) == 0:
        return
    freqs = plan.freqs[1:].astype(np.float32)
    total = p.sum(axis=1) + 1e-20
    centroid = _weighted_sum(p, freqs) / total
    cum = np.cumsum(p, axis=1)
    rolloff = freqs[np.minimum((cum < ROLLOFF * total[:, None]).sum(axis=1), len(freqs) - 1)]
    flatness = np.exp(np.log(p + 1e-12).mean(axis=1)) / (total / p.shape[1])
    n = len(p)
    acc.centroid += float(centroid.sum())
    acc.rolloff += float(rolloff.sum())
    acc.flatness += float(flatness.sum())
    acc.weight += n
    acc.bands += _band_sums(power.sum(axis=0, keepdims=True), plan.shape_edges)[0]


def band_flux(bands: np.ndarray, floor_ratio: float) -> np.ndarray:
    """Spectral flux of log10 band energy (floored ``floor_ratio`` below the loudest), half-wave
    rectified: frames x bands, the first frame zero."""
    floor = max(float(bands.max()), 1e-20) * floor_ratio
    logb = np.log10(bands + floor)
    flux = np.maximum(np.diff(logb, axis=0), 0)
    return np.concatenate([np.zeros((1, bands.shape[1]), flux.dtype), flux])


def tempo_inputs(bands: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(band flux, accent envelope) for the tempo: each band's flux with its own floor, so a
    quiet band's onsets are as clear as a loud one's; the accent weighted by loudness."""
    floor = np.maximum(bands.max(axis=0), 1e-20) * TEMPO_FLOOR
    flux = np.maximum(np.diff(np.log10(bands + floor), axis=0), 0)
    flux = np.concatenate([np.zeros((1, bands.shape[1]), flux.dtype), flux])
    return flux.astype(np.float64), onset_envelope(bands, TEMPO_FLOOR, weighted=True)


def onset_envelope(bands: np.ndarray, floor_ratio: float, weighted: bool = False) -> np.ndarray:
    """The band flux summed over bands.

    ``weighted``: each band's flux counts in proportion to the square root of the band's mean
    energy relative to the strongest band, so an accent's weight follows how loud it is.
    """
    flux = band_flux(bands, floor_ratio)
    if weighted:
        level = bands.mean(axis=0)
        flux = flux * np.sqrt(level / max(float(level.max()), 1e-20))
    return flux.sum(axis=1).astype(np.float64)


def count_onsets(envelope: np.ndarray, fps: float) -> int:
    """Peaks of the detrended envelope at least 50 ms apart, above 1.0 (a 10 dB rise summed over
    bands) and above a tenth of the strongest."""
    e = tempo.detrend(envelope, fps)
    if len(e) < 3:
        return 0
    peaks = np.flatnonzero((e[1:-1] > e[:-2]) & (e[1:-1] >= e[2:])) + 1
    if len(peaks) == 0:
        return 0
    peaks = peaks[e[peaks] > max(1.0, 0.1 * float(e[peaks].max()))]
    if len(peaks) == 0:
        return 0
    gap = max(int(0.05 * fps), 1)
    return 1 + int(np.count_nonzero(np.diff(peaks) >= gap))


def estimate_tempo(
    acs: list[np.ndarray], weights: list[int], fps: float, activity: float = 1.0
) -> tempo.Tempo | None:
    """The tempo of an item from its windows' onset autocorrelations (None: too short)."""
    if not acs:
        return None
    return tempo.estimate(tempo.combine(acs, weights), fps, activity)


def chroma_peaks(plan: _Plan, x: np.ndarray) -> np.ndarray:
    """Spectral peaks of 4096-point frames for the key (see key.py).

    Frames are back to back; past 20 s of audio only every other one is used (plenty for a key)."""
    hop = CHROMA_N_FFT if len(x) < 20 * plan.sr else 2 * CHROMA_N_FFT
    power = power_spectrogram(x, CHROMA_N_FFT, hop, chunk=64)
    return spectral_peaks(power, plan.sr, CHROMA_N_FFT)


def _clip01(value: float) -> float:
    return float(min(max(value, 0.0), 1.0))


def derived_axes(d: dict) -> dict:
    """energy, danceability, acousticness in 0..1: fixed formulas over measured features (README)."""
    loud = _clip01((d["loudness_lufs"] + 35) / 30)
    onsets = _clip01(d["onset_rate"] / 6)
    bright = _clip01(math.log2(max(d["spectral_centroid_hz"], 1) / 500) / 2.5)
    tempo = d["tempo_bpm"]
    tempo_fit = math.exp(-0.5 * (math.log2(tempo / 120) / 0.4) ** 2) if tempo else 0.0
    dynamics = _clip01(d["loudness_range_lu"] / 15)
    noisy = _clip01(d["spectral_flatness"] / 0.2)
    return {
        "energy": round(0.5 * loud + 0.25 * onsets + 0.25 * bright, 3),
        "danceability": round(
            0.5 * d["pulse_clarity"] + 0.25 * _clip01(d["tempo_confidence"]) + 0.25 * tempo_fit, 3
        ),
        "acousticness": round((dynamics + (1 - bright) + (1 - noisy)) / 3, 3),
    }


def vector(d: dict) -> np.ndarray:
    """The normalised float32 similarity vector (names in VECTOR_NAMES) of a feature dict."""
    raw = _vector_inputs(d)
    out = np.empty(len(VECTOR_SPEC), np.float32)
    for i, (name, centre, scale) in enumerate(VECTOR_SPEC):
        out[i] = np.clip((raw[name] - centre) / scale, -4, 4)
    return out


def _vector_inputs(d: dict) -> dict[str, float]:
    tempo = d.get("tempo_bpm")
    raw = {
        "tempo_log2": math.log2(tempo / 120) if tempo else 0.0,
        "centroid_log2": math.log2(max(d["spectral_centroid_hz"], 1) / 1200),
        "rolloff_log2": math.log2(max(d["spectral_rolloff_hz"], 1) / 2500),
        "zcr_log2": math.log2(max(d["zcr_per_s"], 1) / 1000),
    }
    for name in (
        "tempo_confidence",
        "pulse_clarity",
        "onset_rate",
        "loudness_lufs",
        "loudness_range_lu",
        "spectral_flatness",
        "energy",
        "danceability",
        "acousticness",
    ):
        raw[name] = float(d[name])
    raw["flatness"] = raw.pop("spectral_flatness")
    # Key on the circle of fifths, weighted by confidence; relative major/minor share a position.
    weight = min(d.get("key_confidence", 0.0) * 10, 1.0) if d.get("key") else 0.0
    if d.get("key"):
        tonic = PITCH_NAMES.index(d["key"]) + (3 if d["mode"] == "minor" else 0)
        angle = 2 * math.pi * ((tonic * 7) % 12) / 12
        raw["key_fifths_x"], raw["key_fifths_y"] = (
            weight * math.cos(angle),
            weight * math.sin(angle),
        )
        raw["mode"] = weight * (1.0 if d["mode"] == "major" else -1.0)
    else:
        raw["key_fifths_x"] = raw["key_fifths_y"] = raw["mode"] = 0.0
    for (lo, hi), value in zip(zip(BAND_EDGES[:-1], BAND_EDGES[1:]), d["band_db"]):
        raw[f"band_{lo}_{hi}"] = value
    return raw


def analyse(path: str, duration_hint: float | None = None) -> tuple[dict, np.ndarray]:
    """Decode and analyse ``path``: (features, vector). Raises NoSignal with the reason."""
    from tuneup.library.sound.decode import decode

    data = compute(decode(path, duration_hint))
    return data, vector(data)
