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
    # Per window (same length as the window): the mean square, per output sample, of the mono
    # signal above the analysis band that decimation removed (None when nothing was removed), so
    # loudness and the onsets of cymbals still count what the analysis rate cannot hold.
    removed_power: list[np.ndarray | None] = field(default_factory=list)

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


def decimate(
    x: np.ndarray, halvings: int, removed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Low-pass and halve the rate ``halvings`` times (half-band FIRs, computed at the output rate).

    Also returns, per output sample, the mean square of what the low-pass filters took out (the
    band above the output rate's Nyquist frequency), added to ``removed`` (the power already
    removed at ``x``'s rate by a folded first halving), or None when nothing was removed."""
    for stage in range(halvings):
        y = _halve(x, _HALFBAND if stage == halvings - 1 else _HALFBAND_FAST)
        # The input's power where the output is sampled, less the output's: what the filter took
        # out, cross term included (x^2 - y^2, not (x - y)^2: a half-band filter's transition
        # band is split between the two, not lost).
        kept = x[: 2 * len(y) : 2][: len(y)]
        power = np.zeros(len(y), np.float32)
        power[: len(kept)] = kept * kept - y[: len(kept)] * y[: len(kept)]
        if removed is not None:
            power += _pair_mean(removed, len(y))
        removed, x = power, y
    if halvings == 0:
        return x, removed
    return np.ascontiguousarray(x, dtype=np.float32), removed


def _pair_mean(values: np.ndarray, n: int) -> np.ndarray:
    """Means of consecutive pairs of ``values`` (the last alone if odd), as ``n`` values."""
    out = np.zeros(n, np.float32)
    m = len(values) // 2
    out[:m] = (values[0 : 2 * m : 2] + values[1 : 2 * m : 2]) * np.float32(0.5)
    if len(values) % 2 and m < n:
        out[m] = values[-1]
    return out


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
    mixer = _Mixer(sr, channels)
    for start, length in window_spans(duration):
        first, count = int(start * sr), int(round(length * sr))
        try:
            if f.seekable():
                f.seek(first)
            mixer.window(_blocks(f, count), count)
        except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
            if mixer.windows:
                break  # truncated: keep the windows read so far
            raise Undecodable(f"decoding failed ({_clean(str(exc))})") from None
    if not mixer.windows:
        if duration >= 1:
            raise Undecodable("no audio could be decoded")
        raise NoSignal(f"too short ({duration:.2f} s of audio)")
    return mixer.excerpts(duration or None, "soundfile")


def _blocks(f, count: int):
    """Blocks of up to BLOCK_FRAMES frames (frames x channels float32), ``count`` frames in all."""
    left = count
    while left > 0:
        block = f.read(min(BLOCK_FRAMES, left), dtype="float32", always_2d=True)
        if len(block) == 0:
            return
        left -= len(block)
        yield block


class _Mixer:
    """Mixes decoded blocks down to mono and decimates them, the same way for every decoder:
    channels averaged (BS.1770 channel weights kept aside as a power ratio), the first of several
    halvings folded into the mix-down."""

    def __init__(self, sr: int, channels: int):
        self.sr, self.channels = sr, channels
        self.out_sr, self.halvings = analysis_rate(sr)
        self.weights = np.asarray(
            _CHANNEL_WEIGHTS.get(channels, (1.0,) * channels), dtype=np.float64
        )
        self.pair = self.halvings >= 2  # aliasing of a pair average lands above the final band
        self.windows: list[np.ndarray] = []
        self.ratios: list[float] = []
        self.removed: list[np.ndarray | None] = []

    def window(self, blocks, count: int) -> None:
        """Mix down one window from its ``blocks``; a window under MIN_SIGNAL_S is dropped."""
        size = count // 2 + 1 if self.pair else count
        mono = np.empty(size, np.float32)
        removed = np.empty(size, np.float32) if self.pair else None
        filled, chan_power, mono_power = 0, 0.0, 0.0
        for block in blocks:
            n = _mix_down(block, self.channels, self.pair, mono[filled:])
            if removed is not None:
                _pair_power(block, self.channels, removed[filled : filled + n])
            filled += n
            if self.channels > 1:
                sub = block[::31]
                chan_power += float(np.einsum("ij,ij->j", sub, sub) @ self.weights)
                m = sub.sum(axis=1, dtype=np.float64)
                mono_power += float(m @ m) / self.channels**2
        if filled < MIN_SIGNAL_S * self.sr / (2 if self.pair else 1):
            return
        mono = mono[:filled]
        y, power = decimate(
            mono, self.halvings - self.pair, None if removed is None else removed[:filled]
        )
        if not np.isfinite(float(np.einsum("i,i->", y, y))):  # NaN or inf in float files
            np.nan_to_num(y, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
            if power is not None:
                np.nan_to_num(power, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
        self.windows.append(y)
        self.removed.append(power)
        if self.channels == 1:
            self.ratios.append(1.0)
        else:
            ratio = chan_power / mono_power if mono_power > 0 else float(self.channels)
            self.ratios.append(min(ratio, 100.0))

    def excerpts(self, duration: float | None, decoder: str) -> Excerpts:
        return Excerpts(
            self.windows,
            self.out_sr,
            self.sr,
            self.channels,
            duration,
            decoder,
            self.ratios,
            self.removed,
        )


def _mix_down(block: np.ndarray, channels: int, pair: bool, out: np.ndarray, removed=None) -> int:
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


def _pair_power(block: np.ndarray, channels: int, out: np.ndarray) -> None:
    """Per sample pair of the mono mix, the square of half their difference: the power the pair
    average removes (the top half of the band), exactly."""
    flat = block.reshape(-1)
    step = 2 * channels
    n = len(out)
    diff = flat[0 : n * step : step] - flat[channels : n * step : step]
    for c in range(1, channels):
        diff += flat[c : n * step : step]
        diff -= flat[channels + c : n * step : step]
    diff *= np.float32(0.5 / channels)
    np.multiply(diff, diff, out=out)


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
    """Decode through ffmpeg at the source rate with the channels as they are (32-bit float), and
    mix down and decimate exactly as for soundfile: the channel sum is the same for every decoder."""
    duration, source_sr, channels = _probe(path, tool)
    if not source_sr or not channels:
        raise Undecodable(f"no audio stream that soundfile ({sf_reason}) or ffmpeg can decode")
    duration = duration or duration_hint
    spans = window_spans(duration) if duration else [(0.0, WHOLE_TRACK_MAX_S)]
    mixer = _Mixer(source_sr, channels)
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
            "-map",
            "0:a:0",
            "-f",
            "f32le",
            "pipe:1",
        ]
        count = int(round(length * source_sr))
        failure = _ffmpeg_window(cmd, mixer, channels, count)
        if failure and not mixer.windows:
            raise failure
    if not mixer.windows:
        raise NoSignal("too short (less than 0.5 s of audio)")
    return mixer.excerpts(duration, "ffmpeg")


def _ffmpeg_window(cmd: list[str], mixer: _Mixer, channels: int, count: int) -> NoSignal | None:
    """Stream one window from ffmpeg into ``mixer`` in blocks; the reason when it produced nothing
    usable (None when it did, or when a short window is simply dropped)."""
    import threading

    try:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
        )
    except OSError as exc:
        return NoSignal(f"ffmpeg failed ({_clean(str(exc))})")
    timer = threading.Timer(FFMPEG_TIMEOUT_S, proc.kill)
    timer.start()
    before = len(mixer.windows)
    try:
        mixer.window(_pipe_blocks(proc.stdout, channels, count), count)
        err = proc.stderr.read()
        proc.wait()
    finally:
        timer.cancel()
        proc.stdout.close()
        proc.stderr.close()
    if len(mixer.windows) > before:
        return None
    if proc.returncode < 0:  # killed (time-out, out of memory, shutdown): not the file's fault
        return NoSignal(f"ffmpeg was stopped (signal {-proc.returncode})")
    if proc.returncode > 0:
        return Undecodable(f"ffmpeg cannot decode it ({_clean(err.decode('utf-8', 'replace'))})")
    return None


def _pipe_blocks(stream, channels: int, count: int):
    """frames x channels float32 blocks read from ffmpeg's raw output, ``count`` frames at most."""
    frame_bytes = 4 * channels
    left, carry = count, b""
    while left > 0:
        data = carry + stream.read(min(BLOCK_FRAMES, left) * frame_bytes)
        if len(data) == len(carry):
            return
        usable = len(data) // frame_bytes * frame_bytes
        carry = data[usable:]
        block = np.frombuffer(data[:usable], dtype="<f4").reshape(-1, channels)
        block = np.nan_to_num(block.astype(np.float32))
        left -= len(block)
        yield block
