"""Fitting: a :class:`Dataset` in, a :class:`Model` out."""

from __future__ import annotations

import re
import time

import numpy as np

from tuneup.cancel import cancel_check
from tuneup.model import ranker
from tuneup.model.collab import basket_ids, fit_collab
from tuneup.model.content import build_content
from tuneup.model.dataset import FINISHED, LIKE, SKIPPED, STOPPED, Dataset
from tuneup.model.hybrid import Model
from tuneup.model.memory import release_memory
from tuneup.model.person import sound_clusters
from tuneup.model.profile import DAY, HALF_LIFE_DAYS, ProfileEvents
from tuneup.model.sources import fold
from tuneup.store.normalize import norm_artist, norm_title

_LIVE = re.compile(
    r"\s*[\(\[][^\)\]]*\b(live|acoustic version|demo|mono)\b[^\)\]]*[\)\]]|\s+-\s+live\b.*$", re.I
)
PAIR_BUDGET = 5_000_000  # co-listening pairs counted at most (memory and time bound)


def _ids(keys: list[str]) -> np.ndarray:
    table: dict[str, int] = {}
    return np.asarray([-1 if not k else table.setdefault(k, len(table)) for k in keys], np.int32)


def _dup_key(title: str, artist: str) -> str:
    if not title:
        return ""
    return f"{norm_title(_LIVE.sub('', title))}|{norm_artist(artist)}"


def _audio_table(cat) -> tuple[list[str], np.ndarray]:
    if not cat.audio_data:
        return [], np.zeros((0, 0), np.float32)
    counts: dict[str, int] = {}
    for d in cat.audio_data:
        for key, v in d.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                counts[key] = counts.get(key, 0) + 1
    names = sorted(counts, key=lambda k: -counts[k])[:16]
    table = np.full((len(cat), len(names)), np.nan, np.float32)
    for n, d in enumerate(cat.audio_data):
        for m, key in enumerate(names):
            v = d.get(key)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                table[n, m] = v
    return names, table


def collab_weights(ds: Dataset) -> np.ndarray:
    """How much each event says "these belong together": finished plays fully, skips not at all."""
    ev = ds.events
    w = np.where(
        ev.outcome == FINISHED,
        1.0,
        np.where(ev.outcome == STOPPED, np.clip(ev.fraction, 0, 1), 0.0),
    )
    return (w * ev.weight).astype(np.float32)


