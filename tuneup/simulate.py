"""Simulated listeners: people with hidden tastes who live with tuneup for weeks, through the app's path.

A generated catalogue (10 genres, artists, albums, audio feature vectors) lives in a real SQLite store.
Each listener has a hidden taste of one of several kinds (:data:`KINDS`), answers the onboarding
questions (sometimes wrongly), plays their own favourites every week, and plays the weekly mix they
are given: finishing, skipping after 5-25 s, liking and banning with probabilities set by the hidden
taste at the hour they play it. A housemate on the same store adds co-listening.

The person's side (:class:`Listener`, :class:`World`) knows nothing of how a mix is made. A strategy
(tuneup through :class:`InProcessApp` or :class:`CliApp`, or a baseline in ``bench/sim_baselines.py``)
hands back the week's list; :func:`live` runs the weeks and returns one :class:`WeekResult` per week.

Two apps go through the code the `tuneup` command runs: :class:`InProcessApp` calls the same functions
(onboard, log_play, set_feedback, fit, weekly) in this process; :class:`CliApp` runs the `tuneup`
command itself under ``faketime`` so each week happens on its own date. Their lists agree (see
``bench/quality.py --cli-check``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

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
SOUND_DIMS = (
    0,
    1,
    2,
)  # tempo, brightness (centroid), energy (rms): what an audio-driven person hears
START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)  # a Monday, 09:00 UTC
DURATION_S = 200
FRESH_DAYS = 60  # the weekly mix's rule: not played for 60 days
KINDS = (
    "genre-loyal",
    "artist-loyal",
    "audio-driven",
    "eclectic",
    "time-of-day",
    "drifting",
    "skip-happy",
    "wrong-onboarding",
)
DRIFT_WEEK = 5  # the drifting listener's taste changes before this week's plays


# ---------------------------------------------------------------------------------------- library


@dataclass
class Library:
    item_ids: np.ndarray
    genre: np.ndarray  # (n,) genre index
    artist: np.ndarray  # (n,) artist index
    album: np.ndarray  # (n,) album index
    audio: np.ndarray  # (n, d) unit vectors, as the store holds them
    raw: np.ndarray  # (n, d) before normalising (the named features)

    @property
    def n(self) -> int:
        return len(self.item_ids)

    def path(self, row: int) -> str:
        return f"/sim/{int(self.item_ids[row])}.ogg"


ARTISTS_PER_GENRE = 12


def make_library(
    db,
    n_per_genre_artists: int = ARTISTS_PER_GENRE,
    albums: int = 2,
    tracks: int = 8,
    seed: int = 0,
) -> Library:
    """Write the catalogue into ``db`` (items and audio features) and return it as arrays."""
    lib = build_library(n_per_genre_artists, albums, tracks, seed)
    write_library(db, lib)
    return lib


def build_library(
    n_per_genre_artists: int = ARTISTS_PER_GENRE, albums: int = 2, tracks: int = 8, seed: int = 0
) -> Library:
    rng = np.random.default_rng(seed)
    d = len(AUDIO_NAMES)
    centres = rng.normal(0, 1, (len(GENRES), d))
    genre, artist, album, raw = [], [], [], []
    for g in range(len(GENRES)):
        for a in range(n_per_genre_artists):
            offset = rng.normal(0, 0.8, d)
            for b in range(albums):
                for _ in range(tracks):
                    raw.append(centres[g] + offset + rng.normal(0, 0.5, d))
                    genre.append(g)
                    artist.append(g * n_per_genre_artists + a)
                    album.append((g * n_per_genre_artists + a) * albums + b)
    raw_arr = np.asarray(raw)
    audio = (raw_arr / np.linalg.norm(raw_arr, axis=1, keepdims=True)).astype(np.float32)
    n = len(genre)
    return Library(
        np.arange(1, n + 1),
        np.asarray(genre),
        np.asarray(artist),
        np.asarray(album),
        audio,
        raw_arr,
    )


def write_library(db, lib: Library) -> None:
    from tuneup.store import utcnow, write
    from tuneup.store.items import add_item

    now = utcnow()
    per = ARTISTS_PER_GENRE
    with write(db):
        for r in range(lib.n):
            iid, g, a = int(lib.item_ids[r]), int(lib.genre[r]), int(lib.artist[r])
            gname = GENRES[g]
            add_item(
                db,
                lib.path(r),
                id=iid,
                size=1000,
                mtime_ns=1,
                added_at=now,
                updated_at=now,
                title=f"Track {iid}",
                artist=f"{gname.title()} Artist {a % per}",
                album=f"Album {int(lib.album[r]) % 2} of {gname} {a % per}",
                genres=[gname],
                year=1970 + (iid * 7) % 55,
                duration=float(DURATION_S),
            )
            data = {name: float(lib.raw[r, k]) for k, name in enumerate(AUDIO_NAMES[:6])}
            db.execute(
                "INSERT INTO features (item_id, version, computed_at, status, data, vector) "
                "VALUES (?,?,?,?,?,?)",
                [iid, 1, now, "ok", json.dumps(data), lib.audio[r].tobytes()],
            )


def artist_label(lib: Library, a: int) -> str:
    g = int(lib.genre[np.flatnonzero(lib.artist == a)[0]])
    return f"{GENRES[g].title()} Artist {a % ARTISTS_PER_GENRE}"


# ---------------------------------------------------------------------------------------- listeners


@dataclass
class Listener:
    """A person's hidden taste. ``utility`` is what they feel about items at an hour of the day."""

    kind: str
    genre_aff: np.ndarray  # (G,)
    artist_aff: np.ndarray  # (A,)
    audio_pref: np.ndarray  # (d,) over the unit audio vectors
    sound_weight: float
    threshold: float = 0.9  # utility at which they finish half the time
    evening_genre_aff: np.ndarray | None = None  # time-of-day listeners: taste from 15:00 on
    clusters: list[tuple[int, np.ndarray]] = field(
        default_factory=list
    )  # eclectic: (genre, centre)
    drift: tuple[int, int] | None = None  # (fading genre, growing genre)
    onboarding_genres: list[str] = field(default_factory=list)
    onboarding_artists: list[str] = field(default_factory=list)
    known: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # owned favourites
    plays_per_week: int = 20

    def utility(self, lib: Library, rows: np.ndarray, hour: np.ndarray | int = 12) -> np.ndarray:
        rows = np.asarray(rows, np.int64)
        hour = np.broadcast_to(np.asarray(hour), rows.shape)
        g = lib.genre[rows]
        gaff = self.genre_aff[g]
        if self.evening_genre_aff is not None:
            gaff = np.where(hour >= 15, self.evening_genre_aff[g], gaff)
        u = gaff + self.artist_aff[lib.artist[rows]]
        u = u + self.sound_weight * (lib.audio[rows] @ self.audio_pref)
        if self.clusters:
            best = np.full(len(rows), -np.inf)
            for cg, centre in self.clusters:
                best = np.maximum(best, 1.0 * (g == cg) + 2.5 * (lib.audio[rows] @ centre))
            u = u + best
        return u

    def p_finish(self, lib: Library, rows, hour=12) -> np.ndarray:
        return 1 / (1 + np.exp(-2.2 * (self.utility(lib, rows, hour) - self.threshold)))

    def apply_drift(self) -> None:
        if self.drift is not None:
            fade, grow = self.drift
            self.genre_aff[fade] -= 2.2
            self.genre_aff[grow] += 2.4


