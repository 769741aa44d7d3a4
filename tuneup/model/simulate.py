"""Simulated listeners: people with hidden tastes who play the weekly discovery list tuneup gives them.

A generated catalogue (genres, artists, albums, audio feature vectors) lives in a real SQLite store.
Each person has a hidden taste over genres, artists and sound, drifting a little every week; they play
their own favourites, and each week they play the discovery list a strategy gives them: finishing,
skipping and liking with probabilities set by their hidden taste. Every week the model is refitted
through the public API on the store, exactly as the app does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from tuneup.model.profile import DAY

GENRES = (
    "ambient",
    "synthwave",
    "jazz",
    "folk",
    "techno",
    "metal",
    "classical",
    "hip hop",
    "reggae",
    "indie rock",
)
AUDIO_NAMES = ("tempo", "centroid", "rms", "danceability", "zcr", "onset_rate", "d6", "d7")
START = datetime(2026, 1, 5, tzinfo=timezone.utc)  # a Monday


@dataclass
class Library:
    item_ids: np.ndarray
    genre: np.ndarray
    artist: np.ndarray
    audio: np.ndarray


@dataclass
class Person:
    genre_aff: np.ndarray
    artist_aff: np.ndarray
    audio_pref: np.ndarray
    known: np.ndarray  # rows of the items they already own and play
    rng: np.random.Generator
    sound_weight: float = 1.5  # how much the sound matters next to genre and artist

    def utility(self, lib: Library, rows: np.ndarray) -> np.ndarray:
        return (
            self.genre_aff[lib.genre[rows]]
            + self.artist_aff[lib.artist[rows]]
            + self.sound_weight * (lib.audio[rows] @ self.audio_pref)
        )

    def p_finish(self, lib: Library, rows: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-2.2 * (self.utility(lib, rows) - 0.9)))

    def drift(self) -> None:
        self.genre_aff += self.rng.normal(0, 0.05, len(self.genre_aff))


def make_library(
    db, n_per_genre_artists: int = 12, albums: int = 2, tracks: int = 8, seed: int = 0
) -> Library:
    from tuneup.store import utcnow, write

    rng = np.random.default_rng(seed)
    d = len(AUDIO_NAMES)
    centres = rng.normal(0, 1, (len(GENRES), d))
    rows, genre, artist, audio = [], [], [], []
    iid = 0
    with write(db):
        for g, gname in enumerate(GENRES):
            for a in range(n_per_genre_artists):
                a_id = g * n_per_genre_artists + a
                offset = rng.normal(0, 0.8, d)
                for b in range(albums):
                    for t in range(tracks):
                        iid += 1
                        v = centres[g] + offset + rng.normal(0, 0.5, d)
                        vec = (v / np.linalg.norm(v)).astype(np.float32)
                        now = utcnow()
                        db.execute(
                            "INSERT INTO items (id, path_raw, path, kind, size, mtime_ns, added_at, updated_at, title, "
                            "artist, album, genres, year, duration) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                            [
                                iid,
                                f"/sim/{iid}.ogg".encode(),
                                f"/sim/{iid}.ogg",
                                "track",
                                1000,
                                1,
                                now,
                                now,
                                f"Track {iid}",
                                f"{gname.title()} Artist {a}",
                                f"Album {b} of {gname} {a}",
                                json.dumps([gname]),
                                1970 + int(rng.integers(0, 55)),
                                200.0,
                            ],
                        )
                        data = {name: float(v[k]) for k, name in enumerate(AUDIO_NAMES[:6])}
                        db.execute(
                            "INSERT INTO features (item_id, version, computed_at, status, data, vector) "
                            "VALUES (?,?,?,?,?,?)",
                            [iid, 1, now, "ok", json.dumps(data), vec.tobytes()],
                        )
                        genre.append(g)
                        artist.append(a_id)
                        audio.append(vec)
                        rows.append(iid)
    return Library(np.asarray(rows), np.asarray(genre), np.asarray(artist), np.asarray(audio))


def make_person(lib: Library, seed: int, kind: str = "genre") -> Person:
    """``kind`` "genre": genres and artists matter most; "sound": the sound matters most, genre little."""
    rng = np.random.default_rng(seed)
    g = rng.normal(-0.6, 0.5, len(GENRES))
    g[rng.choice(len(GENRES), 3, replace=False)] += rng.uniform(1.0, 2.0, 3)
    p = rng.normal(0, 1, lib.audio.shape[1])
    p /= np.linalg.norm(p)
    art = rng.normal(0, 0.5, int(lib.artist.max()) + 1)
    if kind == "sound":
        g, art, sound = 0.3 * g, 0.3 * art, 3.0
    else:
        sound = 1.5
    person = Person(g, art, p, np.zeros(0, np.int64), rng, sound)
    u = person.utility(lib, np.arange(len(lib.item_ids)))
    owned = rng.random(len(u)) < 0.25
    person.known = np.flatnonzero(owned & (u > np.quantile(u[owned], 0.4)))
    return person


def _write_listens(
    db, pid: int, lib: Library, rows, finished, liked, day: datetime, source: str
) -> None:
    from tuneup.store import write

    with write(db):
        t = day
        for n, (r, fin, like) in enumerate(zip(rows, finished, liked)):
            if n % 12 == 0:
                t = day + timedelta(hours=int(8 + 2 * (n // 12) % 14), minutes=n % 7)
            ms = 200_000 if fin else 15_000
            db.execute(
                "INSERT INTO listens (item_id, profile_id, started_at, ms_played, duration_ms, end_reason, "
                "skipped, source) VALUES (?,?,?,?,?,?,?,?)",
                [
                    int(lib.item_ids[r]),
                    pid,
                    t.isoformat(timespec="seconds"),
                    ms,
                    200_000,
                    "finished" if fin else "skipped",
                    0 if fin else 1,
                    source,
                ],
            )
            if like:
                db.execute(
                    "INSERT OR IGNORE INTO feedback (profile_id, item_id, kind, created_at, source) "
                    "VALUES (?,?,?,?,?)",
                    [pid, int(lib.item_ids[r]), "like", t.isoformat(timespec="seconds"), source],
                )
            t += timedelta(seconds=(200 if fin else 15) + 5)


def play(
    db, pid: int, lib: Library, person: Person, rows: np.ndarray, day: datetime, source: str
) -> np.ndarray:
    """The person plays ``rows``; returns finished flags."""
    rows = np.asarray(rows, np.int64)
    if len(rows) == 0:
        return np.zeros(0, bool)
    p = person.p_finish(lib, rows)
    fin = person.rng.random(len(rows)) < p
    liked = fin & (person.rng.random(len(rows)) < 0.25 * p)
    _write_listens(db, pid, lib, rows, fin, liked, day, source)
    return fin


def organic(db, pid: int, lib: Library, person: Person, n: int, day: datetime) -> None:
    """The person's own listening: their favourites from what they own."""
    u = person.utility(lib, person.known)
    w = np.exp(1.5 * (u - u.max()))
    rows = person.rng.choice(person.known, n, p=w / w.sum())
    play(db, pid, lib, person, rows, day, "sim")


