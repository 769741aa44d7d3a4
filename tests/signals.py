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


# ---------------------------------------------------------------- real grooves (issue 15)

# (name, lowest and highest tempo it is generated at): the grooves of popular music that a tempo
# estimator has to get right, each with a bass line and chords changing every bar, humanised timing
# and velocities. The tempo is the beat a listener taps (the quarter note; the dotted quarter's
# three eighths in a shuffle count as one beat of the triplet grid, so a shuffle's tempo is its
# quarter note too).
GROOVE_KINDS = (
    ("rock", 60, 180),  # kick 1 and 3 (and the "and" of 3), snare 2 and 4, closed hat on eighths
    ("offbeat", 60, 180),  # the loop: kick every beat (1 and 3 louder), hat on the "and"
    ("four", 60, 180),  # four on the floor, open hat on the off-beat, clap on 2 and 4
    ("breakbeat", 70, 180),  # a syncopated break: kick 1, "and" of 2, snare 2 and 4, ghost notes
    ("swing", 60, 180),  # jazz ride: ding, ding-a ding (swung eighths), hat foot on 2 and 4
    ("halftime", 60, 180),  # kick 1, snare 3, hats on eighths
    ("shuffle", 60, 150),  # triplet hats (1 and 3 of each triplet), snare 2 and 4, kick 1 and 3
    ("waltz", 60, 180),  # 3/4: bass and kick on 1, chord stabs (and hat) on 2 and 3
    (
        "ballad",
        60,
        96,
    ),  # slow: kick 1, snare 3 of a bar at the tempo... cross-stick 2 and 4, soft hats
    ("nodrums", 60, 160),  # piano: bass note on 1, chord on every beat, melody notes on eighths
)


def groove(
    bpm: float, kind: str, seconds: float = 20.0, sr: int = 22050, seed: int = 0
) -> np.ndarray:
    """A humanised groove of ``kind`` (see GROOVE_KINDS) at ``bpm``, mono float32, peak 0.5."""
    rng = np.random.default_rng(seed)
    beat = 60.0 / bpm
    kit = {
        "kick": _kick(sr),
        "snare": _snare(sr, rng),
        "hat": _hat(sr, rng),
        "open": _open_hat(sr, rng),
        "ride": _ride(sr, rng),
        "stick": _stick(sr),
    }
    out = np.zeros(int(seconds * sr) + 2 * sr)
    tonic = int(rng.integers(12))
    per_bar = 3 if kind == "waltz" else 4
    n_beats = int(np.ceil(seconds / beat)) + 1

    def hit(name: str, at_beats: float, gain: float) -> None:
        jitter = 0.004 * rng.standard_normal()
        if at_beats * beat + jitter < 0:
            return
        _add(
            out, kit[name], at_beats * beat + jitter, sr, gain * (1 + 0.08 * rng.standard_normal())
        )

    for b in range(n_beats):
        pos = b % per_bar
        _groove_beat(kind, hit, b, pos)
        _groove_harmony(out, kind, b, pos, per_bar, beat, tonic, sr, rng)
    out = out[: int(seconds * sr)]
    out += 0.002 * rng.standard_normal(len(out))
    return (0.5 * out / np.max(np.abs(out))).astype(np.float32)