def make_listener(lib: Library, kind: str, seed: int) -> Listener:
    """One listener of ``kind`` (see :data:`KINDS`), with their onboarding answers and owned music."""
    rng = np.random.default_rng(seed)
    G, A, d = len(GENRES), int(lib.artist.max()) + 1, lib.audio.shape[1]
    g = rng.normal(-0.6, 0.5, G)
    liked = rng.choice(G, 3, replace=False)
    g[liked] += rng.uniform(1.0, 2.0, 3)
    art = rng.normal(0, 0.5, A)
    pref = rng.normal(0, 1, d)
    pref /= np.linalg.norm(pref)
    p = Listener(kind, g, art, pref, 1.5)
    if kind == "genre-loyal":
        p.genre_aff[liked] += 0.5
        p.artist_aff *= 0.4
        p.sound_weight = 0.5
    elif kind == "artist-loyal":
        p.genre_aff = rng.normal(-0.3, 0.3, G)
        p.artist_aff = rng.normal(-0.5, 0.4, A)
        p.artist_aff[rng.choice(A, 10, replace=False)] += 3.0
        p.sound_weight = 0.5
    elif kind == "audio-driven":
        p.genre_aff *= 0.2
        p.artist_aff *= 0.2
        pref = np.zeros(d)
        pref[list(SOUND_DIMS)] = rng.normal(0, 1, len(SOUND_DIMS))
        p.audio_pref = pref / np.linalg.norm(pref)
        p.sound_weight = 3.5
    elif kind == "eclectic":
        p.genre_aff = rng.normal(-1.4, 0.3, G)
        p.artist_aff *= 0.3
        p.sound_weight = 0.0
        for cg in rng.choice(G, 5, replace=False):
            a = rng.choice(np.unique(lib.artist[lib.genre == cg]))
            centre = lib.audio[lib.artist == a].mean(0)
            p.clusters.append((int(cg), centre / np.linalg.norm(centre)))
    elif kind == "time-of-day":
        morning, evening = liked[:2], np.setdiff1d(rng.choice(G, 4, replace=False), liked)[:2]
        p.genre_aff = rng.normal(-0.8, 0.4, G)
        p.evening_genre_aff = p.genre_aff.copy()
        p.genre_aff[morning] += 2.2
        p.evening_genre_aff[evening] += 2.2
        p.sound_weight = 0.8
    elif kind == "drifting":
        grow = int(np.setdiff1d(np.argsort(g), liked)[0])  # their least liked genre comes to them
        p.drift = (int(liked[np.argmax(g[liked])]), grow)
    elif kind == "skip-happy":
        p.threshold = 1.7
    _own_music(p, lib, rng)
    _answer_onboarding(p, lib, rng)
    return p


