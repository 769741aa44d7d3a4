"""A plausible listening history for the demo persona, and writing it to the store.

Weeks of sessions at the times a person with a job listens (the morning commute, lunch, evenings,
weekend afternoons), each an album, a shuffle of favourites or a bit of exploring. What happens
to each track comes from the persona's hidden :class:`~tuneup.demo.persona.Taste`: favourites are
finished, tracks outside their taste are skipped within seconds, a few get liked, one or two banned.
"""

from __future__ import annotations

import hashlib
import math
import os
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from tuneup.demo.catalog import Catalog, TrackSpec
from tuneup.demo.persona import SKIP_SECONDS, Taste, daypart

SOURCE = "demo"


@dataclass(frozen=True)
class Slot:
    name: str
    start: time
    end: time
    chance: float
    tracks: tuple[int, int]


WEEKDAY = (
    Slot("commute", time(7, 10), time(8, 35), 0.85, (10, 18)),
    Slot("lunch", time(12, 10), time(13, 15), 0.3, (4, 9)),
    Slot("evening", time(18, 30), time(21, 45), 0.7, (10, 22)),
    Slot("late", time(22, 40), time(23, 50), 0.2, (4, 10)),
)
WEEKEND = (
    Slot("late morning", time(9, 30), time(11, 30), 0.5, (6, 14)),
    Slot("afternoon", time(13, 0), time(17, 0), 0.85, (14, 30)),
    Slot("evening", time(19, 0), time(22, 30), 0.55, (8, 20)),
)


@dataclass(frozen=True)
class Listen:
    relpath: str
    started_at: datetime  # aware, UTC
    ms_played: int
    duration_ms: int
    end_reason: str
    skipped: bool


@dataclass(frozen=True)
class Feedback:
    relpath: str
    kind: str  # like, dislike, ban
    created_at: datetime


@dataclass
class History:
    listens: list[Listen] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)


def generate_history(
    catalog: Catalog, taste: Taste, *, seed: int, end: datetime, weeks: int = 7
) -> History:
    """Sessions over the ``weeks`` before ``end`` (aware datetime); deterministic given the arguments."""
    gen = _Generator(catalog, taste, random.Random(seed * 104729 + 3), end.astimezone(timezone.utc))
    first = end.astimezone().date() - timedelta(days=7 * weeks - 1)
    for offset in range(7 * weeks):
        gen.day(first + timedelta(days=offset), offset / 7)
    return gen.history


