"""Decoding a bounded excerpt of a track to mono at a reduced sample rate, streaming.

soundfile (libsndfile) decodes wav/aiff/flac/ogg/opus/mp3 itself; anything else goes
through an ``ffmpeg`` subprocess when one is on the PATH. Only up to three 30 s windows
spread over the track are read, in blocks, so a two-hour file never sits whole in memory.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field

import numpy as np

WINDOW_S = 30.0  # length of one excerpt window
N_WINDOWS = 3  # windows spread over a long track
WHOLE_TRACK_MAX_S = 100.0  # tracks up to this long are read whole
MIN_ANALYSIS_SR = 11025  # halve the rate while the result stays at or above this
MIN_SIGNAL_S = 0.5  # less audio than this is "too short"
BLOCK_FRAMES = 1 << 18  # frames read from the decoder at a time
FFMPEG_TIMEOUT_S = 120

# BS.1770 channel weights by channel count (L R C LFE Ls Rs ...); LFE is left out.
_CHANNEL_WEIGHTS = {6: (1.0, 1.0, 1.0, 0.0, 1.41, 1.41), 5: (1.0, 1.0, 1.0, 1.41, 1.41)}

# Half-band low-pass filters (every other tap zero) for decimating by two: a 7-tap one for the
# early stages (what it lets alias lands above the final band) and an 11-tap one for the last.
_HALFBAND_FAST = np.array([-1, 0, 9, 16, 9, 0, -1], dtype=np.float32) / 32
_HALFBAND = np.array([3, 0, -25, 0, 150, 256, 150, 0, -25, 0, 3], dtype=np.float32) / 512


class NoSignal(Exception):
    """The file yields no usable signal; the message is the reason that gets recorded."""

    undecodable = False  # True: no decoder can read its audio, so a player cannot either


class Undecodable(NoSignal):
    """The file is there and readable, but its audio cannot be decoded (corrupt, truncated, not audio)."""

    undecodable = True


@dataclass
class Excerpts:
    """Mono excerpt windows at ``sr``, and what is known about the whole file."""

    windows: list[np.ndarray]
    sr: int
    source_sr: int
    channels: int
    duration: float | None
    decoder: str
    # Per window: sum over channels of BS.1770-weighted mean square / mean square of the mono
    # downmix, so loudness measured on the downmix can be scaled to the channel sum.
    channel_power_ratio: list[float] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(len(w) for w in self.windows) / self.sr


def analysis_rate(source_sr: int) -> tuple[int, int]:
    """(analysis rate, number of halvings): halve while the result stays >= MIN_ANALYSIS_SR."""
    sr, halvings = int(source_sr), 0
    while sr % 2 == 0 and sr // 2 >= MIN_ANALYSIS_SR:
        sr //= 2
        halvings += 1
    return sr, halvings


def window_spans(duration: float) -> list[tuple[float, float]]:
    """(start, length) in seconds of the excerpt windows for a track of ``duration`` seconds."""
    if duration <= WHOLE_TRACK_MAX_S:
        return [(0.0, duration)]
    centres = [duration * (i + 1) / (N_WINDOWS + 1) for i in range(N_WINDOWS)]
    return [(c - WINDOW_S / 2, WINDOW_S) for c in centres]


def decimate(x: np.ndarray, halvings: int) -> np.ndarray:
    """Low-pass and halve the rate ``halvings`` times (half-band FIRs, computed at the output rate)."""
    for stage in range(halvings):
        x = _halve(x, _HALFBAND if stage == halvings - 1 else _HALFBAND_FAST)
    if halvings == 0:
        return x
    return np.ascontiguousarray(x, dtype=np.float32)


def _halve(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    half = len(h) // 2
    padded = np.zeros(len(x) + 2 * half, np.float32)
    padded[half : half + len(x)] = x
    n = (len(x) + 1) // 2
    out = padded[half : half + 2 * n : 2] * h[half]
    tmp = np.empty(n, np.float32)
    for j in range(0, half, 2):  # symmetric taps: one multiply per pair
        np.add(padded[j : j + 2 * n : 2], padded[2 * half - j : 2 * half - j + 2 * n : 2], out=tmp)
        tmp *= h[j]
        out += tmp
    return out


def decode(path: str, duration_hint: float | None = None, ffmpeg: str | None = "auto") -> Excerpts:
    """Decode the excerpt windows of ``path``; raises :class:`NoSignal` with the reason."""
    import os

    import soundfile as sf

    if not os.path.isfile(path):
        raise NoSignal("file not found" if not os.path.exists(path) else "not a regular file")
    try:
        handle = sf.SoundFile(path)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        sf_reason = _clean(str(exc))
        tool = shutil.which("ffmpeg") if ffmpeg == "auto" else ffmpeg
        if not tool:
            raise NoSignal(
                f"soundfile cannot decode it ({sf_reason}) and ffmpeg is not on the PATH"
            ) from None
        return _decode_ffmpeg(path, tool, duration_hint, sf_reason)
    except OSError as exc:
        raise NoSignal(f"cannot open: {exc.strerror or exc}") from None
    with handle:
        return _decode_soundfile(handle)


def _clean(message: str) -> str:
    return " ".join(message.split())[:200]


def _decode_soundfile(f) -> Excerpts:
    import soundfile as sf

    sr, channels = int(f.samplerate), int(f.channels)
    if sr <= 0 or channels <= 0:
        raise Undecodable(f"invalid stream (rate {sr}, channels {channels})")
    frames = f.frames if f.frames and f.frames > 0 else 0
    duration = frames / sr
    out_sr, halvings = analysis_rate(sr)
    weights = np.asarray(_CHANNEL_WEIGHTS.get(channels, (1.0,) * channels), dtype=np.float64)
    pair = halvings >= 2  # the first of several halvings is folded into the mix-down
    windows, ratios = [], []
    for start, length in window_spans(duration):
        first, count = int(start * sr), int(round(length * sr))
        try:
            if f.seekable():
                f.seek(first)
            mono, ratio = _read_mono(f, count, channels, weights, pair)
        except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
            if windows:
                break  # truncated: keep the windows read so far
            raise Undecodable(f"decoding failed ({_clean(str(exc))})") from None
        if len(mono) < MIN_SIGNAL_S * sr / (2 if pair else 1):
            continue
        mono = decimate(mono, halvings - pair)
        if not np.isfinite(float(np.einsum("i,i->", mono, mono))):  # NaN or inf in float files
            np.nan_to_num(mono, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
        windows.append(mono)
        ratios.append(ratio)
    if not windows:
        if duration >= 1:
            raise Undecodable("no audio could be decoded")
        raise NoSignal(f"too short ({duration:.2f} s of audio)")
    return Excerpts(windows, out_sr, sr, channels, duration or None, "soundfile", ratios)


def _read_mono(
    f, count: int, channels: int, weights: np.ndarray, pair: bool
) -> tuple[np.ndarray, float]:
    """Read ``count`` frames in blocks, mixing down to mono (and, with ``pair``, averaging sample
    pairs: a first halving whose aliasing lands above the final band); also the channel/mono
    power ratio, estimated from every 31st frame."""
    out = np.empty(count // 2 + 1 if pair else count, np.float32)
    filled, chan_power, mono_power, left = 0, 0.0, 0.0, count
    while left > 0:
        block = f.read(min(BLOCK_FRAMES, left), dtype="float32", always_2d=True)
        if len(block) == 0:
            break
        left -= len(block)
        filled += _mix_down(block, channels, pair, out[filled:])
        if channels > 1:
            sub = block[::31]
            chan_power += float(np.einsum("ij,ij->j", sub, sub) @ weights)
            m = sub[:, 0] + sub[:, 1]
            for c in range(2, channels):
                m += sub[:, c]
            mono_power += float(np.einsum("i,i->", m, m)) / channels**2
    ratio = (
        1.0
        if channels == 1
        else (min(chan_power / mono_power, 100.0) if mono_power > 0 else float(channels))
    )
    return out[:filled], ratio


def _mix_down(block: np.ndarray, channels: int, pair: bool, out: np.ndarray) -> int:
    """Average ``block``'s channels (and, with ``pair``, sample pairs) into ``out``; returns the count."""
    flat = block.reshape(-1)  # (frames, channels) is C-contiguous
    step = channels * (2 if pair else 1)
    n = len(flat) // step
    mono = out[:n]
    if step == 1:
        mono[:] = flat
        return n
    np.add(flat[0 : n * step : step], flat[1 : n * step : step], out=mono)
    for j in range(2, step):
        mono += flat[j : n * step : step]
    mono *= np.float32(1.0 / step)
    return n


