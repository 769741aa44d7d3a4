"""Offline evaluation: hold out each profile's last N interactions, fit on the rest, rank everything unseen."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from tuneup.model.dataset import Dataset


@dataclass
class Split:
    train: Dataset
    targets: dict[int, np.ndarray]  # profile -> held-out item rows (unseen in training)


def temporal_split(ds: Dataset, holdout: int) -> Split:
    """Events are ordered by (profile, time, item); the last ``holdout`` of every profile with more are held out."""
    ev = ds.events
    n = len(ev)
    keep = np.ones(n, bool)
    targets: dict[int, np.ndarray] = {}
    if n:
        starts = np.flatnonzero(np.r_[True, ev.profile[1:] != ev.profile[:-1]])
        ends = np.r_[starts[1:], n]
        for a, b in zip(starts, ends):
            if b - a <= holdout:
                continue
            keep[b - holdout : b] = False
            seen = set(ev.item[a : b - holdout].tolist())
            t = [
                i
                for i in dict.fromkeys(ev.item[b - holdout : b].tolist())
                if i not in seen and i >= 0
            ]
            if t:
                targets[int(ev.profile[a])] = np.asarray(t, np.int64)
    train = Dataset(
        ds.catalogue,
        ev.subset(keep),
        ds.feedback,
        ds.seeds,
        ds.profiles,
        ds.baskets,
        ds.session_gap_s,
        float(ev.time[keep].max()) if keep.any() else ds.as_of,
        ds.stamp,
    )
    return Split(train, targets)


def top_k(scores: np.ndarray, seen: np.ndarray, k: int) -> np.ndarray:
    s = scores.astype(float).copy()
    s[seen] = -np.inf
    k = min(k, len(s))
    top = np.argpartition(-s, k - 1)[:k]
    top = top[np.argsort(-s[top], kind="stable")]
    return top[np.isfinite(s[top])]


def metrics(ranked: np.ndarray, target: np.ndarray, k: int) -> tuple[float, float, float]:
    hits = np.isin(ranked[:k], target)
    dcg = float((hits / np.log2(np.arange(2, len(hits) + 2))).sum())
    idcg = float((1 / np.log2(np.arange(2, min(len(target), k) + 2))).sum())
    return float(hits.any()), hits.sum() / len(target), dcg / idcg if idcg else 0.0


def evaluate(rec, split: Split, k: int) -> dict:
    started = time.perf_counter()
    rec.fit(split.train)
    fit_s = time.perf_counter() - started
    hr = rc = nd = 0.0
    for pid, target in split.targets.items():
        seen = rec.profiles.get(pid, np.zeros(0, np.int64))
        ranked = top_k(rec.scores(pid), seen, k)
        h, r, n = metrics(ranked, target, k)
        hr, rc, nd = hr + h, rc + r, nd + n
    m = max(len(split.targets), 1)
    return {
        "model": rec.name,
        f"HR@{k}": round(hr / m, 4),
        f"Recall@{k}": round(float(rc) / m, 4),
        f"NDCG@{k}": round(nd / m, 4),
        "fit_s": round(fit_s, 2),
        "profiles": len(split.targets),
    }


_NAMES = {
    "popularity": "Popularity",
    "content": "ContentOnly",
    "knn": "ItemKNN",
    "als": "ALS",
    "ease": "EASE",
    "hybrid": "Hybrid",
}


def recommenders(spec: str = "all") -> list:
    from tuneup.errors import TuneupError
    from tuneup.model import baselines

    if spec == "all":
        return baselines.all_recommenders()
    out = []
    for name in (s.strip().lower() for s in spec.split(",") if s.strip()):
        if name not in _NAMES:
            raise TuneupError(f"unknown model {name!r}; known: {', '.join(_NAMES)}")
        out.append(getattr(baselines, _NAMES[name])())
    return out


def write_recommendations(ds: Dataset, prof_key: dict, item_key: dict, k: int, path) -> int:
    """Fit tuneup's model on everything and write ``profile,item,rank,score`` (seen items excluded)."""
    import csv
    import os
    from pathlib import Path

    from tuneup.model.baselines import Hybrid

    rec = Hybrid().fit(ds)
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    n = 0
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["profile", "item", "rank", "score"])
        for pid in sorted(prof_key):
            scores = rec.scores(pid)
            ranked = top_k(scores, rec.profiles.get(pid, np.zeros(0, np.int64)), k)
            for rank, i in enumerate(ranked, 1):
                w.writerow(
                    [
                        prof_key[pid],
                        item_key[int(ds.catalogue.item_ids[i])],
                        rank,
                        f"{scores[i]:.6f}",
                    ]
                )
                n += 1
    os.replace(tmp, path)
    return n
