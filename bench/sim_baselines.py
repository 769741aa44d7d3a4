"""The simple methods the simulated listeners also live with, beside tuneup, for bench/quality.py.

Each is a ``choose(world, now, k)`` for :func:`tuneup.simulate.live`: it sees what tuneup's
store would hold (the person's and housemate's plays, finishes, likes, bans and onboarding answers;
never the hidden taste, except the oracle) and returns the week's list. Every list follows the
weekly mix's rules: nothing played in the last 60 days, nothing banned, at most 2 per artist and
album. Hyperparameters are fixed here (not tuned on the simulator's results).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from tuneup.model.explore import diverse_pick
from tuneup.simulate import FRESH_DAYS, GENRES, PERSON, World, mix_hours

DAY = 86400.0
SESSION_GAP_S = 30 * 60


def _eligible(world: World, now: datetime) -> np.ndarray:
    _, rows, times, _ = world.history.arrays(PERSON)
    ok = np.ones(world.lib.n, bool)
    ok[rows[times >= now.timestamp() - FRESH_DAYS * DAY]] = False
    ok[list(world.history.banned)] = False
    return ok


def _pick(world: World, score: np.ndarray, ok: np.ndarray, k: int, rng) -> list[tuple[int, bool]]:
    """Best first by ``score`` among ``ok`` (random tie-break), capped 2 per artist and album."""
    rows = np.flatnonzero(ok)
    jitter = rng.random(len(rows)) * 1e-6
    order = rows[np.lexsort((jitter, -score[rows]))]
    lib = world.lib
    dup = np.arange(lib.n)
    picked = diverse_pick(order, k, lib.artist, lib.album, dup, artist_cap=2, album_cap=2)
    return [(int(r), False) for r in picked]


def _rng(world: World, now: datetime, name: str):
    return np.random.default_rng([world.seed, int(now.timestamp()) // 86400, len(name)])


def random_choice(world: World, now: datetime, k: int):
    return _pick(world, np.zeros(world.lib.n), _eligible(world, now), k, _rng(world, now, "random"))


def genre_filter(world: World, now: datetime, k: int):
    """Never-played items of the onboarding genres and of every genre the person finished a track of."""
    lib = world.lib
    _, rows, _, fin = world.history.arrays(PERSON)
    genres = {GENRES.index(g) for g in world.person.onboarding_genres}
    genres |= set(lib.genre[rows[fin]].tolist())
    ok = _eligible(world, now)
    ok[rows] = False  # never played
    score = np.isin(lib.genre, list(genres)).astype(float)
    return _pick(world, score, ok, k, _rng(world, now, "genre"))


def own_popularity(world: World, now: datetime, k: int):
    """Popularity in the person's own history: tracks of the artists (then genres) they finish most."""
    lib = world.lib
    _, rows, _, fin = world.history.arrays(PERSON)
    art = np.bincount(lib.artist[rows[fin]], minlength=int(lib.artist.max()) + 1)
    gen = np.bincount(lib.genre[rows[fin]], minlength=len(GENRES))
    score = art[lib.artist] + 0.01 * gen[lib.genre]
    return _pick(world, score, _eligible(world, now), k, _rng(world, now, "popularity"))


def _baskets(world: World) -> tuple[np.ndarray, np.ndarray]:
    """(basket, row) of every finished play in the store: listening sessions of both profiles."""
    prof, rows, times, fin = world.history.arrays(None)
    order = np.lexsort((times, prof))
    prof, rows, times, fin = prof[order], rows[order], times[order], fin[order]
    new = np.ones(len(prof), bool)
    new[1:] = (prof[1:] != prof[:-1]) | (np.diff(times) > SESSION_GAP_S)
    basket = np.cumsum(new) - 1
    return basket[fin], rows[fin]


def _session_matrix(world: World) -> np.ndarray:
    basket, rows = _baskets(world)
    x = np.zeros((int(basket.max()) + 1 if len(basket) else 0, world.lib.n), np.float32)
    x[basket, rows] = 1.0
    return x


def _person_vector(world: World) -> np.ndarray:
    _, rows, _, fin = world.history.arrays(PERSON)
    u = np.zeros(world.lib.n)
    np.add.at(u, rows[fin], 1.0)
    return np.log1p(u)


def item_knn(world: World, now: datetime, k: int, neighbours: int = 50, shrink: float = 5.0):
    """Cosine item-kNN over listening sessions (co-listening), from what the person finished."""
    x = _session_matrix(world)
    g = x.T @ x
    d = np.sqrt(np.diag(g))
    s = g / (d[:, None] * d[None, :] + shrink)
    np.fill_diagonal(s, 0)
    cut = np.partition(s, -neighbours, axis=1)[:, -neighbours][:, None]
    s[s < cut] = 0
    score = _person_vector(world) @ s
    return _pick(world, score, _eligible(world, now), k, _rng(world, now, "knn"))


def ease(world: World, now: datetime, k: int, lam: float = 50.0):
    """EASE (Steck 2019) over listening sessions, restricted to items anyone played."""
    x = _session_matrix(world)
    active = np.flatnonzero(x.sum(0) > 0)
    score = np.zeros(world.lib.n)
    if len(active):
        xa = x[:, active].astype(np.float64)
        g = xa.T @ xa
        g[np.diag_indices_from(g)] += lam
        p = np.linalg.inv(g)
        b = p / -np.diag(p)[None, :]
        np.fill_diagonal(b, 0)
        score[active] = _person_vector(world)[active] @ b
    return _pick(world, score, _eligible(world, now), k, _rng(world, now, "ease"))


def implicit_als(world: World, now: datetime, k: int, factors: int = 32):
    """implicit's ALS (bench-only reference) over sessions, the person's whole history as the user."""
    import scipy.sparse as sp
    from implicit.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    x = _session_matrix(world)
    person = _person_vector(world)
    rows = np.vstack([x, person[None, :]]).astype(np.float32)
    m = sp.csr_matrix(rows)
    with threadpool_limits(1):
        model = AlternatingLeastSquares(
            factors=factors, regularization=0.1, alpha=10.0, iterations=15, random_state=world.seed
        )
        model.fit(m, show_progress=False)
    uf = model.user_factors[len(rows) - 1]
    score = np.asarray(model.item_factors @ uf, float)
    return _pick(world, score, _eligible(world, now), k, _rng(world, now, "als"))


def oracle(world: World, now: datetime, k: int):
    """Knows the hidden taste (as it is this week) and the hours the list is played: the ceiling."""
    lib, p = world.lib, world.person
    rows = np.arange(lib.n)
    hours = mix_hours(k)
    score = np.mean([p.p_finish(lib, rows, h) for h in np.unique(hours)], axis=0)
    return _pick(world, score, _eligible(world, now), k, _rng(world, now, "oracle"))


BASELINES = {
    "random": random_choice,
    "genre filter": genre_filter,
    "own popularity": own_popularity,
    "item-kNN": item_knn,
    "EASE": ease,
    "implicit ALS": implicit_als,
    "oracle": oracle,
}
SIMPLE = ("random", "genre filter", "own popularity", "item-kNN", "EASE", "implicit ALS")