def fit_model(
    ds: Dataset,
    *,
    profile: int | None = None,
    progress=None,
    cancel=None,
    lam: float = 250.0,
    ease_max: int | None = None,
) -> Model:
    started = time.perf_counter()
    step = _Steps(progress, cancel, 5)
    cat = ds.catalogue
    n = len(cat)
    content = build_content(cat.tokens)
    release_memory()
    vocab = {t: k for k, t in enumerate(content.vocab)}
    step("content vectors")
    artist_idx = _ids([norm_artist(a) for a in cat.artists])
    album_idx = _ids(
        [f"{fold(al)}|{norm_artist(a)}" if al else "" for al, a in zip(cat.albums, cat.artists)]
    )
    genre_idx = np.asarray(
        [vocab.get(f"g:{fold(g[0])}", -1) if g else -1 for g in cat.genres], np.int32
    )
    dup_idx = _ids([_dup_key(t, a) for t, a in zip(cat.titles, cat.artists)])
    ev = ds.events
    matched = ev.item >= 0
    gap = None if ds.baskets == "profile" else ds.session_gap_s
    baskets = basket_ids(ev.profile[matched], ev.time[matched], gap)
    n_events = int(matched.sum())
    window = (
        None if ds.baskets == "profile" else int(np.clip(PAIR_BUDGET // max(n_events, 1), 2, 25))
    )
    from tuneup.model.collab import EASE_MAX

    collab = fit_collab(
        baskets,
        ev.item[matched],
        collab_weights(ds)[matched],
        n,
        lam=lam,
        ease_max=EASE_MAX if ease_max is None else ease_max,
        window=window,
        cancel=step.cancelled,
    )
    step("co-listening")
    popularity = np.bincount(ev.item[matched], minlength=n).astype(np.float32)
    profile_events = _split_profiles(ds)
    seed_prefs = {
        pid: _seed_pref(ds, pid, content, vocab, artist_idx)
        for pid in set(ds.seeds) | set(ev.unmatched_artist) | set(ds.profiles) | set(profile_events)
    }
    seed_prefs = {pid: s for pid, s in seed_prefs.items() if s.shape[1]}
    audio = cat.audio if cat.audio is not None else np.zeros((n, 0), np.float32)
    names, table = _audio_table(cat)
    step("profiles")
    model = Model(
        cat.item_ids,
        cat.kinds,
        cat.titles,
        cat.artists,
        cat.albums,
        content,
        collab,
        audio,
        names,
        table,
        artist_idx,
        album_idx,
        genre_idx,
        dup_idx,
        popularity,
        profile_events,
        seed_prefs,
        dict(ds.seeds),
        {},
        ds.as_of or time.time(),
        ds.stamp,
        {"baskets": ds.baskets, "fitted_at": time.time()},
        sound_clusters(audio),
    )
    for pid in profile_events:
        if profile is None or pid == profile:
            model.ranker_weights[pid] = train_ranker(model, pid)
    step("ranker")
    model.meta["fit_seconds"] = round(time.perf_counter() - started, 3)
    return model


def train_ranker(model: Model, pid: int) -> tuple[np.ndarray | None, float]:
    st = model.state(pid)
    if st.skips.sum() < 3:
        return None, 0.0
    fin, skp = first_outcomes(model.profile_events[pid], model.n_items)
    # later plays say less about "will a new item work": a tenth each, at most one outcome's worth
    fin += np.minimum(0.1 * np.maximum(st.finishes - 1, 0), 1.0) + st.liked
    skp += np.minimum(0.1 * np.maximum(st.skips - 1, 0), 1.0) + st.disliked + 2 * st.banned
    rows = np.flatnonzero(fin + skp > 0)
    sig = model.signals(pid)
    result = ranker.train(sig.x[rows], fin[rows], skp[rows])
    if result is None:
        return None, 0.0
    return result


def first_outcomes(ev: ProfileEvents, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Finished / skipped flags of the first time each item was played (events are in time order).

    The first play is the moment a discovery mix is about; favourites replayed a hundred times
    would otherwise drown it out.
    """
    fin, skp = np.zeros(n), np.zeros(n)
    if len(ev.item):
        first_time = np.full(n, np.inf)
        np.minimum.at(first_time, ev.item, ev.time)
        first = ev.time == first_time[ev.item]  # ties: every play at that first moment counts
        fin[ev.item[first & (ev.outcome == FINISHED)]] = 1.0
        skp[ev.item[first & (ev.outcome == SKIPPED)]] = 1.0
    return fin, skp


def _split_profiles(ds: Dataset) -> dict[int, ProfileEvents]:
    ev, fb = ds.events, ds.feedback
    out = {}
    for pid in sorted(set(ev.profile.tolist()) | set(fb.profile.tolist())):
        sel = (ev.profile == pid) & (ev.item >= 0)
        fsel = (fb.profile == pid) & (fb.item >= 0)
        out[int(pid)] = ProfileEvents(
            ev.item[sel],
            ev.time[sel],
            ev.outcome[sel],
            ev.fraction[sel],
            ev.weight[sel],
            fb.item[fsel],
            fb.kind[fsel],
            fb.time[fsel],
        )
    return out


def _seed_pref(ds: Dataset, pid: int, content, vocab, artist_idx) -> np.ndarray:
    """Onboarding seeds and unmatched imported listens, as weights over content tokens."""
    weights: dict[int, float] = {}
    artist_rows: dict[str, list[int]] | None = None

    def add_artist(name: str, w: float) -> None:
        nonlocal artist_rows
        tok = vocab.get(f"a:{norm_artist(name)}")
        if tok is None:
            return
        weights[tok] = weights.get(tok, 0.0) + w
        if artist_rows is None:
            artist_rows = {}
            art_tokens = {t for t in vocab if t.startswith("a:")}
            for row in range(content.n_items):
                idx, _ = content.row(row)
                for t in idx:
                    name_t = content.vocab[t]
                    if name_t in art_tokens:
                        artist_rows.setdefault(name_t, []).append(row)
        for row in artist_rows.get(f"a:{norm_artist(name)}", [])[:50]:
            idx, val = content.row(row)
            for t, v in zip(idx, val):
                if content.vocab[t].startswith("g:"):
                    weights[int(t)] = weights.get(int(t), 0.0) + 0.3 * w * float(v)

    for kind, value in ds.seeds.get(pid, []):
        if kind == "genre":
            tok = vocab.get(f"g:{fold(value)}")
            if tok is not None:
                weights[tok] = weights.get(tok, 0.0) + 1.0
        elif kind == "artist":
            add_artist(value, 1.0)
    unmatched = ds.events.unmatched_artist.get(pid, [])
    if unmatched:
        totals: dict[str, float] = {}
        for artist, t in unmatched:
            age = max(ds.as_of - t, 0.0) / DAY
            totals[artist] = totals.get(artist, 0.0) + 0.5 ** (age / HALF_LIFE_DAYS)
        top = max(totals.values())
        for artist, w in sorted(totals.items(), key=lambda kv: -kv[1])[:200]:
            add_artist(artist, 0.5 * w / top)
    fb = ds.feedback
    for k in np.flatnonzero((fb.profile == pid) & (fb.item < 0) & (fb.kind == LIKE)):
        if fb.artist[k]:
            add_artist(fb.artist[k], 0.5)
    if not weights:
        return np.zeros((2, 0))
    keys = np.asarray(list(weights), np.float64)
    vals = np.asarray(list(weights.values()), np.float64)
    return np.vstack([keys, vals / max(float(vals.max()), 1e-9)])


class _Steps:
    def __init__(self, progress, cancel, total):
        self.progress, self.cancelled, self.total, self.done = (
            progress,
            cancel_check(cancel),
            total,
            0,
        )

    def __call__(self, info: str) -> None:
        self.done += 1
        if self.cancelled():
            raise InterruptedError("fit cancelled")
        if self.progress:
            self.progress(self.done, self.total, info)
