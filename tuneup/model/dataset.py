"""What the model learns from, as plain arrays: the catalogue, events, feedback and taste seeds.

Two sources fill it: the store (:func:`tuneup.model.sources.from_db`) and an evaluation
directory of CSV files (:func:`tuneup.model.sources.from_csv`). Everything after that is the
same code, so what `tuneup eval` measures is what the app runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Event outcomes.
FINISHED, SKIPPED, STOPPED = 1, 0, 2
# Feedback kinds.
LIKE, DISLIKE, BAN = 1, -1, -2
FEEDBACK_CODES = {"like": LIKE, "dislike": DISLIKE, "ban": BAN}


@dataclass
class Catalogue:
    """One row per item. ``tokens`` are content tokens like ``g:jazz``, ``a:miles davis``."""

    item_ids: np.ndarray  # int64, sorted
    kinds: list[str]
    titles: list[str]
    artists: list[str]  # display artist ('' when unknown)
    albums: list[str]
    tokens: list[list[str]]
    genres: list[list[str]]  # display genres
    audio: np.ndarray | None = None  # (n, d) float32, rows normalised; zero rows when absent
    audio_names: list[str] = field(default_factory=list)
    audio_data: list[dict] | None = None  # named features per row (for reasons), may be None

    def __len__(self) -> int:
        return len(self.item_ids)

    def index_of(self) -> dict[int, int]:
        return {int(i): n for n, i in enumerate(self.item_ids)}


@dataclass
class Events:
    """Listens (or interactions). ``item`` is a row index into the catalogue, -1 when unmatched."""

    profile: np.ndarray  # int64 profile ids
    item: np.ndarray  # int64 row index or -1
    time: np.ndarray  # float64 unix seconds
    outcome: np.ndarray  # int8 FINISHED/SKIPPED/STOPPED
    fraction: np.ndarray  # float32 share of the item played (1.0 when unknown)
    weight: np.ndarray  # float32 extra weight (the eval format's optional weight column)
    unmatched_artist: dict[int, list[tuple[str, float]]] = field(
        default_factory=dict
    )  # profile -> (artist, time)

    def __len__(self) -> int:
        return len(self.item)

    @classmethod
    def empty(cls) -> "Events":
        return cls(
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0, np.float64),
            np.zeros(0, np.int8),
            np.zeros(0, np.float32),
            np.zeros(0, np.float32),
        )

    def subset(self, mask: np.ndarray) -> "Events":
        return Events(
            self.profile[mask],
            self.item[mask],
            self.time[mask],
            self.outcome[mask],
            self.fraction[mask],
            self.weight[mask],
            self.unmatched_artist,
        )


@dataclass
class Feedback:
    profile: np.ndarray  # int64
    item: np.ndarray  # int64 row index, -1 when unmatched
    kind: np.ndarray  # int8 LIKE/DISLIKE/BAN
    time: np.ndarray  # float64
    artist: list[str] = field(default_factory=list)  # for unmatched rows ('' otherwise)

    @classmethod
    def empty(cls) -> "Feedback":
        return cls(
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0, np.int8),
            np.zeros(0, np.float64),
            [],
        )


@dataclass
class Dataset:
    catalogue: Catalogue
    events: Events
    feedback: Feedback
    seeds: dict[int, list[tuple[str, str]]]  # profile -> [(kind, value)]
    profiles: dict[int, str]
    baskets: str = "session"  # "session": split each profile's events at gaps; "profile": one basket per profile
    session_gap_s: float = 30 * 60
    as_of: float = 0.0  # unix time the data describes ("now")
    stamp: str = ""  # the store's latest change, for freshness checks