def _own_music(p: Listener, lib: Library, rng) -> None:
    hours = np.where(np.arange(lib.n) % 2 == 0, 8, 20)
    u = p.utility(lib, np.arange(lib.n), hours)
    owned = rng.random(lib.n) < 0.15
    p.known = np.flatnonzero(owned & (u > np.quantile(u[owned], 0.55)))


def genre_means(p: Listener, lib: Library) -> np.ndarray:
    rows = np.arange(lib.n)
    u = 0.5 * (p.utility(lib, rows, 8) + p.utility(lib, rows, 20))
    return np.bincount(lib.genre, weights=u, minlength=len(GENRES)) / np.bincount(lib.genre)


def _answer_onboarding(p: Listener, lib: Library, rng) -> None:
    """The genres and artists they name at onboarding: mostly right, sometimes not."""
    gm = genre_means(p, lib)
    order = np.argsort(-gm)
    if p.kind == "wrong-onboarding":
        picks = [order[0], order[-1], order[-2]]  # one right answer, two they dislike
    else:
        picks = list(order[:2])
        if rng.random() < 0.3:  # a noisy extra answer
            picks.append(int(rng.integers(len(GENRES))))
    p.onboarding_genres = [GENRES[int(g)] for g in dict.fromkeys(int(x) for x in picks)]
    rows = np.arange(lib.n)
    u = 0.5 * (p.utility(lib, rows, 8) + p.utility(lib, rows, 20))
    am = np.bincount(lib.artist, weights=u) / np.bincount(lib.artist)
    n_art = 3 if p.kind == "artist-loyal" else 1
    if p.kind == "wrong-onboarding":
        chosen = [int(np.argmin(am))]
    else:
        chosen = [int(a) for a in np.argsort(-am)[:n_art]]
    p.onboarding_artists = [artist_label(lib, a) for a in chosen]


# ---------------------------------------------------------------------------------------- history


@dataclass
class History:
    """Everything that happened, as the person lived it (every strategy keeps its own)."""

    profile: list[int] = field(default_factory=list)
    row: list[int] = field(default_factory=list)
    time: list[float] = field(default_factory=list)
    finished: list[bool] = field(default_factory=list)
    liked: set[int] = field(default_factory=set)
    banned: set[int] = field(default_factory=set)

    def add(self, pid: int, row: int, t: float, finished: bool) -> None:
        self.profile.append(pid)
        self.row.append(int(row))
        self.time.append(t)
        self.finished.append(bool(finished))

    def arrays(self, pid: int | None = None):
        prof = np.asarray(self.profile, np.int64)
        sel = np.ones(len(prof), bool) if pid is None else prof == pid
        return (
            prof[sel],
            np.asarray(self.row, np.int64)[sel],
            np.asarray(self.time)[sel],
            np.asarray(self.finished, bool)[sel],
        )


