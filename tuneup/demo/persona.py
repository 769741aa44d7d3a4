"""The demo listener's hidden taste: what they love, tolerate and skip, and how that drifts.

The listening history is drawn from a :class:`Taste`; simulated listeners in the model's
tests and benchmarks can reuse the same class (``Taste.score`` / ``finish_probability`` /
``outcome``) over the demo catalog to judge what tuneup recommends.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Mapping, Protocol

from tuneup.demo import names
from tuneup.demo.genres import STYLE_BY_NAME

SKIP_SECONDS = 30


def daypart(hour: int) -> str:
    """morning 5-11, afternoon 11-17, evening 17-22, night 22-5 (local time)."""
    if 5 <= hour < 11:
        return "morning"
    if 11 <= hour < 17:
        return "afternoon"
    if 17 <= hour < 22:
        return "evening"
    return "night"


class TrackLike(Protocol):
    """What a taste needs to know about a track (a catalog TrackSpec has all of it)."""

    style: str
    genres: tuple[str, ...]
    artist: str
    bpm: float
    brightness: float
    energy: float
    mode: str
    duration_ms: int


@dataclass(frozen=True)
class FeaturePrefs:
    tempo_bpm: float  # preferred tempo (half and double time count as close)
    tempo_width: float  # BPM distance at which liking has fallen to ~60%
    brightness: float  # 0 dark .. 1 bright
    energy: float  # 0 calm .. 1 driving
    minor: float  # -1 prefers major keys .. 1 prefers minor
    weight: float = 0.5  # how much the sound matters next to genre and artist


@dataclass(frozen=True)
class Taste:
    name: str
    genre_weights: Mapping[str, float]  # affinity in [-1, 1] when the history starts
    genre_drift: Mapping[str, float]  # change of affinity per week
    favourite_artists: tuple[str, ...]
    disliked_artists: tuple[str, ...]
    features: FeaturePrefs
    daypart_genres: Mapping[str, Mapping[str, float]]  # extra affinity by time of day
    daypart_energy: Mapping[str, float] = field(
        default_factory=lambda: {"morning": 0.2, "afternoon": 0.0, "evening": -0.15, "night": -0.35}
    )

    def genre_affinity(self, genre: str, week: float = 0.0) -> float:
        value = self.genre_weights.get(genre, 0.0) + self.genre_drift.get(genre, 0.0) * week
        return max(-1.0, min(1.0, value))

    def sound_affinity(self, track: TrackLike, daypart_name: str | None = None) -> float:
        """How well the track's tempo, brightness, energy and mode suit this person, in [-1, 1]."""
        f = self.features
        tempo_gap = min(
            abs(track.bpm - f.tempo_bpm),
            abs(track.bpm / 2 - f.tempo_bpm),
            abs(track.bpm * 2 - f.tempo_bpm),
        )
        tempo = math.exp(-0.5 * (tempo_gap / f.tempo_width) ** 2)
        energy_target = min(
            1.0, max(0.0, f.energy + self.daypart_energy.get(daypart_name or "", 0.0))
        )
        bright = 1 - abs(track.brightness - f.brightness)
        energy = 1 - abs(track.energy - energy_target)
        mode = 0.5 + 0.5 * f.minor * (1 if track.mode == "minor" else -1)
        return 2 * (0.35 * tempo + 0.25 * bright + 0.25 * energy + 0.15 * mode) - 1

    def score(self, track: TrackLike, *, week: float = 0.0, daypart: str | None = None) -> float:
        """Overall liking (about -2 .. 2): genre, artist, sound, and the time of day."""
        value = self.genre_affinity(track.style, week)
        if track.artist in self.favourite_artists:
            value += 0.7
        elif track.artist in self.disliked_artists:
            value -= 0.8
        value += self.features.weight * self.sound_affinity(track, daypart)
        if daypart:
            value += self.daypart_genres.get(daypart, {}).get(track.style, 0.0)
        return value

    def finish_probability(self, track: TrackLike, **context) -> float:
        return 1 / (1 + math.exp(-3.0 * (self.score(track, **context) - 0.15)))

    def outcome(self, track: TrackLike, rng: random.Random, **context) -> tuple[int, str]:
        """(ms played, end reason) of one play: finished, or skipped within the first 30 s."""
        if rng.random() < self.finish_probability(track, **context):
            return track.duration_ms, "finished"
        latest = min(SKIP_SECONDS - 2, 0.8 * track.duration_ms / 1000)
        return int(rng.uniform(1.5, max(2.0, latest)) * 1000), "skipped"


def default_persona(catalog, seed: int = 1) -> Taste:
    """The demo's listener, drawn from ``seed``: two loved genres, a few liked, some avoided, one rising."""
    rng = random.Random(seed * 7919 + 17)
    genres = list(catalog.genres)
    rng.shuffle(genres)
    n = len(genres)
    loved, liked = genres[:2], genres[2 : 2 + max(1, n // 4)]
    neutral = genres[len(loved) + len(liked) : len(loved) + len(liked) + max(1, n // 5)]
    disliked = genres[len(loved) + len(liked) + len(neutral) :]
    weights = {g: rng.uniform(0.8, 1.0) for g in loved}
    weights |= {g: rng.uniform(0.35, 0.55) for g in liked}
    weights |= {g: rng.uniform(-0.1, 0.1) for g in neutral}
    weights |= {g: rng.uniform(-0.9, -0.4) for g in disliked}
    drift = {neutral[0]: 0.14} if neutral else {}  # a genre they get into over the weeks
    drift[liked[-1]] = drift.get(liked[-1], 0.0) - 0.06  # and one they tire of
    by_genre: dict[str, list[str]] = {}
    for artist, genre in sorted(catalog.artist_genre.items()):
        by_genre.setdefault(genre, []).append(artist)
    favourites = [a for g in loved for a in rng.sample(by_genre[g], min(2, len(by_genre[g])))]
    favourites += rng.sample(by_genre[liked[0]], 1)
    others = [a for a in by_genre[liked[-1]] if a not in favourites]
    disliked_artists = rng.sample(others, 1) if len(others) > 1 else []
    styles = [STYLE_BY_NAME[g] for g in loved]
    features = FeaturePrefs(
        tempo_bpm=sum(sum(s.bpm) / 2 for s in styles) / len(styles),
        tempo_width=18.0,
        brightness=sum(sum(s.brightness) / 2 for s in styles) / len(styles),
        energy=sum(sum(s.energy) / 2 for s in styles) / len(styles),
        minor=sum(_minor_share(s) for s in styles) / len(styles) * 2 - 1,
    )
    calm = sorted(
        (g for g in genres if weights[g] > -0.2), key=lambda g: sum(STYLE_BY_NAME[g].energy)
    )
    dayparts = {
        "morning": {calm[-1]: 0.3},
        "evening": {calm[0]: 0.25},
        "night": {calm[0]: 0.45},
        "afternoon": {},
    }
    return Taste(
        names.FIRST[rng.randrange(len(names.FIRST))],
        weights,
        drift,
        tuple(favourites),
        tuple(disliked_artists),
        features,
        dayparts,
    )


def _minor_share(style) -> float:
    return sum(k.endswith("m") for k in style.keys) / len(style.keys)