class _Generator:
    def __init__(self, catalog: Catalog, taste: Taste, rng: random.Random, end: datetime):
        self.catalog, self.taste, self.rng, self.end = catalog, taste, rng, end
        self.history = History()
        self.banned: set[str] = set()
        self.disliked: set[str] = set()
        self.liked: set[str] = set()
        self.finishes: dict[str, int] = {}
        self.skips: dict[str, int] = {}
        tracks = catalog.tracks
        noisy = sorted(tracks, key=lambda t: taste.score(t) + rng.gauss(0, 0.3), reverse=True)
        self.rotation = noisy[: max(5, len(tracks) // 12)]  # what is on repeat
        self.albums: dict[tuple[str, str], list[TrackSpec]] = {}
        for t in tracks:
            if t.album:
                self.albums.setdefault((t.albumartist or t.artist, t.album), []).append(t)

    def day(self, day: date, week: float) -> None:
        for slot in WEEKEND if day.weekday() >= 5 else WEEKDAY:
            if self.rng.random() < slot.chance:
                self.session(slot, self.local_start(day, slot), week)

    def local_start(self, day: date, slot: Slot) -> datetime:
        lo = datetime.combine(day, slot.start)
        hi = datetime.combine(day, slot.end)
        naive = lo + timedelta(seconds=self.rng.uniform(0, (hi - lo).total_seconds()))
        return naive.astimezone()  # the machine's local time zone, daylight saving included

    def session(self, slot: Slot, start: datetime, week: float) -> None:
        part = daypart(start.hour)
        count = self.rng.randint(*slot.tracks)
        mode = self.rng.choices(("album", "shuffle", "explore"), (0.25, 0.63, 0.12))[0]
        queue = {
            "album": self.album_queue,
            "shuffle": self.shuffle_queue,
            "explore": self.explore_queue,
        }[mode]
        clock = start.astimezone(timezone.utc)
        tracks = [t for t in queue(count, week, part) if t.relpath not in self.banned]
        for i, track in enumerate(tracks):
            if clock >= self.end:
                return
            ms, reason = self.taste.outcome(track, self.rng, week=week, daypart=part)
            if (
                reason == "finished"
                and i == len(tracks) - 1
                and track.duration_ms > 33_000
                and self.rng.random() < 0.3
            ):
                ms, reason = (
                    int(self.rng.uniform(SKIP_SECONDS + 0.5, track.duration_ms / 1000 - 1) * 1000),
                    "stopped",
                )
            skipped = reason != "finished" and ms < SKIP_SECONDS * 1000
            self.history.listens.append(
                Listen(track.relpath, clock, ms, track.duration_ms, reason, skipped)
            )
            self.react(track, reason, clock + timedelta(milliseconds=ms), week, part)
            clock += timedelta(
                milliseconds=ms + (self.rng.randint(300, 2500) if reason == "finished" else 150)
            )

    def react(self, track: TrackSpec, reason: str, when: datetime, week: float, part: str) -> None:
        """Likes, dislikes and bans, the way people hand them out: rarely, after a few plays."""
        key, score = track.relpath, self.taste.score(track, week=week)
        if reason == "finished":
            self.finishes[key] = self.finishes.get(key, 0) + 1
            if (
                self.finishes[key] >= 3
                and score > 0.9
                and key not in self.liked
                and len(self.liked) < 12
                and self.rng.random() < 0.5
            ):
                self.liked.add(key)
                self.history.feedback.append(Feedback(key, "like", when + timedelta(seconds=2)))
            return
        self.skips[key] = self.skips.get(key, 0) + 1
        if score < -0.6 and len(self.banned) < 2 and self.rng.random() < 0.2:
            self.banned.add(key)
            self.history.feedback.append(Feedback(key, "ban", when + timedelta(seconds=1)))
        elif (
            self.skips[key] >= 2
            and score < -0.3
            and key not in self.disliked
            and len(self.disliked) < 2
            and self.rng.random() < 0.3
        ):
            self.disliked.add(key)
            self.history.feedback.append(Feedback(key, "dislike", when + timedelta(seconds=1)))

    def weights(
        self, tracks: list[TrackSpec], week: float, part: str, sharpness: float = 1.6
    ) -> list[float]:
        return [math.exp(sharpness * self.taste.score(t, week=week, daypart=part)) for t in tracks]

    def album_queue(self, count: int, week: float, part: str) -> list[TrackSpec]:
        albums = list(self.albums.values())
        scores = [sum(self.weights(a, week, part)) / len(a) for a in albums]
        album = self.rng.choices(albums, scores)[0]
        ordered = sorted(album, key=lambda t: (t.discnumber, t.tracknumber or 0))
        return ordered[: max(count, 3)]

    def shuffle_queue(self, count: int, week: float, part: str) -> list[TrackSpec]:
        pool = self.catalog.tracks
        weights = self.weights(pool, week, part)
        out: list[TrackSpec] = []
        for _ in range(count):
            if self.rng.random() < 0.4:
                out.append(self.rng.choice(self.rotation))
            else:
                out.append(self.rng.choices(pool, weights)[0])
        return out

    def explore_queue(self, count: int, week: float, part: str) -> list[TrackSpec]:
        unplayed = [
            t
            for t in self.catalog.tracks
            if t.relpath not in self.finishes and t.relpath not in self.skips
        ]
        pool = unplayed if len(unplayed) >= count else self.catalog.tracks
        return self.rng.sample(pool, min(count, len(pool)))


def dedup_key(profile: str, listen: Listen) -> str:
    digest = hashlib.sha1(
        f"{profile}|{listen.started_at.isoformat()}|{listen.relpath}".encode()
    ).hexdigest()
    return f"{SOURCE}:{digest[:24]}"


def existing_listens(db, profile_id: int) -> int:
    return db.execute(
        "SELECT count(*) FROM listens WHERE profile_id = ? AND source = ?", [profile_id, SOURCE]
    ).fetchone()[0]


def item_ids(db, root: str) -> dict[str, int]:
    """relpath (under ``root``) -> item id, for the items the scan found there."""
    prefix = os.fsencode(os.path.join(os.path.abspath(root), ""))
    rows = db.execute(
        "SELECT id, path_raw FROM items WHERE substr(path_raw, 1, ?) = ?", [len(prefix), prefix]
    )
    return {os.fsdecode(raw[len(prefix) :]).replace(os.sep, "/"): item_id for item_id, raw in rows}


def write_history(
    db, profile_id: int, profile_name: str, root: str, catalog: Catalog, history: History
) -> dict:
    """Store the history in one transaction, unless this profile already has the demo's history."""
    from tuneup.store.db import write

    with write(db):
        if existing := existing_listens(db, profile_id):
            return {"listens": 0, "feedback": 0, "kept": existing, "unmatched": 0}
        ids = item_ids(db, root)
        rows, unmatched = [], 0
        for listen in history.listens:
            spec = catalog.by_relpath(listen.relpath)
            item_id = ids.get(listen.relpath)
            unmatched += item_id is None
            rows.append(
                (
                    item_id,
                    profile_id,
                    _iso(listen.started_at),
                    listen.ms_played,
                    listen.duration_ms,
                    listen.end_reason,
                    int(listen.skipped),
                    SOURCE,
                    spec.artist,
                    spec.title,
                    spec.album,
                    (spec.mbids or {}).get("trackid"),
                    dedup_key(profile_name, listen),
                )
            )
        db.conn.executemany(
            "INSERT OR IGNORE INTO listens (item_id, profile_id, started_at, ms_played, duration_ms, end_reason, "
            "skipped, source, artist, title, album, mbid, dedup_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        feedback = [
            (
                profile_id,
                ids[f.relpath],
                catalog.by_relpath(f.relpath).artist,
                catalog.by_relpath(f.relpath).title,
                f.kind,
                _iso(f.created_at),
                SOURCE,
            )
            for f in history.feedback
            if f.relpath in ids
        ]
        db.conn.executemany(
            "INSERT OR IGNORE INTO feedback (profile_id, item_id, artist, title, kind, created_at, source) "
            "VALUES (?,?,?,?,?,?,?)",
            feedback,
        )
    return {"listens": len(rows), "feedback": len(feedback), "kept": 0, "unmatched": unmatched}


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
