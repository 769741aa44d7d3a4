"""Content vectors: every item as a sparse, idf-weighted, L2-normalised bag of tokens.

Stored as CSR arrays (ptr, idx, val) so 100,000 items cost a few MB and scoring every item
against a taste vector is one bincount.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# How much each field counts towards "same vibe".
FIELD_WEIGHTS = {
    "g": 1.0,
    "a": 1.0,
    "al": 0.6,
    "d": 0.35,
    "c": 0.5,
    "m": 0.6,
    "l": 0.3,
    "s": 1.0,
    "p": 0.5,
    "dir": 0.7,
    "w": 0.25,
    "k": 0.6,
}


@dataclass
class Content:
    ptr: np.ndarray  # int64 (n+1,)
    idx: np.ndarray  # int32 token index per nonzero
    val: np.ndarray  # float32
    vocab: list[str]
    _rows: np.ndarray | None = None

    @property
    def n_items(self) -> int:
        return len(self.ptr) - 1

    def rows(self) -> np.ndarray:
        """Row index of every nonzero."""
        if self._rows is None:
            self._rows = np.repeat(np.arange(self.n_items, dtype=np.int32), np.diff(self.ptr))
        return self._rows

    def to_tokens(self, weights: np.ndarray) -> np.ndarray:
        """X^T w: a taste vector over tokens from weights over items."""
        return np.bincount(
            self.idx, weights=self.val * weights[self.rows()], minlength=len(self.vocab)
        )

    def to_tokens_rows(self, rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """X^T w for a few rows only (cheap when ``rows`` is small)."""
        out = np.zeros(len(self.vocab))
        for r, w in zip(np.asarray(rows).tolist(), np.asarray(weights, float).tolist()):
            a, b = self.ptr[r], self.ptr[r + 1]
            out[self.idx[a:b]] += w * self.val[a:b]
        return out

    def prefix_index(self, prefix: str) -> np.ndarray:
        """Token indices whose name starts with ``prefix`` (e.g. "g:"), cached."""
        cache = self.__dict__.setdefault("_prefix_cache", {})
        if prefix not in cache:
            cache[prefix] = np.asarray(
                [k for k, t in enumerate(self.vocab) if t.startswith(prefix)], np.int64
            )
        return cache[prefix]

    def score(self, token_pref: np.ndarray) -> np.ndarray:
        """X p: every item's match with a taste vector over tokens."""
        return np.bincount(
            self.rows(), weights=self.val * token_pref[self.idx], minlength=self.n_items
        )

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.ptr[i], self.ptr[i + 1]
        return self.idx[a:b], self.val[a:b]


def build_content(token_lists: list[list[str]]) -> Content:
    vocab: dict[str, int] = {}
    idx: list[int] = []
    lengths = np.zeros(len(token_lists), np.int64)
    for n, toks in enumerate(token_lists):
        lengths[n] = len(toks)
        for t in toks:
            j = vocab.get(t)
            if j is None:
                j = vocab[t] = len(vocab)
            idx.append(j)
    ptr = np.zeros(len(token_lists) + 1, np.int64)
    np.cumsum(lengths, out=ptr[1:])
    idx_arr = np.asarray(idx, np.int32)
    names = list(vocab)
    field = np.asarray([FIELD_WEIGHTS.get(t.split(":", 1)[0], 0.5) for t in names], np.float32)
    df = np.bincount(idx_arr, minlength=len(names)).astype(np.float32)
    n = max(len(token_lists), 1)
    # Tokens every item has say nothing; tokens one item has link nothing: damp both.
    idf = np.log1p(n / np.maximum(df, 1)) * np.where(df > 1, 1.0, 0.5)
    val = (field * idf)[idx_arr] if len(idx_arr) else np.zeros(0, np.float32)
    rows = np.repeat(np.arange(len(token_lists)), lengths)
    norms = np.sqrt(np.bincount(rows, weights=val * val, minlength=len(token_lists)))
    val = (val / np.maximum(norms[rows], 1e-9)).astype(np.float32)
    return Content(ptr, idx_arr, val, names)


def token_label(token: str) -> str:
    """A token as a person would say it: 'g:jazz' -> 'jazz'."""
    kind, _, value = token.partition(":")
    if kind == "al":
        value = value.split("|", 1)[0]
    if kind == "d":
        value = f"{value}s"
    return value
