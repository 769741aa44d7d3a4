"""Known-answer audio for the analysis tests and the benchmark.

Drum patterns with a known tempo (with and without swing), chord progressions in a known key
with different timbres, and awkward files (silent, many channels, odd rates and sample formats,
very short, very long, corrupt, truncated). Everything is deterministic for a given seed.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

PITCH_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
TIMBRES = ("sine", "saw", "piano", "organ", "pluck")


# ---------------------------------------------------------------- writing


def write(
    path: str | os.PathLike,
    audio: np.ndarray,
    sr: int,
    subtype: str | None = None,
    fmt: str | None = None,
) -> Path:
    """Write ``audio`` (frames or frames x channels) in blocks (libsndfile's Vorbis encoder
    crashes on very large single writes)."""
    import soundfile as sf

    audio = np.asarray(audio, dtype=np.float32)
    channels = 1 if audio.ndim == 1 else audio.shape[1]
    with sf.SoundFile(str(path), "w", sr, channels, subtype=subtype, format=fmt) as f:
        for i in range(0, len(audio), 1 << 15):
            f.write(audio[i : i + (1 << 15)])
    return Path(path)


# ---------------------------------------------------------------- drums


def _kick(sr: int) -> np.ndarray:
    t = np.arange(int(0.25 * sr)) / sr
    freq = 50 + 100 * np.exp(-t * 30)
    return np.sin(2 * np.pi * np.cumsum(freq) / sr) * np.exp(-t * 12)


def _snare(sr: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.2 * sr)) / sr
    noise = rng.standard_normal(len(t)) * np.exp(-t * 25)
    return 0.5 * noise + 0.5 * np.sin(2 * np.pi * 185 * t) * np.exp(-t * 20)


def _hat(sr: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.05 * sr)) / sr
    noise = np.diff(rng.standard_normal(len(t) + 1))  # crude high-pass
    return 0.25 * noise * np.exp(-t * 80)


def drum_pattern(
    bpm: float, seconds: float = 20.0, sr: int = 22050, swing: bool = False, seed: int = 0
) -> np.ndarray:
    """Kick on beats 1 and 3, snare on 2 and 4, hi-hat on eighths (off-beats at 2/3 with swing)."""
    rng = np.random.default_rng(seed)
    kick, snare, hat = _kick(sr), _snare(sr, rng), _hat(sr, rng)
    out = np.zeros(int(seconds * sr) + sr)
    beat = 60.0 / bpm
    offbeat = 2 / 3 if swing else 0.5
    n_beats = int(np.ceil(seconds / beat))
    for b in range(n_beats):
        t0 = b * beat
        accent = 1.0 + 0.1 * rng.standard_normal()
        _add(out, kick if b % 2 == 0 else snare, t0, sr, accent)
        _add(out, hat, t0, sr, 0.8)
        _add(out, hat, t0 + offbeat * beat, sr, 0.6)
    out = out[: int(seconds * sr)]
    return (0.5 * out / np.max(np.abs(out))).astype(np.float32)


GROOVES = ("four", "16ths", "halftime", "dembow")


def drum_groove(
    bpm: float, kind: str, seconds: float = 30.0, sr: int = 44100, seed: int = 0
) -> np.ndarray:
    """Other drum patterns at a known tempo: "four" (kick every beat, clap on 2 and 4, off-beat hat),
    "16ths" (rock beat, sixteenth hats), "halftime" (kick on 1, snare on 3), "dembow" (kick every
    beat, snares syncopated at 3/4 and 1/2 of the beat)."""
    rng = np.random.default_rng(seed)
    kick, snare, hat = _kick(sr), _snare(sr, rng), _hat(sr, rng)
    out = np.zeros(int(seconds * sr) + sr)
    beat = 60.0 / bpm
    for b in range(int(np.ceil(seconds / beat))):
        t = b * beat
        if kind == "four":
            _add(out, kick, t, sr, 1.0)
            _add(out, hat, t + beat / 2, sr, 0.9)
            if b % 2:
                _add(out, snare, t, sr, 0.8)
        elif kind == "16ths":
            _add(out, kick if b % 2 == 0 else snare, t, sr, 1.0)
            for q in range(4):
                _add(out, hat, t + q * beat / 4, sr, 0.5 if q else 0.8)
        elif kind == "halftime":
            if b % 4 in (0, 2):
                _add(out, kick if b % 4 == 0 else snare, t, sr, 1.0)
            _add(out, hat, t, sr, 0.6)
            _add(out, hat, t + beat / 2, sr, 0.4)
        else:  # dembow
            _add(out, kick, t, sr, 1.0)
            _add(out, snare, t + 0.75 * beat, sr, 0.8)
            if b % 2:
                _add(out, snare, t + 0.5 * beat, sr, 0.7)
    out = out[: int(seconds * sr)]
    return (0.5 * out / np.max(np.abs(out))).astype(np.float32)


def _add(out: np.ndarray, sound: np.ndarray, at: float, sr: int, gain: float) -> None:
    i = int(round(at * sr))
    n = min(len(sound), len(out) - i)
    if n > 0:
        out[i : i + n] += gain * sound[:n]


# ---------------------------------------------------------------- chords

MAJOR_PROGRESSIONS = (
    ((0, "M"), (5, "M"), (7, "M"), (0, "M")),
    ((0, "M"), (9, "m"), (5, "M"), (7, "M")),
)
MINOR_PROGRESSIONS = (
    ((0, "m"), (5, "m"), (7, "M"), (0, "m")),
    ((0, "m"), (8, "M"), (5, "m"), (7, "M")),
)


def _note(freq: float, seconds: float, sr: int, timbre: str) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    if timbre == "sine":
        harmonics, decay = [1.0], 0.5
    elif timbre == "saw":
        harmonics, decay = [1 / k for k in range(1, 11)], 0.3
    elif timbre == "organ":
        harmonics, decay = [1.0, 0.6, 0.0, 0.4, 0.0, 0.0, 0.0, 0.25], 0.0
    elif timbre == "piano":
        harmonics, decay = [1.0, 0.5, 0.3, 0.2, 0.12, 0.08], 2.0
    else:  # pluck
        harmonics, decay = [1.0, 0.7, 0.45, 0.3, 0.2, 0.1], 4.0
    tone = np.zeros(len(t))
    for k, amp in enumerate(harmonics, start=1):
        if amp and freq * k < sr / 2 - 200:
            tone += amp * np.sin(2 * np.pi * freq * k * t) * np.exp(-t * decay * (1 + 0.3 * k))
    attack = np.minimum(t / 0.01, 1.0)
    release = np.minimum((seconds - t) / 0.05, 1.0)
    return tone * attack * release


def _midi_freq(note: int) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def chord_progression(
    tonic: int,
    mode: str,
    timbre: str = "piano",
    seconds: float = 16.0,
    sr: int = 22050,
    seed: int = 0,
    chord_s: float = 2.0,
) -> np.ndarray:
    """A four-chord progression (I IV V I / I vi IV V, or i iv V i / i VI iv V) looped to length."""
    rng = np.random.default_rng(seed)
    options = MAJOR_PROGRESSIONS if mode == "major" else MINOR_PROGRESSIONS
    progression = options[int(rng.integers(len(options)))]
    out = np.zeros(int(seconds * sr))
    root_midi = 48 + tonic  # C3 + tonic
    i = 0
    while i * chord_s < seconds:
        degree, quality = progression[i % len(progression)]
        root = root_midi + degree
        third = 4 if quality == "M" else 3
        notes = [root - 12, root + 12, root + 12 + third, root + 19]
        chord = sum(
            _note(_midi_freq(n), chord_s, sr, timbre) * (1.2 if j == 0 else 1.0)
            for j, n in enumerate(notes)
        )
        start = int(i * chord_s * sr)
        n = min(len(chord), len(out) - start)
        out[start : start + n] += chord[:n]
        i += 1
    out += 0.003 * rng.standard_normal(len(out))
    return (0.5 * out / np.max(np.abs(out))).astype(np.float32)


def song(
    bpm: float,
    tonic: int,
    mode: str,
    timbre: str = "piano",
    seconds: float = 30.0,
    sr: int = 44100,
    swing: bool = False,
    seed: int = 0,
) -> np.ndarray:
    """Drums and a chord progression together, in stereo (chords a little wider than the drums)."""
    drums = drum_pattern(bpm, seconds, sr, swing, seed)
    chords = chord_progression(
        tonic, mode, timbre, seconds, sr, seed, chord_s=4 * 60.0 / bpm
    )  # a chord a bar
    left = 0.6 * drums + 0.5 * chords
    right = 0.6 * drums + 0.4 * chords
    return (0.9 * np.stack([left, right], axis=1) / np.max(np.abs([left, right]))).astype(
        np.float32
    )


def key_name(tonic: int, mode: str) -> str:
    return f"{PITCH_NAMES[tonic]} {mode}"


# ---------------------------------------------------------------- known-answer sets


def tempo_set(
    directory: Path,
    seconds: float = 20.0,
    bpms=range(60, 181, 8),
    fmt: str = "ogg",
    sr: int = 22050,
) -> list[tuple[Path, float]]:
    """Drum files, straight and swung, for each tempo: [(path, bpm)]."""
    out = []
    for bpm in bpms:
        for swing in (False, True):
            path = directory / f"drums_{bpm}_{'swing' if swing else 'straight'}.{fmt}"
            write(path, drum_pattern(bpm, seconds, sr, swing, seed=bpm), sr)
            out.append((path, float(bpm)))
    return out


def key_set(
    directory: Path, seconds: float = 12.0, fmt: str = "ogg", sr: int = 22050, timbres=TIMBRES
) -> list[tuple[Path, str, str]]:
    """A chord file for each of the 24 keys, timbres taking turns: [(path, key, mode)]."""
    out = []
    for i in range(24):
        tonic, mode = i % 12, ("major" if i < 12 else "minor")
        timbre = timbres[i % len(timbres)]
        path = directory / f"chords_{PITCH_NAMES[tonic].replace('#', 's')}_{mode}_{timbre}.{fmt}"
        write(path, chord_progression(tonic, mode, timbre, seconds, sr, seed=i), sr)
        out.append((path, PITCH_NAMES[tonic], mode))
    return out


# ---------------------------------------------------------------- edge cases


def silent(path: Path, seconds: float = 5.0, sr: int = 44100) -> Path:
    return write(path, np.zeros(int(seconds * sr), np.float32), sr)


def tone(
    freq: float = 997.0, amplitude: float = 0.1, seconds: float = 5.0, sr: int = 48000
) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def multichannel(signal: np.ndarray, channels: int) -> np.ndarray:
    return np.repeat(signal[:, None], channels, axis=1)


def long_wav(
    path: Path, seconds: float = 2 * 3600 + 60, sr: int = 8000, bpm: float = 100.0
) -> Path:
    """A very long 8-bit 8 kHz mono WAV written block by block (never whole in memory)."""
    import soundfile as sf

    block = drum_pattern(bpm, 24 * 4 * 60.0 / bpm, sr, seed=1)  # a whole number of bars
    written = 0
    with sf.SoundFile(str(path), "w", sr, 1, subtype="PCM_U8", format="WAV") as f:
        while written < seconds * sr:
            n = int(min(len(block), seconds * sr - written))
            f.write(block[:n])
            written += n
    return path


def corrupt(path: Path, size: int = 20000, seed: int = 0) -> Path:
    path.write_bytes(np.random.default_rng(seed).integers(0, 256, size, dtype=np.uint8).tobytes())
    return path


def truncated(source: Path, path: Path, keep: float = 0.3) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path
