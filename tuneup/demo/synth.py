"""Numpy synthesis of one demo track: drums at the track's tempo, chords, bass and a melody in its key.

Everything is rendered from a :class:`SynthParams` and its seed, so a track sounds the same
every time. Instruments are band-limited wavetables whose harmonic roll-off follows the
track's brightness; drums are pre-rendered hits placed on a 16-step grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from tuneup.demo.genres import MAJOR, MINOR, PATTERNS

TABLE_SIZE = 2048


@dataclass(frozen=True)
class SynthParams:
    seed: int
    sample_rate: int
    seconds: float
    bpm: float
    tonic: int  # pitch class 0..11
    mode: str  # major / minor
    progression: tuple[int, ...]
    sevenths: bool
    pattern: str
    brightness: float
    energy: float
    pad: str
    lead_density: float
    bass: str
    drive: float
    swing: float
    crackle: bool = False


def render(p: SynthParams) -> np.ndarray:
    """The track as mono float32 samples in [-1, 1]."""
    rng = np.random.default_rng(p.seed)
    n = int(p.seconds * p.sample_rate)
    beat = 60.0 / p.bpm
    scale = MAJOR if p.mode == "major" else MINOR
    tonic_midi = 60 + p.tonic - (12 if p.tonic > 7 else 0)  # chords around Ab3..G4
    bars = math.ceil(p.seconds / (4 * beat)) + 1
    chords = [p.progression[i % len(p.progression)] for i in range(bars)]
    chords[-1] = 0  # end on the tonic
    pad, bass, lead = (np.zeros(n, np.float32) for _ in range(3))
    ctx = _Ctx(p, rng, beat, scale, tonic_midi)
    for bar, degree in enumerate(chords):
        t0 = bar * 4 * beat
        ctx.chord(pad, t0, degree)
        ctx.bassline(bass, t0, degree, chords[min(bar + 1, bars - 1)])
        if bar >= 1 and p.lead_density > 0:
            ctx.melody(lead, t0, degree)
    if p.drive > 0:
        gain = 1 + 8 * p.drive
        pad = np.tanh(pad * gain) / math.tanh(gain)
    drums = _drums(p, rng, beat, n)
    music = 0.55 * pad + 0.6 * bass + 0.45 * lead
    mix = music + (0.35 + 0.65 * p.energy) * drums
    if p.crackle:
        mix += _crackle(rng, n, p.sample_rate)
    return _master(mix, p)


class _Ctx:
    """Shared state for the pitched instruments of one track."""

    def __init__(
        self, p: SynthParams, rng: np.random.Generator, beat: float, scale, tonic_midi: int
    ):
        self.p, self.rng, self.beat, self.scale, self.tonic_midi = p, rng, beat, scale, tonic_midi
        rolloff = 2.8 - 2.2 * p.brightness  # harmonic k has amplitude k^-rolloff
        self.pad_h = _harmonics(rolloff, odd_only=p.pad == "pad" and p.brightness < 0.3)
        self.bass_h = _harmonics(rolloff + (1.5 if p.bass == "sub" else 0.6))
        self.lead_h = _harmonics(rolloff + 0.3, odd_only=p.brightness > 0.6)
        self.prev_lead = 7

    def midi(self, degree: int, octave: int = 0) -> int:
        return self.tonic_midi + self.scale[degree % 7] + 12 * (degree // 7 + octave)

    def chord_notes(self, degree: int) -> list[int]:
        if self.p.pad == "power":
            root = self.midi(degree, -1)
            return [root, root + 7, root + 12]
        tones = [degree, degree + 2, degree + 4] + ([degree + 6] if self.p.sevenths else [])
        return [self.midi(d) for d in tones]

    def chord(self, buf: np.ndarray, t0: float, degree: int) -> None:
        notes, b, kind = self.chord_notes(degree), self.beat, self.p.pad
        if kind == "pad":
            hits = [(0.0, 4 * b)]
        elif kind == "keys":
            hits = [(0.0, 1.5 * b), (1.5 * b, 1.0 * b), (2.5 * b, 1.5 * b)]
        elif kind == "stab":
            hits = [(i * b + 0.5 * b, 0.3 * b) for i in range(4)]
        elif kind == "power":
            hits = [(i * 0.5 * b, 0.45 * b) for i in range(8)]
        else:  # pluck: arpeggio in eighths
            for i in range(8):
                note = notes[[0, 1, 2, 1, 0, 2, 1, 2][i] % len(notes)] + (12 if i in (2, 5) else 0)
                _note(
                    buf,
                    t0 + i * 0.5 * b,
                    1.2 * b,
                    note,
                    0.3,
                    self.pad_h,
                    "pluck",
                    self.p.sample_rate,
                    self.rng,
                )
            return
        for start, dur in hits:
            for note in notes:
                _note(
                    buf, t0 + start, dur, note, 0.22, self.pad_h, kind, self.p.sample_rate, self.rng
                )

    def bassline(self, buf: np.ndarray, t0: float, degree: int, next_degree: int) -> None:
        b, sr, kind = self.beat, self.p.sample_rate, self.p.bass
        root = self.midi(degree, -2)
        if kind == "sub":
            notes = [(0.0, 2 * b, root), (2 * b, 2 * b, root)]
        elif kind == "octave":
            notes = [(i * 0.5 * b, 0.45 * b, root + (12 if i % 2 else 0)) for i in range(8)]
        elif kind == "walking":
            target = self.midi(next_degree, -2)
            notes = [
                (0.0, b, root),
                (b, b, self.midi(degree + 2, -2)),
                (2 * b, b, self.midi(degree + 4, -2)),
                (3 * b, b, target + (1 if target < root else -1)),
            ]
        else:  # root on every beat (eighths when the track is driving)
            step = 0.5 if self.p.drive > 0.6 else 1.0
            notes = [(i * step * b, step * b * 0.9, root) for i in range(int(4 / step))]
        for start, dur, note in notes:
            _note(buf, t0 + start, dur, note, 0.5, self.bass_h, "bass", sr, self.rng)

    def melody(self, buf: np.ndarray, t0: float, degree: int) -> None:
        p, rng = self.p, self.rng
        count = max(1, int(round(4 * p.lead_density)))
        step = 4 * self.beat / count
        for i in range(count):
            if rng.random() < 0.2:
                continue
            if i == 0:  # land on the downbeat on a chord tone, preferring the key's own triad
                tones = [d for d in (degree, degree + 2, degree + 4) if d % 7 in (0, 2, 4)] or [
                    degree
                ]
                self.prev_lead = int(rng.choice(tones)) % 7 + 7
            else:
                self.prev_lead = int(np.clip(self.prev_lead + rng.choice([-2, -1, 1, 2]), 5, 16))
            _note(
                buf,
                t0 + i * step,
                step * 0.9,
                self.midi(self.prev_lead),
                0.25,
                self.lead_h,
                "lead",
                p.sample_rate,
                rng,
            )


def _harmonics(rolloff: float, odd_only: bool = False, count: int = 24) -> tuple[float, ...]:
    k = np.arange(1, count + 1, dtype=float)
    amps = k**-rolloff
    if odd_only:
        amps[1::2] *= 0.1
    return tuple(float(a) for a in amps)


@lru_cache(maxsize=512)
def _table(harmonics: tuple[float, ...], limit: int) -> np.ndarray:
    phase = np.arange(TABLE_SIZE) / TABLE_SIZE
    wave = np.zeros(TABLE_SIZE)
    for k, amp in enumerate(harmonics[:limit], start=1):
        wave += amp * np.sin(2 * np.pi * k * phase)
    return (wave / np.max(np.abs(wave))).astype(np.float32)


ENVELOPES = {  # attack s, decay time constant s (None: sustained), release share
    "pad": (0.25, None),
    "keys": (0.005, 0.7),
    "stab": (0.003, 0.12),
    "power": (0.004, 0.6),
    "pluck": (0.002, 0.3),
    "bass": (0.004, 0.5),
    "lead": (0.01, 0.8),
}


def _note(buf, start_s, dur_s, midi, amp, harmonics, kind, sr, rng) -> None:
    i0 = int(start_s * sr)
    length = min(int(dur_s * sr), len(buf) - i0)
    if length <= 0:
        return
    freq = 440.0 * 2 ** ((midi - 69) / 12)
    table = _table(harmonics, max(1, min(len(harmonics), int(0.45 * sr / freq))))
    phase = _ramp(length) * np.float32(freq * TABLE_SIZE / sr) + np.float32(
        rng.random() * TABLE_SIZE
    )
    wave = table[phase.astype(np.int32) & (TABLE_SIZE - 1)]
    wave *= _envelope(kind, length, sr)
    buf[i0 : i0 + length] += np.float32(amp) * wave


_RAMP = np.arange(0, dtype=np.float32)


def _ramp(length: int) -> np.ndarray:
    """0, 1, 2, ... length-1 as float32 (a shared array, sliced)."""
    global _RAMP
    if len(_RAMP) < length:
        _RAMP = np.arange(max(length, 2 * len(_RAMP)), dtype=np.float32)
    return _RAMP[:length]


@lru_cache(maxsize=256)
def _envelope(kind: str, length: int, sr: int) -> np.ndarray:
    attack_s, decay_s = ENVELOPES[kind]
    t = _ramp(length) / np.float32(sr)
    env = np.minimum(np.float32(1.0), t / np.float32(attack_s))
    if decay_s:
        env *= np.exp(-t / np.float32(decay_s))
    release = min(length, int(0.02 * sr) if kind != "pad" else length // 4)
    if release:
        env[-release:] *= np.linspace(1, 0, release, dtype=np.float32)
    env.flags.writeable = False
    return env


def _drums(p: SynthParams, rng: np.random.Generator, beat: float, n: int) -> np.ndarray:
    sr = p.sample_rate
    out = np.zeros(n, np.float32)
    hits = {
        "kick": _kick(sr),
        "snare": _snare(sr, rng, p.energy),
        "hat": _hat(sr, rng, p.brightness),
    }
    levels = {"kick": 0.9, "snare": 0.45 + 0.3 * p.energy, "hat": 0.12 + 0.25 * p.brightness}
    sixteenth = beat / 4
    loose = p.swing > 0 or p.pattern in ("folk", "jazz_swing")
    bar = 0
    while bar * 16 * sixteenth < p.seconds:
        for name, steps in PATTERNS[p.pattern].items():
            for step, velocity in steps:
                t = (bar * 16 + step) * sixteenth
                if step % 4 == 2:
                    t += p.swing * sixteenth
                if loose:
                    t += rng.normal(0, 0.006)
                i0 = max(0, int(t * sr))
                sample = hits[name]
                m = min(len(sample), n - i0)
                if m > 0:
                    out[i0 : i0 + m] += levels[name] * velocity * sample[:m]
        bar += 1
    return out


def _kick(sr: int) -> np.ndarray:
    t = np.arange(int(0.35 * sr)) / sr
    freq = 48 + 110 * np.exp(-t / 0.03)
    phase = 2 * np.pi * np.cumsum(freq) / sr
    return (np.sin(phase) * np.exp(-t / 0.18)).astype(np.float32)


def _snare(sr: int, rng: np.random.Generator, energy: float) -> np.ndarray:
    t = np.arange(int(0.25 * sr)) / sr
    noise = rng.standard_normal(len(t)) * np.exp(-t / (0.05 + 0.06 * energy))
    tone = 0.5 * np.sin(2 * np.pi * 185 * t) * np.exp(-t / 0.04)
    return (0.5 * noise + tone).astype(np.float32)


def _hat(sr: int, rng: np.random.Generator, brightness: float) -> np.ndarray:
    t = np.arange(int(0.08 * sr)) / sr
    noise = np.diff(rng.standard_normal(len(t) + 1))  # first difference: high-passed noise
    return (0.5 * noise * np.exp(-t / (0.012 + 0.02 * brightness))).astype(np.float32)


def _crackle(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    out = (rng.standard_normal(n) * 0.003).astype(np.float32)
    pops = rng.integers(0, n, size=int(n / sr * 6))
    out[pops] += rng.uniform(-0.15, 0.15, size=len(pops)).astype(np.float32)
    return out


def _master(mix: np.ndarray, p: SynthParams) -> np.ndarray:
    sr, n = p.sample_rate, len(mix)
    fade_in, fade_out = min(n, int(0.3 * sr)), min(n, int(1.5 * sr))
    mix[:fade_in] *= np.linspace(0, 1, fade_in, dtype=np.float32)
    mix[n - fade_out :] *= np.linspace(1, 0, fade_out, dtype=np.float32)
    rms = float(np.sqrt(np.mean(mix**2))) or 1.0
    target = 10 ** ((-23 + 11 * p.energy) / 20)  # calm genres quieter, driving genres louder
    mix *= target / rms
    return (np.tanh(mix * 1.1) / 1.1).astype(np.float32)
