"""MovieLens-100k under several protocols, every model tuned on validation carved from its training data.

Protocols (each returns train + held-out targets per user; every unseen item is ranked):
- ``last-10``: each user's last 10 ratings by time (ties by item id) held out;
- ``last-1``: each user's last rating held out (next-item prediction);
- ``random-80/20``: a random 20% of each user's ratings held out, several seeds;
- ``global-time``: the last 20% of all ratings by time held out (the future, for everyone at once).

Hyperparameters: for every protocol and seed, the same protocol is applied again to the TRAINING
data to carve a validation split; each model's small grid is scored there (NDCG@10) and the best
setting is refitted on the whole training data and scored once on the test split. The test split
is never looked at while choosing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from tuneup.model.dataset import Dataset
from tuneup.model.eval_holdout import Split, metrics, temporal_split, top_k

K = 10


# ------------------------------------------------------------------------------------ protocols


def _dataset(ds: Dataset, keep: np.ndarray) -> Dataset:
    ev = ds.events.subset(keep)
    return Dataset(
        ds.catalogue,
        ev,
        ds.feedback,
        ds.seeds,
        ds.profiles,
        ds.baskets,
        ds.session_gap_s,
        float(ev.time.max()) if len(ev) else ds.as_of,
        ds.stamp,
    )


def _targets(ds: Dataset, keep: np.ndarray) -> dict[int, np.ndarray]:
    ev = ds.events
    out: dict[int, np.ndarray] = {}
    for pid in np.unique(ev.profile[~keep]).tolist():
        mine = ev.profile == pid
        seen = set(ev.item[mine & keep].tolist())
        if not seen:
            continue
        t = [i for i in dict.fromkeys(ev.item[mine & ~keep].tolist()) if i not in seen]
        if t:
            out[int(pid)] = np.asarray(t, np.int64)
    return out


def random_split(ds: Dataset, share: float = 0.2, seed: int = 0) -> Split:
    rng = np.random.default_rng(seed)
    ev = ds.events
    keep = np.ones(len(ev), bool)
    starts = np.flatnonzero(np.r_[True, ev.profile[1:] != ev.profile[:-1]])
    for a, b in zip(starts, np.r_[starts[1:], len(ev)]):
        n_out = int(round((b - a) * share))
        if b - a >= 5 and n_out:
            keep[a + rng.choice(b - a, n_out, replace=False)] = False
    return Split(_dataset(ds, keep), _targets(ds, keep))


def global_time_split(ds: Dataset, share: float = 0.2) -> Split:
    ev = ds.events
    cut = np.quantile(ev.time, 1 - share)
    keep = ev.time < cut
    return Split(_dataset(ds, keep), _targets(ds, keep))


def protocol_split(ds: Dataset, protocol: str, seed: int = 0) -> Split:
    if protocol == "last-10":
        return temporal_split(ds, 10)
    if protocol == "last-1":
        return temporal_split(ds, 1)
    if protocol == "random-80/20":
        return random_split(ds, 0.2, seed)
    if protocol == "global-time":
        return global_time_split(ds, 0.2)
    raise ValueError(protocol)


PROTOCOLS = ("last-10", "last-1", "random-80/20", "global-time")


# ------------------------------------------------------------------------------------ models


class ImplicitALS:
    """implicit's ALS (bench-only reference), optionally with bm25 weighting of the user-item matrix."""

    def __init__(self, factors=64, reg=0.05, alpha=1.0, bm25=False, iterations=15):
        self.kw = dict(factors=factors, reg=reg, alpha=alpha, bm25=bm25, iterations=iterations)
        self.name = "implicit ALS" + (" bm25" if bm25 else "")

    def fit(self, ds: Dataset):
        import scipy.sparse as sp
        from implicit.als import AlternatingLeastSquares
        from implicit.nearest_neighbours import bm25_weight
        from threadpoolctl import threadpool_limits

        ev = ds.events
        ok = ev.item >= 0
        users = np.unique(ev.profile[ok])
        self.row_of = {int(p): n for n, p in enumerate(users)}
        r = np.searchsorted(users, ev.profile[ok])
        n = len(ds.catalogue)
        m = sp.csr_matrix((np.ones(int(ok.sum()), np.float32), (r, ev.item[ok])), (len(users), n))
        m.sum_duplicates()
        m.data[:] = 1.0
        self.profiles = {int(p): ev.item[ok & (ev.profile == p)] for p in users}
        x = bm25_weight(m, K1=100, B=0.8).tocsr() if self.kw["bm25"] else m
        with threadpool_limits(1):
            self.model = AlternatingLeastSquares(
                factors=self.kw["factors"],
                regularization=self.kw["reg"],
                alpha=self.kw["alpha"],
                iterations=self.kw["iterations"],
                random_state=0,
            )
            self.model.fit(x.astype(np.float32), show_progress=False)
        return self

    def scores(self, pid: int) -> np.ndarray:
        r = self.row_of.get(pid)
        if r is None:
            return np.zeros(self.model.item_factors.shape[0])
        return np.asarray(self.model.item_factors @ self.model.user_factors[r], float)