PERSON, HOUSEMATE = 1, 2


# ---------------------------------------------------------------------------------------- apps


class InProcessApp:
    """tuneup in this process, through the functions the `tuneup` commands call."""

    def __init__(self, home: Path, lib: Library):
        from tuneup.paths import get_paths
        from tuneup.store import open_db, profile_id

        self.paths = get_paths(home).ensure()
        self.db = open_db(self.paths.db_file)
        write_library(self.db, lib)
        self.lib = lib
        self.pids = {PERSON: profile_id(self.db), HOUSEMATE: profile_id(self.db, "housemate")}

    def onboard(self, genres: list[str], artists: list[str], when: datetime) -> None:
        from tuneup.mixes.onboard import onboard

        onboard(self.db, self.pids[PERSON], genres, artists)

    def log(self, pid: int, row: int, at: datetime, finished: bool, played_s: float) -> None:
        from tuneup.history.log import log_play

        log_play(
            self.db,
            self.pids[pid],
            self.lib.path(row),
            played=played_s,
            duration=DURATION_S,
            ended="finished" if finished else "skipped",
            at=at.isoformat(timespec="seconds"),
            source="sim",
        )

    def feedback(self, row: int, kind: str, when: datetime) -> None:
        from tuneup.history.events import set_feedback
        from tuneup.store import write

        item_id = int(self.lib.item_ids[row])
        set_feedback(self.db, self.pids[PERSON], item_id, kind)
        # set_feedback stamps the clock's time; the command, run at the simulated time, stamps that
        with write(self.db):
            self.db.execute(
                "UPDATE feedback SET created_at = ? WHERE profile_id = ? AND item_id = ? AND kind = ?",
                [
                    when.astimezone(timezone.utc).isoformat(timespec="seconds"),
                    self.pids[PERSON],
                    item_id,
                    kind,
                ],
            )

    def weekly(self, now: datetime, size: int) -> list[tuple[int, bool]]:
        """This week's mix as `tuneup mix --weekly` makes it: a full fit (the saved model is a week
        old, past load_or_fit's one-day limit), then the weekly mix."""
        from tuneup.mixes.weekly import weekly
        from tuneup.model.api import fit

        model = fit(self.db, self.paths.model_dir, as_of=now.timestamp())
        mix = weekly(
            self.db, self.paths.model_dir, self.pids[PERSON], now=now, size=size, model=model
        )
        return [(i.item_id, bool(i.exploration)) for i in mix.items]

    def close(self) -> None:
        self.db.conn.close()


