"""Every model `tuneup eval` compares, behind one small interface.

A recommender is fitted on a :class:`Dataset` and then scores every item for a profile (higher is
better); the caller removes what the profile has already seen. The shared test runs each of them
against a small dataset whose right answer is known.
"""

from __future__ import annotations

import numpy as np

from tuneup.model.collab import _ease, basket_ids
from tuneup.model.dataset import Dataset


class Recommender:
    name = "base"
    max_items: int | None = None  # dense baselines: larger catalogues would not fit in memory

    def fit(self, ds: Dataset) -> "Recommender":
        self.n = len(ds.catalogue)
        ev = ds.events
        ok = ev.item >= 0
        self.profiles = {int(p): ev.item[ok & (ev.profile == p)] for p in np.unique(ev.profile[ok])}
        self._fit(ds)
        return self

    def _fit(self, ds: Dataset) -> None:
        raise NotImplementedError

    def scores(self, profile_id: int) -> np.ndarray:
        raise NotImplementedError

    def _user_vector(self, profile_id: int) -> np.ndarray:
        u = np.zeros(self.n)
        items = self.profiles.get(profile_id)
        if items is not None and len(items):
            u[items] = 1.0
        return u

    def _matrix(self, ds: Dataset) -> np.ndarray:
        """Dense profile x item 0/1 matrix (evaluation data only: it has few profiles)."""
        ev = ds.events
        ok = ev.item >= 0
        b = basket_ids(ev.profile[ok], ev.time[ok], None)
        x = np.zeros((int(b.max()) + 1 if len(b) else 0, self.n), np.float32)
        x[b, ev.item[ok]] = 1.0
        return x


class Popularity(Recommender):
    name = "popularity"

    def _fit(self, ds):
        ev = ds.events
        self.pop = np.bincount(ev.item[ev.item >= 0], minlength=self.n).astype(float)

    def scores(self, profile_id):
        return self.pop.copy()


class ContentOnly(Recommender):
    """Genre/creator/decade match only: weak at predicting, but the only signal for unplayed items."""

    name = "content only"

    def _fit(self, ds):
        from tuneup.model.content import build_content

        self.content = build_content(ds.catalogue.tokens)

    def scores(self, profile_id):
        pref = self.content.to_tokens(self._user_vector(profile_id))
        return self.content.score(pref)


class ItemKNN(Recommender):
    name = "item-kNN"
    max_items = 20_000

    def __init__(self, neighbours: int = 100, shrink: float = 10.0):
        self.k, self.shrink = neighbours, shrink

    def _fit(self, ds):
        x = self._matrix(ds)
        g = x.T @ x
        d = np.sqrt(np.diag(g))
        s = g / (d[:, None] * d[None, :] + self.shrink)
        np.fill_diagonal(s, 0)
        if self.k < self.n:
            cut = np.partition(s, -self.k, axis=1)[:, -self.k][:, None]
            s[s < cut] = 0
        self.sim = s

    def scores(self, profile_id):
        return self._user_vector(profile_id) @ self.sim


class EASE(Recommender):
    name = "EASE"
    max_items = 20_000

    def __init__(self, lam: float = 250.0):
        self.lam = lam

    def _fit(self, ds):
        x = self._matrix(ds)
        self.b = _ease(x.T @ x, self.lam)

    def scores(self, profile_id):
        return self._user_vector(profile_id) @ self.b


class ALS(Recommender):
    """Implicit ALS (Hu, Koren, Volinsky 2008) with exact per-row solves."""

    name = "ALS"
    max_items = 20_000

    def __init__(
        self,
        factors: int = 64,
        reg: float = 5.0,
        alpha: float = 10.0,
        iters: int = 8,
        seed: int = 0,
    ):
        self.f, self.reg, self.alpha, self.iters, self.seed = factors, reg, alpha, iters, seed

    def _fit(self, ds):
        x = self._matrix(ds)
        rng = np.random.default_rng(self.seed)
        u = rng.normal(0, 0.01, (x.shape[0], self.f))
        v = rng.normal(0, 0.01, (x.shape[1], self.f))
        for _ in range(self.iters):
            u = self._solve(x, v)
            v = self._solve(x.T, u)
        self.u, self.v = u, v
        ev = ds.events
        ok = ev.item >= 0
        self.row_of = {int(p): n for n, p in enumerate(np.unique(ev.profile[ok]))}

    def _solve(self, x, y):
        yty = y.T @ y
        out = np.zeros((x.shape[0], self.f))
        eye = self.reg * np.eye(self.f)
        for r in range(x.shape[0]):
            nz = np.flatnonzero(x[r])
            if len(nz) == 0:
                continue
            yn = y[nz]
            a = yty + self.alpha * yn.T @ yn + eye
            out[r] = np.linalg.solve(a, (1 + self.alpha) * yn.sum(0))
        return out

    def scores(self, profile_id):
        r = self.row_of.get(profile_id)
        return np.zeros(self.n) if r is None else self.v @ self.u[r]


class Hybrid(Recommender):
    """tuneup's own model, exactly as the app fits it, ranking by its score (no diversity re-rank,
    no exploration)."""

    name = "tuneup hybrid"

    def __init__(self, **fit_kwargs):
        self.fit_kwargs = fit_kwargs

    def _fit(self, ds):
        from tuneup.model.fit import fit_model

        self.model = fit_model(ds, **self.fit_kwargs)

    def scores(self, profile_id):
        return self.model.score(profile_id)


def all_recommenders() -> list[Recommender]:
    return [Popularity(), ContentOnly(), ItemKNN(), ALS(), EASE(), Hybrid()]
