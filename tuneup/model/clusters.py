"""A profile's taste in words, and its clusters (k-means over what it plays) for Daily Mixes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tuneup.model.content import token_label
from tuneup.model.profile import DAY_PARTS

if TYPE_CHECKING:
    from tuneup.model.hybrid import Model, Taste

MAX_CLUSTER_ITEMS = 600


def _top_tokens(model: "Model", pref: np.ndarray, prefix: str, n: int) -> list[tuple[str, float]]:
    sel = model.content.prefix_index(prefix)
    if len(sel) == 0:
        return []
    vals = pref[sel]
    order = np.argsort(-vals)[:n] if len(vals) <= n else np.argpartition(-vals, n - 1)[:n]
    order = order[np.argsort(-vals[order], kind="stable")]
    names = _display_names(model) if prefix == "a:" else {}
    out = []
    for k in order:
        if vals[k] > 0:
            label = token_label(model.content.vocab[sel[k]])
            out.append((names.get(label, label), round(float(vals[k]), 4)))
    return out


def _display_names(model: "Model") -> dict[str, str]:
    """Normalised artist -> the artist as tagged ("miles davis" -> "Miles Davis")."""
    names = model._cache.get("artist_names")
    if names is None:
        from tuneup.store.normalize import norm_artist

        names = model._cache["artist_names"] = {}
        for a in dict.fromkeys(model.artists):
            if a:
                names.setdefault(norm_artist(a), a)
    return names


def _dense_rows(model: "Model", rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Content rows (+ audio) of ``rows`` as a dense matrix over the tokens they use."""
    parts = [model.content.row(int(r)) for r in rows]
    used = np.unique(np.concatenate([p[0] for p in parts])) if parts else np.zeros(0, np.int32)
    col = {int(t): k for k, t in enumerate(used)}
    x = np.zeros((len(rows), len(used) + model.audio.shape[1]), np.float32)
    for n, (idx, val) in enumerate(parts):
        x[n, [col[int(t)] for t in idx]] = val
    if model.audio.shape[1]:
        x[:, len(used) :] = 0.7 * model.audio[rows]
    return x, used


def kmeans(x: np.ndarray, k: int, seed: int = 0, iters: int = 30) -> np.ndarray:
    """Cosine k-means with k-means++ seeding. Returns a label per row."""
    rng = np.random.default_rng(seed)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = x / np.maximum(norms, 1e-9)
    centres = [x[rng.integers(len(x))]]
    best = x @ centres[0]
    for _ in range(1, k):
        d = np.maximum(1 - best, 0) ** 2
        p = d / d.sum() if d.sum() > 0 else None
        centres.append(x[rng.choice(len(x), p=p)])
        best = np.maximum(best, x @ centres[-1])
    c = np.stack(centres)
    labels = np.zeros(len(x), np.int64)
    for _ in range(iters):
        new = np.argmax(
            np.einsum("ij,kj->ik", x, c), axis=1
        )  # einsum: no BLAS thread start-up per call
        if _ > 0 and np.array_equal(new, labels):
            break
        labels = new
        for j in range(k):
            members = x[labels == j]
            if len(members):
                m = members.mean(0)
                c[j] = m / max(float(np.linalg.norm(m)), 1e-9)
    return labels


def taste_summary(model: "Model", profile_id: int, n_clusters: int = 6, seed: int = 0) -> "Taste":
    from tuneup.model.hybrid import Taste, TasteCluster

    st = model.state(profile_id)
    sig = model.signals(profile_id)
    pref = sig.pref
    day_parts = {}
    for p, name in enumerate(DAY_PARTS + ("weekdays", "weekends")):
        if st.part_taste[p].any():
            day_parts[name] = [
                g for g, _ in _top_tokens(model, model.content.to_tokens(st.part_taste[p]), "g:", 3)
            ]
    audio = {}
    pos = st.positive
    if model.audio_names and pos.any():
        have = np.isfinite(model.audio_data)
        for m, name in enumerate(model.audio_names):
            ok = have[:, m] & (pos > 0)
            if ok.any():
                audio[name] = round(float(np.average(model.audio_data[ok, m], weights=pos[ok])), 4)
    clusters = []
    liked = np.flatnonzero(pos > 0)
    if len(liked) > MAX_CLUSTER_ITEMS:
        liked = liked[np.argsort(-pos[liked])[:MAX_CLUSTER_ITEMS]]
    k = int(min(n_clusters, max(1, len(liked) // 8)))
    if len(liked) >= 2:
        x, used = _dense_rows(model, liked)
        labels = kmeans(x, k, seed)
        for j in range(k):
            members = liked[labels == j]
            if len(members) == 0:
                continue
            members = members[np.argsort(-pos[members])]
            cpref = model.content.to_tokens_rows(members, pos[members])
            clusters.append(
                TasteCluster(
                    [int(model.item_ids[i]) for i in members],
                    [g for g, _ in _top_tokens(model, cpref, "g:", 3)],
                    [a for a, _ in _top_tokens(model, cpref, "a:", 3)],
                )
            )
        clusters.sort(key=lambda c: -len(c.item_ids))
    return Taste(
        profile_id,
        st.n_signal,
        _top_tokens(model, pref, "g:", 10),
        _top_tokens(model, pref, "a:", 10),
        day_parts,
        audio,
        clusters,
        list(model.seeds.get(profile_id, [])),
    )