class CliApp:
    """tuneup through the `tuneup` command, each call at the simulated time (``faketime``)."""

    def __init__(self, home: Path, lib: Library, tuneup_cmd: str):
        from tuneup.paths import get_paths
        from tuneup.store import open_db

        if not shutil.which("faketime"):
            raise RuntimeError("the CLI path needs faketime (apt install faketime)")
        self.home, self.lib, self.cmd = Path(home), lib, tuneup_cmd
        paths = get_paths(home).ensure()
        db = open_db(paths.db_file)
        write_library(db, lib)
        db.conn.close()

    def _run(self, when: datetime, *args: str) -> str:
        env = dict(os.environ, TUNEUP_HOME=str(self.home), TZ="UTC")
        stamp = when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        out = subprocess.run(
            ["faketime", "-f", stamp, self.cmd, *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(f"tuneup {' '.join(args)}: {out.stderr.strip()[-400:]}")
        return out.stdout

    def onboard(self, genres: list[str], artists: list[str], when: datetime) -> None:
        args = ["onboard"]
        for g in genres:
            args += ["--genre", g]
        for a in artists:
            args += ["--artist", a]
        self._run(when, *args)

    def log(self, pid: int, row: int, at: datetime, finished: bool, played_s: float) -> None:
        args = ["log", self.lib.path(row), "--played", str(played_s), "--duration", str(DURATION_S)]
        args += ["--ended", "finished" if finished else "skipped", "--source", "sim"]
        args += ["--at", at.isoformat(timespec="seconds")]
        if pid == HOUSEMATE:
            args += ["--profile", "housemate"]
        self._run(at + timedelta(seconds=played_s), *args)

    def feedback(self, row: int, kind: str, when: datetime) -> None:
        self._run(when, kind, str(int(self.lib.item_ids[row])))

    def weekly(self, now: datetime, size: int) -> list[tuple[int, bool]]:
        out = self._run(now, "mix", "--weekly", "--size", str(size), "--json")
        data = json.loads(out)
        mix = data[0] if isinstance(data, list) else data
        return [(int(i["item_id"]), bool(i.get("exploration"))) for i in mix["items"]]

    def close(self) -> None:
        pass


# ---------------------------------------------------------------------------------------- living


@dataclass
class WeekResult:
    strategy: str
    kind: str
    seed: int
    week: int
    expected_skip: (
        float  # mean skip probability of the list under the hidden taste (no sampling noise)
    )
    skip_rate: float  # what was actually skipped
    never_played: float
    exploration: float  # share of the list the strategy flagged as exploration
    distinct_artists: int
    items: list[int] = field(default_factory=list)


@dataclass
class World:
    """One listener's life: their library, hidden taste, housemate and what happened so far."""

    lib: Library
    person: Listener
    housemate: Listener
    seed: int
    history: History = field(default_factory=History)
    rng_own: np.random.Generator = None  # their own listening: the same for every strategy
    rng_mix: np.random.Generator = None  # how they react to mixes

    def __post_init__(self):
        self.rng_own = np.random.default_rng(self.seed * 7919 + 1)
        self.rng_mix = np.random.default_rng(self.seed * 7919 + 2)


def mix_hours(k: int) -> np.ndarray:
    """The hour each position of a weekly mix is played: 3 in a morning session, 2 in the evening."""
    return np.where(np.arange(k) % 5 < 3, 8, 20)


def mix_times(week_start: datetime, k: int) -> list[datetime]:
    out = []
    for n, hour in enumerate(mix_hours(k)):
        day = n // 5
        slot = n % 5 if hour == 8 else n % 5 - 3
        out.append(
            week_start.replace(hour=int(hour), minute=0)
            + timedelta(days=day, seconds=slot * (DURATION_S + 10))
        )
    return out


def _play(world: World, app, pid: int, listener: Listener, rows, times, rng, feedback: bool):
    lib = world.lib
    rows = np.asarray(rows, np.int64)
    hours = np.asarray([t.hour for t in times])
    p = listener.p_finish(lib, rows, hours)
    fin = rng.random(len(rows)) < p
    like = fin & (rng.random(len(rows)) < 0.3 * p)
    ban = ~fin & (p < 0.08) & (rng.random(len(rows)) < 0.3)
    played = np.where(fin, float(DURATION_S), np.round(rng.uniform(5, 25, len(rows)), 1))
    for r, t, f, s, lk, bn in zip(rows, times, fin, played, like, ban):
        world.history.add(pid, int(r), t.timestamp(), bool(f))
        if app is not None:
            app.log(pid, int(r), t, bool(f), float(s))
        if feedback and lk and int(r) not in world.history.liked:
            world.history.liked.add(int(r))
            if app is not None:
                app.feedback(int(r), "like", t + timedelta(seconds=float(s)))
        if feedback and bn and int(r) not in world.history.banned:
            world.history.banned.add(int(r))
            if app is not None:
                app.feedback(int(r), "ban", t + timedelta(seconds=float(s)))
    return fin


def own_listening(world: World, app, pid: int, listener: Listener, n: int, week_start: datetime):
    """A week of the person's own favourites (what they own), a few a day around midday."""
    lib = world.lib
    hours = np.full(len(listener.known), 12)
    u = listener.utility(lib, listener.known, hours)
    w = np.exp(1.5 * (u - u.max()))
    rows = world.rng_own.choice(listener.known, n, p=w / w.sum())
    times = [
        week_start.replace(hour=12 + (k % 3), minute=0) + timedelta(days=k % 6, seconds=k * 211)
        for k in range(n)
    ]
    order = np.argsort([t.timestamp() for t in times])
    rows, times = rows[order], [times[k] for k in order]
    _play(world, app, pid, listener, rows, times, world.rng_own, feedback=False)


def make_world(kind: str, seed: int, library_seed: int = 0) -> World:
    lib = build_library(seed=library_seed)
    person = make_listener(lib, kind, 1000 + seed)
    mate = make_listener(lib, "genre-loyal", 5000 + seed)
    mate.plays_per_week = 30
    return World(lib, person, mate, seed)


def prehistory(world: World, app, weeks_housemate: int = 8, weeks_person: int = 1) -> None:
    """The housemate's last weeks and the person's first week of their own music, before any mix."""
    for w in range(weeks_housemate, 0, -1):
        start = START - timedelta(days=7 * w)
        own_listening(world, app, HOUSEMATE, world.housemate, world.housemate.plays_per_week, start)
    for w in range(weeks_person, 0, -1):
        start = START - timedelta(days=7 * w)
        own_listening(world, app, PERSON, world.person, world.person.plays_per_week, start)


def live(
    world: World,
    strategy: str,
    choose,
    *,
    weeks: int = 8,
    k: int = 30,
    app=None,
    housemate_weeks: int = 8,
) -> list[WeekResult]:
    """Run ``weeks`` weeks. ``choose(world, now, k)`` returns [(row, exploration flag)] for the week.

    ``app`` (an :class:`InProcessApp` or :class:`CliApp`) also receives everything that happens.
    """
    lib, person = world.lib, world.person
    if app is not None:
        app.onboard(person.onboarding_genres, person.onboarding_artists, START - timedelta(days=8))
    prehistory(world, app, weeks_housemate=housemate_weeks)
    results = []
    for week in range(1, weeks + 1):
        now = START + timedelta(days=7 * (week - 1))
        if week == DRIFT_WEEK:
            person.apply_drift()  # the change shows in this week's plays, after the mix was made
        picks = choose(world, now, k)
        rows = np.asarray([r for r, _ in picks], np.int64)
        _, played_rows, _, _ = world.history.arrays(PERSON)
        before = set(played_rows.tolist())
        times = mix_times(now, len(rows))
        hours = np.asarray([t.hour for t in times])
        exp_skip = float(1 - person.p_finish(lib, rows, hours).mean()) if len(rows) else 1.0
        fin = _play(world, app, PERSON, person, rows, times, world.rng_mix, feedback=True)
        results.append(
            WeekResult(
                strategy,
                person.kind,
                world.seed,
                week,
                round(exp_skip, 4),
                round(float(1 - fin.mean()), 4) if len(fin) else 1.0,
                round(float(np.mean([int(r) not in before for r in rows])), 4)
                if len(rows)
                else 0.0,
                round(float(np.mean([e for _, e in picks])), 4) if picks else 0.0,
                int(len({int(lib.artist[r]) for r in rows})),
                [int(lib.item_ids[r]) for r in rows],
            )
        )
        own_listening(world, app, PERSON, person, person.plays_per_week, now + timedelta(hours=3))
        own_listening(world, app, HOUSEMATE, world.housemate, world.housemate.plays_per_week, now)
    return results


def tuneup_chooser(app):
    """A ``choose`` for :func:`live` that asks tuneup (through ``app``) for the weekly mix."""

    def choose(world: World, now: datetime, k: int) -> list[tuple[int, bool]]:
        row_of = {int(i): n for n, i in enumerate(world.lib.item_ids)}
        return [(row_of[i], e) for i, e in app.weekly(now, k) if i in row_of]

    return choose


def run_tuneup(
    kind: str,
    seed: int,
    workdir: Path,
    *,
    weeks: int = 8,
    k: int = 30,
    cli: str | None = None,
    small: bool = False,
) -> list[WeekResult]:
    """One listener living ``weeks`` weeks with tuneup (in process, or through the command ``cli``).

    ``small``: 8 own plays a week each and one week of the housemate's past (few enough commands
    for the CLI path to run in a minute or two)."""
    world = make_world(kind, seed)
    if small:
        world.person.plays_per_week = world.housemate.plays_per_week = 8
    import tempfile

    home = Path(tempfile.mkdtemp(prefix=f"{kind}-{seed}-{'cli' if cli else 'app'}-", dir=workdir))
    app = CliApp(home, world.lib, cli) if cli else InProcessApp(home, world.lib)
    try:
        return live(
            world,
            "tuneup",
            tuneup_chooser(app),
            weeks=weeks,
            k=k,
            app=app,
            housemate_weeks=1 if small else 8,
        )
    finally:
        app.close()


__all__ = ["KINDS", "World", "WeekResult", "live", "make_world", "run_tuneup", "tuneup_chooser"]
