"""Genre styles of the demo library: tempo range, favoured keys, harmony, drums and timbre.

Each style is distinct in what audio analysis can measure: tempo (drum pattern at the
style's BPM), key and mode (chords, bass and melody stay in a key the style favours) and
brightness/energy (harmonic roll-off of the instruments, drum levels, loudness).
"""

from __future__ import annotations

from dataclasses import dataclass

NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 10)

# Drum patterns on a 16-step bar: instrument -> ((step, velocity), ...)
PATTERNS: dict[str, dict[str, tuple[tuple[int, float], ...]]] = {
    "four_on_floor": {
        "kick": ((0, 1.0), (4, 1.0), (8, 1.0), (12, 1.0)),
        "snare": ((4, 0.7), (12, 0.7)),
        "hat": ((2, 0.8), (6, 0.8), (10, 0.8), (14, 0.8)),
    },
    "techno": {
        "kick": ((0, 1.0), (4, 1.0), (8, 1.0), (12, 1.0)),
        "snare": ((12, 0.35),),
        "hat": tuple((s, 0.9 if s % 4 == 2 else 0.35) for s in range(16)),
    },
    "synthwave": {
        "kick": ((0, 1.0), (4, 0.9), (8, 1.0), (12, 0.9)),
        "snare": ((4, 1.0), (12, 1.0)),
        "hat": tuple((s, 0.5) for s in range(0, 16, 2)),
    },
    "boom_bap": {
        "kick": ((0, 1.0), (7, 0.6), (10, 0.9)),
        "snare": ((4, 0.8), (12, 0.8)),
        "hat": tuple((s, 0.45 if s % 4 == 0 else 0.3) for s in range(0, 16, 2)),
    },
    "breakbeat": {
        "kick": ((0, 1.0), (10, 0.9)),
        "snare": ((4, 1.0), (12, 1.0), (15, 0.35)),
        "hat": tuple((s, 0.5 if s % 2 == 0 else 0.25) for s in range(16)),
    },
    "rock": {
        "kick": ((0, 1.0), (8, 1.0), (10, 0.7)),
        "snare": ((4, 1.0), (12, 1.0)),
        "hat": tuple((s, 0.6) for s in range(0, 16, 2)),
    },
    "metal": {
        "kick": tuple((s, 0.9) for s in range(0, 16, 2)),
        "snare": ((4, 1.0), (12, 1.0)),
        "hat": tuple((s, 0.7) for s in range(0, 16, 4)),
    },
    "folk": {
        "kick": ((0, 0.7), (8, 0.6)),
        "snare": ((4, 0.35), (12, 0.35)),
        "hat": tuple((s, 0.3) for s in range(0, 16, 2)),
    },
    "jazz_swing": {
        "kick": ((0, 0.45), (8, 0.4)),
        "snare": ((4, 0.3), (12, 0.3)),
        "hat": ((0, 0.6), (4, 0.7), (7, 0.4), (8, 0.6), (12, 0.7), (15, 0.4)),
    },
    "ambient_pulse": {
        "kick": ((0, 0.6), (4, 0.5), (8, 0.6), (12, 0.5)),
        "snare": (),
        "hat": ((2, 0.2), (6, 0.2), (10, 0.2), (14, 0.2)),
    },
}


@dataclass(frozen=True)
class Style:
    """How one genre sounds and is tagged."""

    name: str  # the genre tag
    secondary: tuple[str, ...]  # extra genre tags some tracks carry
    bpm: tuple[int, int]
    keys: tuple[str, ...]  # favoured keys ("Am", "F#", ...); repeats weigh more
    progressions: tuple[tuple[int, ...], ...]  # scale degrees (0 = tonic), one chord per bar
    sevenths: bool
    pattern: str
    brightness: tuple[float, float]  # 0 dark .. 1 bright: harmonic roll-off of the instruments
    energy: tuple[float, float]  # 0 calm .. 1 driving: drum level and loudness
    pad: str  # envelope of the chord instrument: pad, keys, pluck, stab, power
    lead_density: float  # melody notes per beat (0: no melody)
    bass: str  # root, octave, walking, sub
    drive: float = 0.0  # distortion amount
    swing: float = 0.0  # delay of off-beat 16ths, share of a 16th
    years: tuple[int, int] = (1995, 2025)
    names: str = "band"  # naming flavour, see names.py
    bpm_tag_share: float = 0.2  # share of tracks that carry a BPM tag
    key_tag_share: float = 0.15


