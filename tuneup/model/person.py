"""One person's taste as a Bayesian logistic regression: will they finish this item, or skip it?

    logit P(finish | item) = b + audio . beta + g[genre] + a[artist] + l[album] + c[sound cluster]

Every effect has a Gaussian prior. The onboarding answers (and artists of imported listens that
match no file) move the prior means of their genres and artists, so they count from the first day
and fade exactly as fast as the person's own plays outweigh them; everything else starts at 0.
The labels are the person's own outcomes, recency weighted (a half-life of ``HALF_LIFE_DAYS``, so a
taste that drifts is followed within weeks): finished plays and likes for, skips (early ones more),
dislikes and bans against. With no skips at all (imported or rated data), the items never played
count as weak negatives, as implicit-feedback models assume.

The fit is a MAP estimate by block Newton steps (the dense part jointly, each one-hot group
exactly per level), with the diagonal of the posterior precision as the uncertainty of each effect,
so the score of an item knows how sure it is: ranking uses the expected probability, exploration the
optimistic end. Cost: a few passes over the person's labelled items and one over the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tuneup.model.dataset import BAN, DISLIKE, FINISHED, LIKE, SKIPPED
from tuneup.model.profile import DAY, ProfileEvents

HALF_LIFE_DAYS = 28.0
EARLY_SKIP_WEIGHT = 1.5  # a skip within the first 15% of an item says more than a late one
LIKE_COUNT, DISLIKE_COUNT, BAN_COUNT = 3.0, 3.0, 5.0
MAX_PER_ITEM = 4.0  # a favourite played a hundred times counts as a few outcomes, not a hundred
SEED_PRIOR = 1.5  # logit added to an onboarding genre or artist's prior mean
PRIOR_SD = {"genre": 1.0, "artist": 1.0, "album": 0.6, "sound": 0.8}
BETA_SD = 1.0
ROUNDS = 6  # Newton passes per empirical-Bayes round
EB_ROUNDS = 3
SD_RANGE = (0.15, 3.0)
GROUPS = ("genre", "artist", "album", "sound")
PSEUDO_SAMPLE = 5000  # never-played items that stand in as weak negatives, at most


@dataclass
class Catalog:
    """The catalogue side every person's model shares: group ids per item and the dense features."""

    groups: dict[str, np.ndarray]  # name -> (n,) int64 level, -1 none
    dense: np.ndarray  # (n, D) float32

    @property
    def n(self) -> int:
        return len(self.dense)

    def sizes(self) -> dict[str, int]:
        return {
            k: int(v.max()) + 1 if len(v) and v.max() >= 0 else 0 for k, v in self.groups.items()
        }


@dataclass
class Effect:
    mean: np.ndarray
    var: np.ndarray
    prior: np.ndarray


