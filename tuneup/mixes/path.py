"""A path between songs: ``tuneup mix --path A B [C...] --size N`` walks through the audio-feature
space from A to B (then on to C, ...), in N items that start at A and end at the last waypoint.

The walk: the N slots are shared between the legs by their length in feature space; each slot has a
target on the straight line between its leg's waypoints, and takes the present, analysed track
closest to that target among those no farther from the item before than the library's *step
limit* (the 75th percentile of every track's distance to its nearest neighbour) — or, where no track
is that close, the track nearest to the item before. No item twice; no artist twice in a row
(``tuneup.store.items.artist_key``); bans and out-of-season items are never taken. Each item's
evidence holds its step distance, so where the library does not allow the limit it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from tuneup.errors import NothingToMixError
from tuneup.mixes.catalog import aware, banned_ids, iso, mix_items, profile_name
from tuneup.mixes.types import Mix, Pick
from tuneup.store.items import PRESENT, artist_key, present
from tuneup.store.resolve import resolve

KIND = "path"
STEP_PERCENTILE = 75


@dataclass
class Space:
    ids: np.ndarray
    vectors: np.ndarray  # (n, d) float32
    artists: list[str]

    def row(self, item_id: int) -> int | None:
        pos = int(np.searchsorted(self.ids, item_id))
        return pos if pos < len(self.ids) and self.ids[pos] == item_id else None


def load_space(db) -> Space:
    rows = db.execute(
        "SELECT i.id, i.artist, i.albumartist, f.vector FROM items i JOIN features f "
        "ON f.item_id = i.id WHERE f.status = 'ok' AND f.vector IS NOT NULL "
        f"AND i.kind = 'track' AND {present('i')} ORDER BY i.id"
    ).fetchall()
    if not rows:
        return Space(np.zeros(0, np.int64), np.zeros((0, 0), np.float32), [])
    sizes = np.asarray([len(r[3]) for r in rows]) // 4
    d = int(np.bincount(sizes).argmax())
    rows = [r for r, size in zip(rows, sizes) if size == d]
    vectors = np.frombuffer(b"".join(r[3] for r in rows), np.float32).reshape(len(rows), d)
    ok = np.all(np.isfinite(vectors), axis=1)
    rows = [r for r, good in zip(rows, ok.tolist()) if good]
    return Space(
        np.asarray([r[0] for r in rows], np.int64),
        np.ascontiguousarray(vectors[ok]),
        [artist_key(r[1], r[2]) for r in rows],
    )


def step_limit(space: Space, chunk: int = 1024) -> float:
    """The 75th percentile of each track's distance to its nearest other track."""
    v = space.vectors.astype(np.float64)
    n = len(v)
    if n < 2:
        return 0.0
    sq = np.einsum("ij,ij->i", v, v)
    nearest = np.empty(n)
    for start in range(0, n, chunk):
        block = v[start : start + chunk]
        d2 = sq[start : start + chunk, None] + sq[None, :] - 2 * block @ v.T
        d2[np.arange(len(block)), np.arange(start, start + len(block))] = np.inf
        nearest[start : start + chunk] = np.sqrt(np.maximum(d2.min(axis=1), 0))
    return float(np.percentile(nearest, STEP_PERCENTILE))


def make(
    db,
    profile_id: int,
    waypoints: list[str],
    *,
    size: int = 20,
    now: datetime | None = None,
    space: Space | None = None,
) -> Mix:
    if len(waypoints) < 2:
        raise NothingToMixError("a path needs at least two songs: `tuneup mix --path A B [C...]`")
    now = aware(now)
    space = space or load_space(db)
    items = [resolve(db, w, PRESENT) for w in waypoints]
    rows = []
    for item in items:
        row = space.row(item.id)
        if row is None:
            raise NothingToMixError(
                f"{item.label} has no audio features yet: run `tuneup analyze` first"
            )
        rows.append(row)
    size = max(size, len(rows))
    limit = step_limit(space)
    banned = banned_ids(db, profile_id, now) - set(int(space.ids[r]) for r in rows)
    walk = _walk(space, rows, size, limit, banned)
    labels = " to ".join(i.label for i in items)
    entries = []
    for n, (row, step) in enumerate(walk):
        fixed = row in rows
        entries.append(
            Pick(
                int(space.ids[row]),
                f"path {labels}: "
                + ("waypoint" if fixed else f"step {n + 1} of {len(walk)}")
                + (f", {step:.2f} from the one before" if n else ""),
                False,
                {
                    "step": n + 1,
                    "step_distance": round(step, 4),
                    "step_limit": round(limit, 4),
                    "within_limit": bool(step <= limit + 1e-9),
                },
            )
        )
    over = sum(1 for _, s in walk[1:] if s > limit + 1e-9)
    return Mix(
        KIND,
        f"Path: {labels}",
        mix_items(db, entries),
        profile_name(db, profile_id),
        iso(now),
        None,
        f"{len(walk)} steps; step limit {limit:.3f} (75th percentile nearest-neighbour distance); "
        f"{over} steps over it",
    )


def _walk(space: Space, rows: list[int], size: int, limit: float, banned: set[int]):
    v = space.vectors.astype(np.float64)
    legs = [float(np.linalg.norm(v[b] - v[a])) for a, b in zip(rows, rows[1:])]
    slots = _slots(legs, size - len(rows))  # items between each pair of waypoints
    free = ~np.isin(space.ids, np.fromiter(banned, np.int64))
    free[rows] = False
    path: list[tuple[int, float]] = [(rows[0], 0.0)]
    for (a, b), between in zip(zip(rows, rows[1:]), slots):
        for k in range(1, between + 1):
            target = v[a] + (v[b] - v[a]) * (k / (between + 1))
            ahead = space.artists[b] if k == between else ""  # the waypoint comes next
            row, step = _step(v, path[-1][0], target, limit, free, space.artists, ahead)
            if row is None:
                break
            free[row] = False
            path.append((row, step))
        path.append((b, float(np.linalg.norm(v[b] - v[path[-1][0]]))))
    return path


def _slots(legs: list[float], total: int) -> list[int]:
    """``total`` in-between items shared by leg length (largest remainders; equal legs alike)."""
    if total <= 0:
        return [0] * len(legs)
    weights = np.asarray(legs) if sum(legs) > 0 else np.ones(len(legs))
    raw = total * weights / weights.sum()
    out = np.floor(raw).astype(int)
    for k in np.argsort(-(raw - out), kind="stable")[: total - int(out.sum())]:
        out[k] += 1
    return out.tolist()


def _step(v, prev: int, target, limit: float, free, artists, ahead: str = ""):
    """The free track nearest ``target`` within ``limit`` of ``prev`` (not by prev's artist, nor by
    ``ahead``, the next waypoint's); else the free track nearest ``prev``."""
    candidates = np.flatnonzero(free)
    avoid = {a for a in (artists[prev], ahead) if a}
    if avoid:
        same = np.fromiter((artists[c] in avoid for c in candidates), bool, len(candidates))
        if (~same).any():
            candidates = candidates[~same]
    if not len(candidates):
        return None, 0.0
    step = np.linalg.norm(v[candidates] - v[prev], axis=1)
    near = step <= limit + 1e-9
    if near.any():
        pool, pool_step = candidates[near], step[near]
        to_target = np.linalg.norm(v[pool] - target, axis=1)
        best = int(np.lexsort((pool, to_target))[0])
        return int(pool[best]), float(pool_step[best])
    best = int(np.lexsort((candidates, step))[0])
    return int(candidates[best]), float(step[best])


__all__ = ["Space", "load_space", "make", "step_limit"]
