"""The learned ranker: logistic regression on a profile's own finished-vs-skipped outcomes.

Trained with Newton steps in numpy over a handful of candidate features. With little feedback it
leans on the untrained default weights; the more outcomes there are, the more it trusts itself.
"""

from __future__ import annotations

import numpy as np

FEATURES = (
    "collab",  # co-listened with what you play
    "content",  # same genres / artist / album / people as what you play
    "audio",  # sounds like what you play
    "context",  # what you play at this time of day
    "artist_familiarity",
    "artist_skip_rate",
    "genre_skip_rate",
    "popularity",
    "audio_skipped",  # sounds like what you skip
)
DEFAULT_WEIGHTS = np.array(
    [1.0, 0.8, 0.4, 0.25, 0.15, -0.8, -0.6, 0.05, 0.0]
)  # the last: learned only
# Co-listening and popularity are built from the very plays the ranker learns from (an item that was
# finished is co-listened with the rest; one that was skipped is not), so learning their weight from
# those outcomes would reward the leak. They keep their default weights; the ranker learns the rest.
TRAINABLE = np.array([False, True, True, True, True, True, True, False, True])
MIN_OUTCOMES = 20
TRUST_AT = 60.0  # outcomes at which the learned weights count as much as the defaults


def unit(w: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(w))
    return w / n if n > 0 else w


def train(
    x: np.ndarray, finishes: np.ndarray, skips: np.ndarray, l2: float = 10.0, iters: int = 25
):
    """Weighted binomial logistic regression. Returns (weights in feature units, effective outcomes) or None."""
    total = finishes + skips
    keep = total > 0
    x, finishes, total = x[keep][:, TRAINABLE], finishes[keep], total[keep]
    if len(x) < MIN_OUTCOMES or finishes.sum() < 3 or (total - finishes).sum() < 3:
        return None
    mu, sd = x.mean(0), x.std(0)
    sd[sd < 1e-9] = 1.0
    z = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    y = finishes / total
    w = np.zeros(z.shape[1])
    reg = np.full(z.shape[1], l2)
    reg[-1] = 1e-6
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (total * (p - y)) + reg * w
        h = (z * (total * p * (1 - p))[:, None]).T @ z + np.diag(reg)
        step = np.linalg.solve(h, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    full = np.zeros(len(TRAINABLE))
    full[TRAINABLE] = w[:-1] / sd
    # what the fit can be trusted for is bounded by the rarer outcome (usually the skips)
    n_eff = 2.0 * float(min(finishes.sum(), (total - finishes).sum()))
    return full, n_eff


def blend(learned: np.ndarray | None, n_outcomes: float) -> np.ndarray:
    """Weights to score with: the defaults, moved towards the learned ones as evidence grows."""
    if learned is None or not np.all(np.isfinite(learned)):
        return DEFAULT_WEIGHTS.copy()
    alpha = n_outcomes / (n_outcomes + TRUST_AT)
    out = DEFAULT_WEIGHTS.copy()
    scale = float(np.linalg.norm(DEFAULT_WEIGHTS[TRAINABLE]))
    out[TRAINABLE] = (
        alpha * scale * unit(learned[TRAINABLE]) + (1 - alpha) * DEFAULT_WEIGHTS[TRAINABLE]
    )
    return out