@dataclass
class PersonTaste:
    intercept: float
    beta: np.ndarray
    beta_var: np.ndarray  # diagonal of the dense block's posterior covariance
    effects: dict[str, Effect]
    n_labels: float  # weighted outcomes behind it
    n_skips: float
    finish: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per item label weights
    skip: np.ndarray = field(default_factory=lambda: np.zeros(0))
    sd: dict = field(default_factory=dict)  # each group's prior spread, as estimated

    def logit(self, cat: Catalog, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and variance of every item's (or ``rows``') logit."""
        rows = np.arange(cat.n) if rows is None else np.asarray(rows, np.int64)
        x = cat.dense[rows]
        mu = self.intercept + x @ self.beta
        var = (x * x) @ self.beta_var
        for name, eff in self.effects.items():
            g = cat.groups[name][rows]
            ok = g >= 0
            mu = mu + np.where(ok, eff.mean[np.maximum(g, 0)], 0.0)
            var = var + np.where(ok, eff.var[np.maximum(g, 0)], 0.0)
        return mu, var

    def contributions(self, cat: Catalog, row: int) -> dict[str, float]:
        """Each part's share of item ``row``'s logit (an onboarding answer's prior included)."""
        out = {}
        for name, eff in self.effects.items():
            g = int(cat.groups[name][row])
            if g >= 0:
                out[name] = round(float(eff.mean[g]), 4)
        out["sound"] = out.get("sound", 0.0) + round(float(cat.dense[row] @ self.beta), 4)
        return out


def expected_logit(mu: np.ndarray, var: np.ndarray) -> np.ndarray:
    """The logit of E[P(finish)] under the posterior (MacKay's probit approximation)."""
    return mu / np.sqrt(1.0 + np.pi * var / 8.0)


def labels(
    ev: ProfileEvents, n: int, as_of: float, half_life_days: float = HALF_LIFE_DAYS
) -> tuple[np.ndarray, np.ndarray]:
    """Recency-weighted finish and skip counts per item, feedback included, capped per item."""
    age = np.maximum(as_of - ev.time, 0.0) / DAY
    w = 0.5 ** (age / half_life_days) * ev.weight
    frac = np.clip(ev.fraction, 0.0, 1.0)
    fin_w = np.where(ev.outcome == FINISHED, 1.0, np.where(ev.outcome == SKIPPED, 0.0, frac))
    skip_w = np.where(
        ev.outcome == SKIPPED,
        np.where(frac < 0.15, EARLY_SKIP_WEIGHT, 1.0),
        np.where(ev.outcome == FINISHED, 0.0, 0.5 * (1 - frac)),
    )
    finish = np.minimum(np.bincount(ev.item, weights=w * fin_w, minlength=n), MAX_PER_ITEM)
    skip = np.minimum(np.bincount(ev.item, weights=w * skip_w, minlength=n), MAX_PER_ITEM)
    if len(ev.fb_item):
        fb_age = np.maximum(as_of - ev.fb_time, 0.0) / DAY
        fw = np.maximum(0.5 ** (fb_age / (4 * half_life_days)), 0.25)  # feedback fades slower
        finish += np.bincount(
            ev.fb_item, weights=fw * LIKE_COUNT * (ev.fb_kind == LIKE), minlength=n
        )
        skip += np.bincount(
            ev.fb_item,
            weights=fw
            * (DISLIKE_COUNT * (ev.fb_kind == DISLIKE) + BAN_COUNT * (ev.fb_kind == BAN)),
            minlength=n,
        )
    return finish, skip


def fit_person(
    cat: Catalog,
    finish: np.ndarray,
    skip: np.ndarray,
    priors: dict[str, np.ndarray] | None = None,
    *,
    pseudo_negatives: float | None = None,
) -> PersonTaste:
    """MAP fit from per-item finish/skip weights. ``priors``: group -> prior means (default 0).

    ``pseudo_negatives``: total weight spread over never-played items as skips; None picks it from
    the data (weak when there are real skips, stronger when there are none).
    """
    sizes = cat.sizes()
    priors = priors or {}
    n_skips = float(skip.sum())
    n_fin = float(finish.sum())
    if pseudo_negatives is None:
        pseudo_negatives = 0.5 * n_fin / (1.0 + n_skips / 5.0)
    skip = skip.astype(float).copy()
    real = finish + skip
    # outcomes faded below a thousandth of the strongest say nothing the fit can use: leave them out
    faded = (real > 0) & (real <= 1e-3 * (real.max() if len(real) else 0.0))
    unplayed = np.flatnonzero(real == 0)
    if pseudo_negatives > 0 and len(unplayed):
        if len(unplayed) > PSEUDO_SAMPLE:  # a large catalogue: a fixed sample stands for the rest
            unplayed = np.random.default_rng(0).choice(unplayed, PSEUDO_SAMPLE, replace=False)
        skip[unplayed] = pseudo_negatives / len(unplayed)
    rows = np.flatnonzero((finish + skip > 0) & ~faded)
    f, t = finish[rows], finish[rows] + skip[rows]
    x = cat.dense[rows].astype(np.float64)
    grp = {k: cat.groups[k][rows] for k in GROUPS if k in cat.groups and sizes[k] > 0}
    effects = {
        k: Effect(
            np.asarray(priors.get(k, np.zeros(sizes[k])), float).copy(),
            np.full(sizes[k], PRIOR_SD[k] ** 2),
            np.asarray(priors.get(k, np.zeros(sizes[k])), float).copy(),
        )
        for k in grp
    }
    d = x.shape[1]
    sd = {k: PRIOR_SD[k] for k in grp}
    beta, b = np.zeros(d), _initial_intercept(f, t)
    beta_var = np.full(d, BETA_SD**2)
    for outer in range(EB_ROUNDS if len(rows) else 0):
        b, beta, beta_var = _newton_rounds(x, f, t, grp, effects, sizes, sd, b, beta, beta_var)
        if outer < EB_ROUNDS - 1:
            sd = _empirical_bayes(grp, effects, sd)
    taste = PersonTaste(b, beta, beta_var, effects, float(t.sum()), n_skips, finish, skip)
    taste.sd = sd
    return taste


def _empirical_bayes(grp, effects, sd) -> dict[str, float]:
    """Each group's prior spread re-estimated from its levels that have data (an EM step), so a
    person whose artists matter gets wide artist effects and one who only hears genres narrow ones."""
    out = {}
    for k, eff in effects.items():
        seen = np.unique(grp[k][grp[k] >= 0])
        if len(seen) < 3:
            out[k] = sd[k]
            continue
        dev = eff.mean[seen] - eff.prior[seen]
        v = float(np.mean(dev**2 + eff.var[seen]))
        out[k] = float(np.sqrt(np.clip(v, SD_RANGE[0] ** 2, SD_RANGE[1] ** 2)))
    return out


def _newton_rounds(x, f, t, grp, effects, sizes, sd, b, beta, beta_var):
    n_rows, d = x.shape
    level = {k: np.maximum(g, 0) for k, g in grp.items()}
    has = {k: g >= 0 for k, g in grp.items()}
    # the full logit of every row, kept up to date step by step (not recomputed per block)
    eta = np.full(n_rows, b) + x @ beta
    for k, eff in effects.items():
        eta += np.where(has[k], eff.mean[level[k]], 0.0)
    z = np.hstack([np.ones((n_rows, 1)), x])
    reg = np.r_[1e-4, np.full(d, 1 / BETA_SD**2)]
    for _ in range(ROUNDS):
        # the dense block (intercept + audio) jointly, one Newton step
        p = _sigmoid(eta)
        grad = z.T @ (t * p - f) + reg * np.r_[0.0, beta]
        hess = (z * (t * p * (1 - p))[:, None]).T @ z + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        b, beta = b - step[0], beta - step[1:]
        eta -= z @ step
        beta_var = np.diag(np.linalg.inv(hess))[1:]
        # each group: levels are independent given the rest, so one exact Newton step per level
        for k, eff in effects.items():
            g, ok = grp[k], has[k]
            prec0 = 1.0 / sd[k] ** 2
            if not ok.any():
                eff.var[:] = sd[k] ** 2
                continue
            p = _sigmoid(eta)
            m = sizes[k]
            gr = np.bincount(g[ok], weights=(t * p - f)[ok], minlength=m)
            h = np.bincount(g[ok], weights=(t * p * (1 - p))[ok], minlength=m)
            gr += prec0 * (eff.mean - eff.prior)
            h += prec0
            delta = -gr / h
            eff.mean += delta
            eff.var = 1.0 / h
            eta += np.where(ok, delta[level[k]], 0.0)
    return b, beta, beta_var


def _initial_intercept(f: np.ndarray, t: np.ndarray) -> float:
    rate = (f.sum() + 1.0) / (t.sum() + 2.0)
    return float(np.log(rate / (1 - rate)))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


# ------------------------------------------------------------------------------ sound clusters


def sound_clusters(audio: np.ndarray, n_clusters: int | None = None, seed: int = 0) -> np.ndarray:
    """Each item's sound neighbourhood: k-means (cosine) over the audio vectors, -1 without audio.

    Fitted on at most 20,000 items, then every item assigned to its nearest centre.
    """
    n = len(audio)
    has = np.flatnonzero(np.abs(audio).sum(1) > 0) if audio.shape[1] else np.zeros(0, np.int64)
    out = np.full(n, -1, np.int32)
    if len(has) < 8:
        return out
    k = n_clusters or int(np.clip(len(has) // 40, 4, 256))
    rng = np.random.default_rng(seed)
    sample = audio[rng.choice(has, min(len(has), 20_000), replace=False)].astype(np.float32)
    centres = sample[rng.choice(len(sample), k, replace=False)].copy()
    for _ in range(12):
        assign = np.argmax(sample @ centres.T, axis=1)
        for c in range(k):
            members = sample[assign == c]
            if len(members):
                v = members.mean(0)
                nv = float(np.linalg.norm(v))
                centres[c] = v / nv if nv > 0 else centres[c]
    for start in range(0, len(has), 50_000):
        part = has[start : start + 50_000]
        out[part] = np.argmax(audio[part].astype(np.float32) @ centres.T, axis=1)
    return out