def candidates() -> dict[str, list]:
    """Each model's grid (name -> list of (setting label, factory))."""
    from tuneup.model.baselines import EASE, Hybrid, ItemKNN, Popularity

    return {
        "popularity": [("", Popularity)],
        "item-kNN": [
            (f"k={k}", (lambda k=k: ItemKNN(neighbours=k, shrink=10.0))) for k in (100, 200)
        ],
        "EASE": [(f"lam={lam}", (lambda lam=lam: EASE(lam))) for lam in (250, 500)],
        "implicit ALS": [
            (f"f={f} reg={r} alpha={a}", (lambda f=f, r=r, a=a: ImplicitALS(f, r, a)))
            for f, r, a in ((64, 0.05, 1.0), (128, 0.5, 2.0))
        ],
        "implicit ALS bm25": [
            (f"f={f} reg={r}", (lambda f=f, r=r: ImplicitALS(f, r, 1.0, bm25=True)))
            for f, r in ((64, 0.05),)
        ],
        "tuneup": [(f"lam={lam}", (lambda lam=lam: Hybrid(lam=lam))) for lam in (250, 500)],
    }


# ------------------------------------------------------------------------------------ scoring


def per_user(rec, split: Split) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """NDCG@10 and HR@10 of every target user (same user order for every model)."""
    users = sorted(split.targets)
    nd, hr = np.zeros(len(users)), np.zeros(len(users))
    for n, pid in enumerate(users):
        seen = rec.profiles.get(pid, np.zeros(0, np.int64))
        ranked = top_k(rec.scores(pid), seen, K)
        h, _, g = metrics(ranked, split.targets[pid], K)
        nd[n], hr[n] = g, h
    return nd, hr, users


def tune_and_test(ds: Dataset, protocol: str, seed: int, log=None) -> dict[str, dict]:
    """For every model: pick its setting on validation (from train only), then score on test."""
    split = protocol_split(ds, protocol, seed)
    val = protocol_split(split.train, protocol, seed + 1000)  # carved from TRAINING data only
    out = {}
    for name, grid in candidates().items():
        best, best_label = None, ""
        if len(grid) > 1:
            for label, make in grid:
                nd, _, _ = per_user(make().fit(val.train), val)
                if best is None or nd.mean() > best:
                    best, best_label = float(nd.mean()), label
        make = dict(grid)[best_label] if best_label else grid[0][1]
        started = time.perf_counter()
        rec = make().fit(split.train)
        fit_s = time.perf_counter() - started
        nd, hr, users = per_user(rec, split)
        out[name] = {"ndcg": nd, "hr": hr, "users": users, "setting": best_label, "fit_s": fit_s}
        if log:
            log(f"{protocol} seed {seed} {name} {best_label}: NDCG@10 {nd.mean():.4f}")
    return out


@dataclass
class Row:
    model: str
    ndcg: float
    ndcg_se: float
    hr: float
    setting: str
    fit_s: float
    diff: float = 0.0  # tuneup minus this model, paired over users
    diff_se: float = 0.0


def summarise(runs: list[dict[str, dict]]) -> list[Row]:
    """One row per model: mean over seeds (SE over seeds when several, else over users), and the
    paired per-user difference tuneup minus the model with its SE."""
    rows = []
    for name in runs[0]:
        nds = [r[name]["ndcg"].mean() for r in runs]
        hrs = [r[name]["hr"].mean() for r in runs]
        if len(runs) > 1:
            se = float(np.std(nds, ddof=1) / np.sqrt(len(runs)))
        else:
            v = runs[0][name]["ndcg"]
            se = float(v.std(ddof=1) / np.sqrt(len(v)))
        diffs = np.concatenate([r["tuneup"]["ndcg"] - r[name]["ndcg"] for r in runs])
        d_se = float(diffs.std(ddof=1) / np.sqrt(len(diffs))) if len(diffs) > 1 else 0.0
        settings = sorted({r[name]["setting"] for r in runs})
        rows.append(
            Row(
                name,
                float(np.mean(nds)),
                se,
                float(np.mean(hrs)),
                ",".join(s for s in settings if s) or "-",
                float(np.mean([r[name]["fit_s"] for r in runs])),
                float(diffs.mean()),
                d_se,
            )
        )
    return rows