def _groove_beat(kind: str, hit, b: int, pos: int) -> None:  # noqa: C901 - one table of patterns
    if kind == "rock":
        hit("kick" if pos in (0, 2) else "snare", b, 1.0)
        if pos == 2:
            hit("kick", b + 0.5, 0.7)
        hit("hat", b, 0.5)
        hit("hat", b + 0.5, 0.4)
    elif kind == "offbeat":
        hit("kick", b, 1.0 if pos in (0, 2) else 0.8)
        hit("hat", b + 0.5, 0.9)
    elif kind == "four":
        hit("kick", b, 1.0)
        hit("open", b + 0.5, 0.5)
        if pos in (1, 3):
            hit("snare", b, 0.7)
    elif kind == "breakbeat":
        if pos == 0:
            hit("kick", b, 1.0)
        if pos == 1:
            hit("snare", b, 1.0)
            hit("kick", b + 0.5, 0.8)
        if pos == 2:
            hit("kick", b + 0.25, 0.8)
            hit("snare", b + 0.75, 0.3)
        if pos == 3:
            hit("snare", b, 1.0)
            hit("snare", b + 0.75, 0.3)
        hit("hat", b, 0.45)
        hit("hat", b + 0.5, 0.35)
    elif kind == "swing":
        hit("ride", b, 0.8)
        if pos in (1, 3):
            hit("ride", b + 2 / 3, 0.5)
            hit("hat", b, 0.4)
        if pos == 0:
            hit("kick", b, 0.35)
    elif kind == "halftime":
        if pos == 0:
            hit("kick", b, 1.0)
        if pos == 2:
            hit("snare", b, 1.0)
        hit("hat", b, 0.45)
        hit("hat", b + 0.5, 0.35)
    elif kind == "shuffle":
        hit("kick" if pos in (0, 2) else "snare", b, 1.0)
        hit("hat", b, 0.5)
        hit("hat", b + 2 / 3, 0.4)
    elif kind == "waltz":
        if pos == 0:
            hit("kick", b, 1.0)
        else:
            hit("hat", b, 0.45)
    elif kind == "ballad":
        if pos == 0:
            hit("kick", b, 0.9)
        if pos == 2:
            hit("kick", b + 0.5, 0.5)
        if pos in (1, 3):
            hit("stick", b, 0.7)
        hit("hat", b, 0.25)
        hit("hat", b + 0.5, 0.18)


def _groove_harmony(out, kind, b, pos, per_bar, beat, tonic, sr, rng) -> None:
    """A bass note on each bar's first beat, chords as the groove plays them."""
    bar = b // per_bar
    degree = (0, 5, 7, 9)[bar % 4] if kind != "waltz" else (0, 7, 5)[bar % 3]
    root = 36 + tonic + degree
    at = int(round(b * beat * sr))
    level = 0.35 if kind != "nodrums" else 0.5

    def place(sound: np.ndarray, start: int, gain: float) -> None:
        n = min(len(sound), len(out) - start)
        if n > 0:
            out[start : start + n] += gain * sound[:n]

    if pos == 0:
        place(_note(_midi_freq(root), per_bar * beat, sr, "pluck"), at, level)
    chord = [root + 24, root + 24 + (4 if degree in (0, 5, 7) else 3), root + 31]
    if kind == "nodrums":
        stab = sum(_note(_midi_freq(n), beat, sr, "piano") for n in chord)
        place(stab, at, 0.3 if pos else 0.45)
        melody = root + 36 + int(rng.choice([0, 2, 4, 7, 9]))
        place(_note(_midi_freq(melody), beat / 2, sr, "piano"), at + int(beat * sr / 2), 0.2)
    elif kind == "waltz" and pos:
        stab = sum(_note(_midi_freq(n), 0.6 * beat, sr, "piano") for n in chord)
        place(stab, at, 0.25)
    elif pos == 0:
        pad = sum(_note(_midi_freq(n), per_bar * beat, sr, "organ") for n in chord)
        place(pad, at, 0.08)


def _open_hat(sr: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.15 * sr)) / sr
    return 0.3 * np.diff(rng.standard_normal(len(t) + 1)) * np.exp(-t * 25)


def _ride(sr: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.4 * sr)) / sr
    ping = sum(np.sin(2 * np.pi * f * t) for f in (3200.0, 4700.0, 5900.0)) / 3
    wash = np.diff(rng.standard_normal(len(t) + 1))
    return 0.25 * (0.6 * ping + 0.4 * wash) * np.exp(-t * 9)


def _stick(sr: int) -> np.ndarray:
    t = np.arange(int(0.04 * sr)) / sr
    return 0.6 * np.sin(2 * np.pi * 1800 * t) * np.exp(-t * 120)