def _probe(path: str, tool: str) -> tuple[float | None, int, int]:
    """(duration, sample rate, channels) of the first audio stream, through ffprobe.

    Undecodable when ffprobe ran and refused the file; plain NoSignal when ffprobe itself could not
    run (missing, timed out, killed), since a later analysis may well succeed."""
    import os

    sibling = os.path.join(os.path.dirname(tool), "ffprobe")
    probe = sibling if os.path.exists(sibling) else (shutil.which("ffprobe") or "ffprobe")
    try:
        proc = subprocess.run(
            [
                probe,
                "-v",
                "error",
                "-select_streams",
                "a:0",
                "-show_entries",
                "stream=sample_rate,channels:format=duration",
                "-of",
                "json",
                path,
            ],
            capture_output=True,
            timeout=FFMPEG_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
        info = json.loads(proc.stdout or b"{}")
    except (
        OSError,
        subprocess.TimeoutExpired,
        ValueError,
    ) as exc:  # the tool, not the file: try again later
        raise NoSignal(f"ffprobe could not run ({_clean(str(exc))})") from None
    if proc.returncode < 0:
        raise NoSignal(f"ffprobe was stopped (signal {-proc.returncode})")
    if proc.returncode > 0:
        raise Undecodable(
            f"ffprobe cannot read it ({_clean(proc.stderr.decode('utf-8', 'replace'))})"
        )
    streams = info.get("streams") or [{}]
    try:
        duration = float(info.get("format", {}).get("duration"))
    except (TypeError, ValueError):
        duration = None
    return duration, int(streams[0].get("sample_rate") or 0), int(streams[0].get("channels") or 0)


def _decode_ffmpeg(path: str, tool: str, duration_hint: float | None, sf_reason: str) -> Excerpts:
    duration, source_sr, channels = _probe(path, tool)
    if not source_sr:
        raise Undecodable(f"no audio stream that soundfile ({sf_reason}) or ffmpeg can decode")
    duration = duration or duration_hint
    out_sr, _ = analysis_rate(source_sr)
    spans = window_spans(duration) if duration else [(0.0, WHOLE_TRACK_MAX_S)]
    windows = []
    for start, length in spans:
        cmd = [
            tool,
            "-nostdin",
            "-v",
            "error",
            "-ss",
            f"{start:.3f}",
            "-t",
            f"{length:.3f}",
            "-i",
            path,
            "-vn",
            "-ac",
            "1",
            "-ar",
            str(out_sr),
            "-f",
            "f32le",
            "pipe:1",
        ]
        try:
            proc = subprocess.run(
                cmd, capture_output=True, timeout=FFMPEG_TIMEOUT_S, stdin=subprocess.DEVNULL
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise NoSignal(f"ffmpeg failed ({_clean(str(exc))})") from None
        mono = np.frombuffer(proc.stdout[: len(proc.stdout) // 4 * 4], dtype="<f4").astype(
            np.float32
        )
        if len(mono) < MIN_SIGNAL_S * out_sr:
            if (
                proc.returncode < 0 and not windows
            ):  # killed (out of memory, shutdown): not the file's fault
                raise NoSignal(f"ffmpeg was stopped (signal {-proc.returncode})")
            if proc.returncode > 0 and not windows:
                raise Undecodable(
                    f"ffmpeg cannot decode it ({_clean(proc.stderr.decode('utf-8', 'replace'))})"
                )
            continue
        windows.append(np.nan_to_num(mono))
    if not windows:
        raise NoSignal("too short (less than 0.5 s of audio)")
    # ffmpeg mixes down itself: assume correlated channels (exact for L = R, see README).
    ratio = 2.0 if channels >= 2 else 1.0
    return Excerpts(
        windows, out_sr, source_sr, channels, duration, "ffmpeg", [ratio] * len(windows)
    )