STRATEGIES = (
    "hybrid",
    "hybrid no exploration",
    "hybrid untrained",
    "content only",
    "popularity",
    "random",
)


def weekly_list(strategy: str, model, pid: int, lib: Library, k: int, week: int, rng) -> list[int]:
    from tuneup.model import ranker
    from tuneup.model.explore import diverse_pick

    now = model.as_of
    if strategy in ("hybrid", "hybrid no exploration", "hybrid untrained", "content only"):
        weights = {
            "hybrid": None,
            "hybrid no exploration": None,
            "hybrid untrained": ranker.DEFAULT_WEIGHTS,
            "content only": np.eye(len(ranker.FEATURES))[1],
        }[strategy]
        recs = model.recommend(
            pid,
            k,
            not_played_days=60,
            seed=week,
            weights=weights,
            adventurousness=None if strategy == "hybrid" else 0,
            now=now,
        )
        return [model.row(r.item_id) for r in recs]
    allowed = np.flatnonzero(model.allowed(pid, not_played_days=60, now=now))
    if strategy == "popularity":
        order = allowed[np.argsort(-(model.popularity[allowed] + rng.random(len(allowed)) * 0.1))]
    else:
        order = rng.permutation(allowed)
    return diverse_pick(order, k, model.artist_idx, model.album_idx, model.dup_idx)