STYLES: tuple[Style, ...] = (
    Style(
        "Synthwave",
        ("Electronic", "Retrowave"),
        (84, 118),
        ("Am", "F#m", "Dm", "Em", "Am", "Cm"),
        ((0, 5, 2, 6), (0, 6, 5, 6), (0, 5, 6, 0)),
        False,
        "synthwave",
        (0.65, 0.85),
        (0.55, 0.75),
        "pad",
        1.0,
        "octave",
        0.1,
        0.0,
        (2012, 2025),
        "alias",
        0.5,
        0.35,
    ),
    Style(
        "Lo-Fi Hip Hop",
        ("Hip Hop", "Chillhop"),
        (70, 90),
        ("Ebm", "Fm", "Bbm", "Eb", "Ab", "Cm"),
        ((1, 4, 0, 0), (0, 3), (3, 2, 1, 0)),
        True,
        "boom_bap",
        (0.15, 0.35),
        (0.3, 0.45),
        "keys",
        0.5,
        "sub",
        0.0,
        0.28,
        (2016, 2025),
        "lofi",
        0.4,
        0.3,
    ),
    Style(
        "Techno",
        ("Electronic", "Minimal"),
        (124, 136),
        ("Am", "Fm", "Gm", "Dm", "Am"),
        ((0, 0, 0, 5), (0, 0)),
        False,
        "techno",
        (0.55, 0.75),
        (0.8, 0.95),
        "stab",
        0.0,
        "sub",
        0.2,
        0.0,
        (1998, 2025),
        "alias",
        0.6,
        0.4,
    ),
    Style(
        "House",
        ("Electronic", "Deep House"),
        (118, 126),
        ("Cm", "Fm", "Gm", "Eb", "Ab", "Am"),
        ((0, 5, 3, 4), (0, 3, 0, 4)),
        True,
        "four_on_floor",
        (0.45, 0.65),
        (0.65, 0.8),
        "stab",
        0.5,
        "octave",
        0.0,
        0.12,
        (1992, 2025),
        "alias",
        0.5,
        0.3,
    ),
    Style(
        "Drum and Bass",
        ("Electronic", "Liquid Funk"),
        (168, 178),
        ("Fm", "Gm", "Em", "Dm", "Fm"),
        ((0, 5, 3, 4), (0, 6, 5, 6)),
        True,
        "breakbeat",
        (0.55, 0.8),
        (0.8, 0.95),
        "pad",
        1.0,
        "sub",
        0.15,
        0.0,
        (1996, 2025),
        "alias",
        0.45,
        0.3,
    ),
    Style(
        "Indie Rock",
        ("Alternative", "Rock"),
        (108, 150),
        ("G", "D", "A", "E", "C", "G", "D"),
        ((0, 4, 5, 3), (0, 3, 5, 4), (5, 3, 0, 4)),
        False,
        "rock",
        (0.6, 0.8),
        (0.65, 0.85),
        "power",
        1.0,
        "root",
        0.45,
        0.0,
        (2001, 2025),
        "band",
        0.05,
        0.05,
    ),
    Style(
        "Folk",
        ("Acoustic", "Singer-Songwriter"),
        (88, 120),
        ("G", "D", "C", "A", "F", "G"),
        ((0, 3, 0, 4), (0, 4, 3, 0), (5, 3, 0, 4)),
        False,
        "folk",
        (0.35, 0.5),
        (0.25, 0.45),
        "pluck",
        1.0,
        "root",
        0.0,
        0.0,
        (1968, 2025),
        "person",
        0.02,
        0.05,
    ),
    Style(
        "Jazz",
        ("Hard Bop", "Cool Jazz"),
        (100, 176),
        ("Bb", "F", "Eb", "C", "Ab", "Bb"),
        ((1, 4, 0, 5), (0, 5, 1, 4), (1, 4, 0, 0)),
        True,
        "jazz_swing",
        (0.25, 0.45),
        (0.35, 0.55),
        "keys",
        1.5,
        "walking",
        0.0,
        0.33,
        (1956, 2025),
        "jazz",
        0.05,
        0.1,
    ),
    Style(
        "Ambient",
        ("Electronic", "Drone"),
        (60, 80),
        ("C", "F", "D", "E", "Bb", "C"),
        ((0, 3), (0, 2, 3, 0), (0, 5, 3, 0)),
        True,
        "ambient_pulse",
        (0.05, 0.25),
        (0.05, 0.2),
        "pad",
        0.25,
        "sub",
        0.0,
        0.0,
        (1978, 2025),
        "ambient",
        0.1,
        0.2,
    ),
    Style(
        "Metal",
        ("Heavy Metal", "Rock"),
        (140, 196),
        ("Em", "Dm", "C#m", "Em", "Bm"),
        ((0, 5, 6, 0), (0, 3, 5, 4), (0, 1, 0, 6)),
        False,
        "metal",
        (0.85, 1.0),
        (0.9, 1.0),
        "power",
        2.0,
        "root",
        0.9,
        0.0,
        (1984, 2025),
        "metal",
        0.05,
        0.05,
    ),
)

STYLE_BY_NAME = {s.name: s for s in STYLES}


def parse_key(key: str) -> tuple[int, str]:
    """'F#m' -> (6, 'minor'); 'Bb' -> (10, 'major')."""
    minor = key.endswith("m")
    return NOTE_NAMES.index(key[:-1] if minor else key), "minor" if minor else "major"


def key_name(tonic: int, mode: str) -> str:
    return NOTE_NAMES[tonic % 12] + ("m" if mode == "minor" else "")
