"""One profile's taste, computed from its events, feedback and seeds.

Recency-weighted: an event loses half its weight every ``half_life_days``. Finished plays and
likes pull, skips and dislikes push, bans exclude. Imported listens count like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tuneup.model.dataset import BAN, DISLIKE, FINISHED, LIKE, SKIPPED, STOPPED

DAY = 86400.0
HALF_LIFE_DAYS = 120.0
OUTCOME_WEIGHT = {FINISHED: 1.0, STOPPED: 0.4, SKIPPED: -0.6}
LIKE_WEIGHT, DISLIKE_WEIGHT = 2.0, -2.0


def day_part(hour: np.ndarray | int) -> np.ndarray | int:
    """0 night (0-5), 1 morning (6-11), 2 afternoon (12-17), 3 evening (18-23)."""
    return np.asarray(hour) // 6 if not isinstance(hour, int) else hour // 6


DAY_PARTS = ("night", "morning", "afternoon", "evening")


@dataclass
class ProfileEvents:
    """The raw per-profile arrays the model keeps (saved in the .npz)."""

    item: np.ndarray  # int64 rows (matched only)
    time: np.ndarray  # float64
    outcome: np.ndarray  # int8
    fraction: np.ndarray  # float32
    weight: np.ndarray  # float32
    fb_item: np.ndarray  # int64
    fb_kind: np.ndarray  # int8
    fb_time: np.ndarray  # float64


@dataclass
class ProfileState:
    n_items: int
    taste: np.ndarray  # (n,) net recency-weighted taste per item
    plays: np.ndarray  # (n,) int32 number of plays
    finishes: np.ndarray  # (n,) int32
    skips: np.ndarray  # (n,) int32
    recent: np.ndarray  # (n,) int32 plays in the last 30 days
    last_played: np.ndarray  # (n,) float64, -inf when never
    liked: np.ndarray  # bool
    disliked: np.ndarray  # bool
    banned: np.ndarray  # bool
    n_signal: int  # events + feedback with a signal
    as_of: float
    part_taste: (
        np.ndarray
    )  # (6, n) taste per day part (night, morning, afternoon, evening), weekday, weekend

    @property
    def positive(self) -> np.ndarray:
        return np.maximum(self.taste, 0.0)


def local_offset_s() -> float:
    """This machine's offset from UTC: listens are stored in UTC, people live in local time."""
    import time

    return float(time.localtime().tm_gmtoff)


def context_key(when) -> tuple[int, bool] | None:
    """(day part, is weekend) of a datetime (naive means local time), or None."""
    if when is None:
        return None
    if when.tzinfo is not None:
        when = when.astimezone()
    return int(day_part(when.hour)), when.weekday() >= 5


def build_state(
    ev: ProfileEvents,
    n_items: int,
    as_of: float,
    half_life_days: float = HALF_LIFE_DAYS,
    utc_offset_s: float | None = None,
) -> ProfileState:
    utc_offset_s = local_offset_s() if utc_offset_s is None else utc_offset_s
    n = n_items
    age = np.maximum(as_of - ev.time, 0.0) / DAY
    decay = 0.5 ** (age / half_life_days)
    outcome_w = np.select(
        [ev.outcome == FINISHED, ev.outcome == SKIPPED],
        [OUTCOME_WEIGHT[FINISHED], OUTCOME_WEIGHT[SKIPPED]],
        OUTCOME_WEIGHT[STOPPED],
    )
    outcome_w = np.where(
        ev.outcome == STOPPED, outcome_w * np.clip(ev.fraction * 2, 0.2, 1.5), outcome_w
    )
    w = decay * outcome_w * ev.weight
    taste = np.bincount(ev.item, weights=w, minlength=n)
    local = ev.time + utc_offset_s
    part = day_part(((local % DAY) // 3600).astype(np.int64))
    weekend = ((local // DAY).astype(np.int64) + 3) % 7 >= 5  # 1970-01-01 was a Thursday
    part_taste = np.zeros((6, n))
    for p, sel in enumerate([part == 0, part == 1, part == 2, part == 3, ~weekend, weekend]):
        if sel.any():
            part_taste[p] = np.bincount(ev.item[sel], weights=np.maximum(w[sel], 0), minlength=n)
    plays = np.bincount(ev.item, minlength=n).astype(np.int32)
    finishes = np.bincount(ev.item[ev.outcome == FINISHED], minlength=n).astype(np.int32)
    skips = np.bincount(ev.item[ev.outcome == SKIPPED], minlength=n).astype(np.int32)
    recent = np.bincount(ev.item[age <= 30], minlength=n).astype(np.int32)
    last = np.full(n, -np.inf)
    if len(ev.item):
        np.maximum.at(last, ev.item, ev.time)
    liked = np.zeros(n, bool)
    disliked = np.zeros(n, bool)
    banned = np.zeros(n, bool)
    liked[ev.fb_item[ev.fb_kind == LIKE]] = True
    disliked[ev.fb_item[ev.fb_kind == DISLIKE]] = True
    banned[ev.fb_item[ev.fb_kind == BAN]] = True
    taste = taste + LIKE_WEIGHT * liked + DISLIKE_WEIGHT * disliked
    taste[banned] = 0.0
    n_signal = int(len(ev.item) + len(ev.fb_item))
    return ProfileState(
        n,
        taste,
        plays,
        finishes,
        skips,
        recent,
        last,
        liked,
        disliked,
        banned,
        n_signal,
        as_of,
        part_taste,
    )
