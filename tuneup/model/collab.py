"""Co-listening: which items are played together (in the same session, or by the same person).

Two parts, both fitted from "baskets" (a listening session, or a whole profile in evaluation data):
- item-kNN: the top neighbours of every item by cosine over baskets; sparse, so it scales to
  100,000 items and millions of listens;
- EASE (Steck 2019) over the most-played items: one dense inverse, the strongest simple
  collaborative model there is, limited to ``ease_max`` items so the inverse stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tuneup.model.memory import release_memory

EASE_MAX = 3000
NEIGHBOURS = 50


@dataclass
class Collab:
    nb_idx: np.ndarray  # (n, N) int32 neighbour rows, -1 where there is none
    nb_val: np.ndarray  # (n, N) float32 cosine
    ease_rows: np.ndarray  # (m,) int64 rows covered by EASE
    ease_b: np.ndarray  # (m, m) float32
    baskets: np.ndarray  # (n,) float32 number of baskets each item is in

    @property
    def n_items(self) -> int:
        return len(self.baskets)

    def knn_scores(self, w: np.ndarray) -> np.ndarray:
        nz = np.flatnonzero(w > 0)
        if len(nz) > 3000:  # the strongest 3000 carry the signal; keeps recommend fast
            nz = nz[np.argpartition(-w[nz], 3000)[:3000]]
        idx = self.nb_idx[nz].ravel()
        val = (self.nb_val[nz] * w[nz, None]).ravel()
        ok = idx >= 0
        return np.bincount(idx[ok], weights=val[ok], minlength=self.n_items)

    def ease_scores(self, w: np.ndarray) -> np.ndarray:
        out = np.zeros(self.n_items)
        if len(self.ease_rows) == 0:
            return out
        u = np.maximum(w[self.ease_rows], 0).astype(np.float32)
        if u.any():
            out[self.ease_rows] = u @ self.ease_b
        return out

    def scores(
        self, w: np.ndarray, ease_weight: float = 1.0, knn_weight: float = 0.5
    ) -> np.ndarray:
        """A blend of EASE and item-kNN, each scaled to a maximum of 1."""
        total = np.zeros(self.n_items)
        for part, weight in ((self.ease_scores(w), ease_weight), (self.knn_scores(w), knn_weight)):
            top = part.max() if len(part) else 0.0
            if top > 0 and weight:
                total += weight * part / top
        return total

    def neighbours(self, row: int) -> tuple[np.ndarray, np.ndarray]:
        ok = self.nb_idx[row] >= 0
        return self.nb_idx[row][ok], self.nb_val[row][ok]

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "nb_idx": self.nb_idx,
            "nb_val": self.nb_val,
            "ease_rows": self.ease_rows,
            "ease_b": self.ease_b,
            "baskets": self.baskets,
        }

    @classmethod
    def from_arrays(cls, a) -> "Collab":
        return cls(a["nb_idx"], a["nb_val"], a["ease_rows"], a["ease_b"], a["baskets"])


def basket_ids(profile: np.ndarray, time: np.ndarray, gap_s: float | None) -> np.ndarray:
    """Events (sorted by profile, then time) -> basket numbers; a new basket at every profile change or gap."""
    if len(profile) == 0:
        return np.zeros(0, np.int64)
    new = np.ones(len(profile), bool)
    new[1:] = profile[1:] != profile[:-1]
    if gap_s is not None:
        new[1:] |= (time[1:] - time[:-1]) > gap_s
    return np.cumsum(new) - 1


def fit_collab(
    basket: np.ndarray,
    item: np.ndarray,
    weight: np.ndarray,
    n_items: int,
    *,
    lam: float = 250.0,
    ease_max: int = EASE_MAX,
    neighbours: int = NEIGHBOURS,
    shrink: float = 5.0,
    window: int | None = None,
    cancel=None,
) -> Collab:
    """Fit from events (basket, item row, positive weight), ordered by basket then time.

    ``window`` None counts every pair in a basket (a profile's whole history); a number counts
    only pairs at most that many plays apart (long listening sessions, large histories).
    """
    keep = (item >= 0) & (weight > 0)
    basket, item, weight = basket[keep], item[keep], weight[keep]
    key = basket * n_items + item
    ukey, inv = np.unique(key, return_inverse=True)
    uval = np.log1p(np.bincount(inv, weights=weight)) / np.log(2.0)
    ub, ui = ukey // n_items, ukey % n_items
    counts = np.bincount(ui, minlength=n_items).astype(np.float32)
    order = np.argsort(-counts, kind="stable")
    m = int(min(ease_max, np.count_nonzero(counts)))
    ease_rows = np.sort(order[:m]).astype(np.int64)
    if window is None:
        gram, rows = _dense_gram(
            ub, ui, uval, n_items, ease_rows if m < np.count_nonzero(counts) else None
        )
        nb_idx, nb_val = _knn_dense(gram, rows, n_items, neighbours, shrink)
    else:
        gram, rows = None, ease_rows
        nb_idx, nb_val, gram = _knn_windowed(
            basket, item, n_items, window, neighbours, shrink, ease_rows
        )
    if cancel is not None and cancel():
        raise InterruptedError
    release_memory()
    ease_b = _ease(gram, lam) if m else np.zeros((0, 0), np.float32)
    return Collab(nb_idx, nb_val, rows.astype(np.int64), ease_b, counts)


def _dense_gram(ub, ui, uval, n_items, subset):
    """X^T X over the active items (or ``subset``), from (basket, item, value) triples, in chunks."""
    rows = np.flatnonzero(np.bincount(ui, minlength=n_items)) if subset is None else subset
    col = np.full(n_items, -1, np.int64)
    col[rows] = np.arange(len(rows))
    c = col[ui]
    ok = c >= 0
    ub, c, uval = ub[ok], c[ok], uval[ok]
    _, b = np.unique(ub, return_inverse=True)
    nb = int(b.max()) + 1 if len(b) else 0
    gram = np.zeros((len(rows), len(rows)), np.float32)
    step = max(1, int(2e7 // max(len(rows), 1)))
    for start in range(0, nb, step):
        sel = (b >= start) & (b < start + step)
        x = np.zeros((min(step, nb - start), len(rows)), np.float32)
        x[b[sel] - start, c[sel]] = uval[sel]
        gram += x.T @ x
    return gram, rows


def _knn_dense(gram, rows, n_items, k, shrink):
    diag = np.sqrt(np.diag(gram)).astype(np.float32)
    sim = gram / (diag[:, None] * diag[None, :] + shrink)
    np.fill_diagonal(sim, 0)
    k = min(k, max(len(rows) - 1, 0))
    nb_idx = np.full((n_items, max(k, 1)), -1, np.int32)
    nb_val = np.zeros((n_items, max(k, 1)), np.float32)
    if k == 0:
        return nb_idx, nb_val
    top = np.argpartition(-sim, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(sim, top, axis=1)
    order = np.argsort(-vals, axis=1)
    top, vals = np.take_along_axis(top, order, 1), np.take_along_axis(vals, order, 1)
    nb_idx[rows] = np.where(vals > 0, rows[top], -1)
    nb_val[rows] = np.maximum(vals, 0)
    return nb_idx, nb_val


def _knn_windowed(basket, item, n_items, window, k, shrink, ease_rows):
    """Neighbours from pairs of plays at most ``window`` apart in the same basket (sparse, scales)."""
    key, cnt = _pair_counts(basket, item, n_items, window)
    lo, hi = (key // n_items).astype(np.int32), (key % n_items).astype(np.int32)
    cnt = cnt.astype(np.float32)
    del key
    release_memory()
    freq = np.bincount(item, minlength=n_items).astype(np.float64)
    sim = (cnt / (np.sqrt(freq[lo] * freq[hi]) + shrink)).astype(np.float32)
    gram = _sparse_to_dense(lo, hi, cnt, freq, ease_rows, n_items)
    del cnt
    nb_idx, nb_val = _top_neighbours(lo, hi, sim, n_items, k)
    return nb_idx, nb_val, gram


def _pair_counts(basket, item, n_items, window):
    """Every unordered pair of different items at most ``window`` plays apart in a basket, counted.

    Pairs are written into one preallocated array and sorted in place, so the peak is about one
    copy of the pair list (np.unique on a concatenation held three).
    """
    key = np.empty(max(len(item) - 1, 0) * window, np.int64)
    filled = 0
    for d in range(1, window + 1):
        same = (basket[d:] == basket[:-d]) & (item[d:] != item[:-d])
        a, b = item[:-d][same], item[d:][same]
        key[filled : filled + len(a)] = np.minimum(a, b).astype(np.int64) * n_items + np.maximum(
            a, b
        )
        filled += len(a)
        del a, b, same
    key = key[:filled]
    key.sort()
    if not filled:
        return key, np.zeros(0, np.int64)
    starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
    cnt = np.diff(np.append(starts, filled))
    return key[starts], cnt


PAIRS_PER_BLOCK = 1_000_000


def _top_neighbours(lo, hi, sim, n_items, k):
    """The ``k`` most similar of every item, from symmetric pairs, a block of items at a time.

    Sorting both directions of every pair at once held ~8 copies of the pair list (~260 MB at
    100k items and 1M listens); a block of items needs only its own share.
    """
    nb_idx = np.full((n_items, k), -1, np.int32)
    nb_val = np.zeros((n_items, k), np.float32)
    degree = np.cumsum(np.bincount(lo, minlength=n_items) + np.bincount(hi, minlength=n_items))
    blocks = max(1, -(-2 * len(lo) // PAIRS_PER_BLOCK))
    # blocks of equal pair counts: popular items hold most pairs
    cuts = np.searchsorted(degree, np.arange(1, blocks) * (degree[-1] / blocks)) if len(lo) else []
    bounds = np.unique(np.concatenate([[0], cuts, [n_items]])).astype(np.int64)
    for start, end in zip(bounds[:-1], bounds[1:]):
        from_lo = (lo >= start) & (lo < end)
        from_hi = (hi >= start) & (hi < end)
        src = np.concatenate([lo[from_lo], hi[from_hi]])
        dst = np.concatenate([hi[from_lo], lo[from_hi]])
        val = np.concatenate([sim[from_lo], sim[from_hi]])
        del from_lo, from_hi
        order = np.lexsort((-val, src))
        src, dst, val = src[order], dst[order], val[order]
        starts = np.searchsorted(src, np.arange(start, end))
        pos = np.arange(len(src)) - starts[src - start]
        keep = pos < k
        nb_idx[src[keep], pos[keep]] = dst[keep]
        nb_val[src[keep], pos[keep]] = val[keep]
    return nb_idx, nb_val


def _sparse_to_dense(lo, hi, cnt, freq, rows, n_items):
    col = np.full(n_items, -1, np.int64)
    col[rows] = np.arange(len(rows))
    ok = (col[lo] >= 0) & (col[hi] >= 0)
    m = len(rows)
    gram = np.zeros((m, m), np.float32)
    gram[col[lo[ok]], col[hi[ok]]] = cnt[ok]
    gram[col[hi[ok]], col[lo[ok]]] = cnt[ok]
    gram[np.arange(m), np.arange(m)] = freq[rows]
    return gram


def _ease(gram: np.ndarray, lam: float) -> np.ndarray:
    """EASE's item-item weights from the gram matrix, which is consumed (changed in place when large)."""
    exact = len(gram) <= EXACT_INVERSE_MAX
    g = gram.astype(np.float64) if exact else gram.astype(np.float32, copy=False)
    del gram
    g[np.diag_indices_from(g)] += lam
    p = np.linalg.inv(g) if exact else _spd_inverse(g)
    del g
    p /= -np.diag(p)[None, :]
    np.fill_diagonal(p, 0.0)
    return p.astype(np.float32, copy=False)


EXACT_INVERSE_MAX = 2000  # up to this size the inverse is one float64 LAPACK call
INVERSE_BLOCK = 1024


def _spd_inverse(g: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite matrix, by 2x2 blocks and their Schur complement.

    ``np.linalg.inv`` always works in float64 and holds several copies of the matrix, so a 3,000-item
    float32 gram cost ~320 MB of peak memory. Splitting until the blocks are small keeps the float64
    work to ``INVERSE_BLOCK``-sized pieces and does the rest as float32 products (the ridge term
    keeps the system well conditioned).
    """
    n = len(g)
    if n <= INVERSE_BLOCK:
        return np.linalg.inv(g.astype(np.float64, copy=False)).astype(g.dtype, copy=False)
    k = n // 2
    a_inv = _spd_inverse(g[:k, :k])
    a_inv_b = a_inv @ g[:k, k:]
    schur = g[k:, k:] - g[:k, k:].T @ a_inv_b
    out = np.empty_like(g)
    out[k:, k:] = _spd_inverse(schur)
    del schur
    out[:k, k:] = -(a_inv_b @ out[k:, k:])
    out[k:, :k] = out[:k, k:].T
    out[:k, :k] = a_inv - out[:k, k:] @ a_inv_b.T
    return out