def strategy_weights(strategy: str, model, pid: int):
    from tuneup.model import ranker

    return {
        "hybrid": model.weights(pid),
        "hybrid no exploration": model.weights(pid),
        "hybrid untrained": ranker.DEFAULT_WEIGHTS,
        "content only": np.eye(len(ranker.FEATURES))[1],
    }.get(strategy)


def taste_correlation(strategy: str, model, pid: int, lib: Library, person: Person) -> float | None:
    """How well the strategy's scores over every candidate follow the hidden taste (Pearson), or None."""
    weights = strategy_weights(strategy, model, pid)
    if weights is None:
        return None
    rows = np.flatnonzero(model.allowed(pid, not_played_days=60, now=model.as_of))
    score = model.signals(pid).x[rows] @ weights
    if len(rows) < 3 or score.std() == 0:
        return None
    return round(float(np.corrcoef(score, person.utility(lib, rows))[0, 1]), 4)


@dataclass
class WeekResult:
    strategy: str
    week: int
    skip_rate: float
    never_played: float
    distinct_artists: int
    expected_skip: float = (
        0.0  # mean skip probability of the list under the hidden taste (no sampling noise)
    )
    extra: dict = field(default_factory=dict)


def simulate(
    workdir: Path,
    strategies=STRATEGIES,
    weeks: int = 4,
    k: int = 30,
    seed: int = 0,
    history_weeks: int = 16,
    plays_per_week: int = 40,
    person: str = "genre",
) -> list[WeekResult]:
    from tuneup.model.api import fit
    from tuneup.store import open_db

    results = []
    for strategy in strategies:
        db = open_db(Path(workdir) / f"{strategy.replace(' ', '_')}.db")
        lib = make_library(db, seed=seed)
        listener = make_person(lib, seed + 1, person)
        pid = 1
        for w in range(history_weeks):
            organic(db, pid, lib, listener, plays_per_week, START + timedelta(days=7 * w))
        rng = np.random.default_rng(seed + 2)
        for week in range(1, weeks + 1):
            day = START + timedelta(days=7 * (history_weeks + week - 1))
            model = fit(
                db, Path(workdir) / f"models-{strategy.replace(' ', '_')}", as_of=day.timestamp()
            )
            rows = weekly_list(strategy, model, pid, lib, k, week, rng)
            st = model.state(pid)
            corr = taste_correlation(strategy, model, pid, lib, listener)
            fin = play(db, pid, lib, listener, rows, day + timedelta(days=1), "tuneup")
            results.append(
                WeekResult(
                    strategy,
                    week,
                    round(float(1 - fin.mean()), 3) if len(fin) else 1.0,
                    round(float(np.mean(st.plays[rows] == 0)), 3) if rows else 0.0,
                    int(len({int(lib.artist[r]) for r in rows})),
                    round(float(1 - listener.p_finish(lib, np.asarray(rows, np.int64)).mean()), 4)
                    if rows
                    else 1.0,
                    {"taste_corr": corr},
                )
            )
            organic(db, pid, lib, listener, plays_per_week, day + timedelta(days=2))
            listener.drift()
        db.conn.close()
    return results


def table(results: list[WeekResult]) -> str:
    lines = [
        "| strategy | week | skip rate | expected skip rate | never played | distinct artists |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.strategy} | {r.week} | {r.skip_rate:.2f} | {r.expected_skip:.3f} | {r.never_played:.2f} | "
            f"{r.distinct_artists} |"
        )
    return "\n".join(lines)


__all__ = ["simulate", "table", "STRATEGIES", "WeekResult", "DAY"]
