"""The hybrid model: content + co-listening + audio + context, a learned ranker, exploration, diversity."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from tuneup.model import ranker
from tuneup.model.collab import Collab
from tuneup.model.content import Content, token_label
from tuneup.model.dataset import BAN
from tuneup.model.explore import diverse_pick, thompson_genres
from tuneup.model.profile import DAY, ProfileEvents, ProfileState, build_state, context_key
from tuneup.model.reasons import Signals, reason_for

DEFAULT_ADVENTUROUSNESS = 30
EXPLORE_SHARE_AT_MAX = 0.5  # at adventurousness 100, half the list is exploration
SEED_WEIGHT = 3.0


@dataclass
class Rec:
    item_id: int
    score: float
    reason: str
    exploration: bool = False
    evidence: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "item_id": self.item_id,
            "score": self.score,
            "reason": self.reason,
            "exploration": self.exploration,
            "evidence": self.evidence,
        }


@dataclass
class TasteCluster:
    item_ids: list[int]
    genres: list[str]
    artists: list[str]

    @property
    def name(self) -> str:
        parts = self.genres[:1] + self.artists[:1]
        return ", ".join(parts) + (" and more" if parts else "")


@dataclass
class Taste:
    profile_id: int
    signal: int  # number of events and feedback rows behind it
    top_genres: list[tuple[str, float]]
    top_artists: list[tuple[str, float]]
    day_parts: dict[str, list[str]]  # day part -> top genres then
    audio: dict[str, float]  # mean of named audio features over what is liked (when analysed)
    clusters: list[TasteCluster]
    seeds: list[tuple[str, str]]

    def as_dict(self) -> dict:
        return {
            "profile_id": self.profile_id,
            "signal": self.signal,
            "top_genres": self.top_genres,
            "top_artists": self.top_artists,
            "day_parts": self.day_parts,
            "audio": self.audio,
            "clusters": [
                {"name": c.name, "item_ids": c.item_ids, "genres": c.genres, "artists": c.artists}
                for c in self.clusters
            ],
            "seeds": self.seeds,
        }


@dataclass
class Model:
    item_ids: np.ndarray
    kinds: list[str]
    titles: list[str]
    artists: list[str]
    albums: list[str]
    content: Content
    collab: Collab
    audio: np.ndarray  # (n, d) or (n, 0)
    audio_names: list[str]
    audio_data: np.ndarray  # (n, len(audio_names)) float32, nan when unknown
    artist_idx: np.ndarray  # (n,) int32, -1 unknown
    album_idx: np.ndarray
    genre_idx: np.ndarray  # primary genre token index into content.vocab, -1 none
    dup_idx: np.ndarray
    popularity: np.ndarray  # (n,) float32
    profile_events: dict[int, ProfileEvents]
    seed_prefs: dict[int, np.ndarray]  # profile -> (token idx, weight) pairs as (2, m) float64
    seeds: dict[int, list[tuple[str, str]]]
    ranker_weights: dict[int, tuple[np.ndarray | None, float]]
    as_of: float
    stamp: str = ""
    meta: dict = field(default_factory=dict)
    _states: dict = field(default_factory=dict, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ basics

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def row(self, item_id: int) -> int:
        r = self.rows([item_id])
        return int(r[0]) if len(r) else -1

    def rows(self, item_ids) -> np.ndarray:
        """Model rows of the given item ids (item ids are sorted), unknown ids dropped."""
        ids = np.asarray(list(item_ids), np.int64)
        if len(ids) == 0 or self.n_items == 0:
            return np.zeros(0, np.int64)
        pos = np.minimum(np.searchsorted(self.item_ids, ids), self.n_items - 1)
        return pos[self.item_ids[pos] == ids].astype(np.int64)

    def kind_mask(self, kinds) -> np.ndarray:
        """Items of the given kind(s) ("track", or a list of kinds)."""
        if "kinds" not in self._cache:
            self._cache["kinds"] = np.asarray(self.kinds, dtype=object)
        wanted = [kinds] if isinstance(kinds, str) else list(kinds)
        return np.isin(self._cache["kinds"], wanted)

    def state(self, profile_id: int) -> ProfileState:
        st = self._states.get(profile_id)
        if st is None:
            ev = self.profile_events.get(profile_id) or _empty_events()
            st = self._states[profile_id] = build_state(ev, self.n_items, self.as_of)
        return st

    def banned_by_anyone(self) -> np.ndarray:
        mask = np.zeros(self.n_items, bool)
        for ev in self.profile_events.values():
            mask[ev.fb_item[ev.fb_kind == BAN]] = True
        return mask

    # ------------------------------------------------------------------ signals

    def signals(self, profile_id: int, part: tuple[int, bool] | None = None) -> Signals:
        """Every item's feature values for this profile (leave-one-out: an item's own plays don't count)."""
        key = ("signals", profile_id, part)
        if key not in self._cache:
            self._cache[key] = self._signals(profile_id, part)
        return self._cache[key]

    def _signals(self, profile_id: int, part: tuple[int, bool] | None) -> Signals:
        st = self.state(profile_id)
        taste, pos = st.taste, st.positive
        pref = self.content.to_tokens(taste)
        seeds = self.seed_prefs.get(profile_id)
        if seeds is not None and seeds.shape[1]:
            scale = max(float(np.abs(pref).max()) if len(pref) else 0.0, 1.0)
            np.add.at(pref, seeds[0].astype(np.int64), seeds[1] * SEED_WEIGHT * scale)
        pnorm = float(np.linalg.norm(pref))
        content = (
            (self.content.score(pref) - taste * self._row_norm2()) / pnorm
            if pnorm > 0
            else np.zeros(self.n_items)
        )
        collab = self.collab.scores(pos)
        audio = self._audio_match(pos)
        audio_skipped = self._audio_match(np.maximum(-taste, 0.0))
        context = np.zeros(self.n_items)
        if part is not None:
            ctaste = st.part_taste[part[0]] + 0.5 * st.part_taste[5 if part[1] else 4]
            cpref = self.content.to_tokens(ctaste)
            cn = float(np.linalg.norm(cpref))
            if cn > 0:
                context = (self.content.score(cpref) - ctaste * self._row_norm2()) / cn
        n_art = int(self.artist_idx.max()) + 2 if len(self.artist_idx) else 1
        a = np.where(self.artist_idx >= 0, self.artist_idx, n_art - 1)
        art_plays = np.bincount(a, weights=st.plays, minlength=n_art)[a] - st.plays
        art_skips = np.bincount(a, weights=st.skips, minlength=n_art)[a] - st.skips
        art_fin = np.bincount(a, weights=st.finishes, minlength=n_art)[a] - st.finishes
        unknown = self.artist_idx < 0
        art_plays[unknown] = art_skips[unknown] = art_fin[unknown] = 0
        n_gen = len(self.content.vocab) + 1
        g = np.where(self.genre_idx >= 0, self.genre_idx, n_gen - 1)
        gen_skips = np.bincount(g, weights=st.skips, minlength=n_gen)[g] - st.skips
        gen_fin = np.bincount(g, weights=st.finishes, minlength=n_gen)[g] - st.finishes
        gen_skips[self.genre_idx < 0] = gen_fin[self.genre_idx < 0] = 0
        pop = np.log1p(np.maximum(self.popularity - st.plays, 0))
        # skip rates relative to this profile's own: an unknown artist or genre scores 0, not "good"
        r0 = (st.skips.sum() + 1.0) / (st.skips.sum() + st.finishes.sum() + 4.0)
        x = np.column_stack(
            [
                collab,
                content,
                audio,
                context,
                np.log1p(art_plays),
                (art_skips + 2 * r0) / (art_skips + art_fin + 2.0) - r0,
                (gen_skips + 2 * r0) / (gen_skips + gen_fin + 2.0) - r0,
                pop / max(float(pop.max()) if len(pop) else 0.0, 1.0),
                audio_skipped,
            ]
        )
        return Signals(
            x=x, state=st, pref=pref, art_plays=art_plays, seeds=seeds, profile_id=profile_id
        )

    def _audio_match(self, weights: np.ndarray) -> np.ndarray:
        """Cosine of every item's sound with the weighted sum of the sounds of ``weights``, leave-one-out."""
        if not self.audio.shape[1] or not weights.any():
            return np.zeros(self.n_items)
        nz = np.flatnonzero(weights)
        apref = (self.audio[nz].T @ weights[nz].astype(np.float32)).astype(
            np.float32
        )  # float32: no upcast copy
        anorm = float(np.linalg.norm(apref))
        if anorm == 0:
            return np.zeros(self.n_items)
        if "audio_n2" not in self._cache:
            self._cache["audio_n2"] = np.einsum("ij,ij->i", self.audio, self.audio)
        return (self.audio @ apref - weights * self._cache["audio_n2"]) / anorm

    def _row_norm2(self) -> np.ndarray:
        if "rn2" not in self._cache:
            self._cache["rn2"] = np.bincount(
                self.content.rows(), weights=self.content.val**2, minlength=self.n_items
            )
        return self._cache["rn2"]

    def weights(self, profile_id: int) -> np.ndarray:
        learned, n = self.ranker_weights.get(profile_id, (None, 0.0))
        return ranker.blend(learned, n)

    def has_signal(self, profile_id: int) -> bool:
        st = self.state(profile_id)
        seeds = self.seed_prefs.get(profile_id)
        return bool(np.abs(st.taste).sum() > 0 or (seeds is not None and seeds.shape[1]))

    # ------------------------------------------------------------------ recommend

    def allowed(
        self,
        profile_id: int,
        *,
        candidates=None,
        kinds=None,
        exclude=None,
        unplayed: bool = False,
        not_played_days: float | None = None,
        now: float | None = None,
    ) -> np.ndarray:
        st = self.state(profile_id)
        mask = ~(st.banned | st.disliked)
        if candidates is not None:
            c = np.zeros(self.n_items, bool)
            c[self.rows(candidates)] = True
            mask &= c
        if kinds:
            mask &= self.kind_mask(kinds)
        if exclude:
            mask[self.rows(exclude)] = False
        if unplayed:
            mask &= st.plays == 0
        if not_played_days is not None:
            now = now if now is not None else time.time()
            mask &= st.last_played < now - not_played_days * DAY
        return mask

    def recommend(
        self,
        profile_id: int,
        k: int = 30,
        *,
        candidates=None,
        kinds=None,
        exclude=None,
        unplayed: bool = False,
        not_played_days: float | None = None,
        context: datetime | None = None,
        adventurousness: int | None = None,
        seed: int | None = None,
        artist_cap: int | None = 2,
        album_cap: int | None = 2,
        weights: np.ndarray | None = None,
        now: float | None = None,
    ) -> list[Rec]:
        """The best ``k`` items for this profile, diverse, with some exploration, each with a reason.

        ``weights`` overrides the ranker's feature weights (experiments, the simulator); ``now`` is the
        time ``not_played_days`` counts back from (default: the clock).
        """
        mask = self.allowed(
            profile_id,
            candidates=candidates,
            kinds=kinds,
            exclude=exclude,
            unplayed=unplayed,
            not_played_days=not_played_days,
            now=now,
        )
        rng = np.random.default_rng(seed)
        if not mask.any() or k <= 0:
            return []
        if not self.has_signal(profile_id):
            return self._cold_sample(mask, k, rng, artist_cap, album_cap)
        part = context_key(context)
        sig = self.signals(profile_id, part)
        weights = self.weights(profile_id) if weights is None else np.asarray(weights, float)
        score = sig.x @ weights
        adv = (
            DEFAULT_ADVENTUROUSNESS
            if adventurousness is None
            else max(0, min(100, int(adventurousness)))
        )
        n_explore = int(round(k * adv / 100 * EXPLORE_SHARE_AT_MAX)) if k >= 3 else 0
        allowed = np.flatnonzero(mask)
        pool = _top(allowed, score, max(k * 10, 200))
        exploit = diverse_pick(
            pool,
            k - n_explore,
            self.artist_idx,
            self.album_idx,
            self.dup_idx,
            artist_cap=artist_cap,
            album_cap=album_cap,
        )
        explore = self._explore(sig, mask, score, n_explore, set(exploit), rng, artist_cap)
        order = _interleave(exploit, explore)
        if len(order) < k:  # exploration found too few: fill from the ranked pool
            order += diverse_pick(
                pool,
                k - len(order),
                self.artist_idx,
                self.album_idx,
                self.dup_idx,
                artist_cap=artist_cap,
                album_cap=album_cap,
                taken=set(order),
            )
        explore_set = set(explore)
        return [
            self._rec(i, float(score[i]), sig, i in explore_set, part, weights) for i in order[:k]
        ]

    def _explore(self, sig: Signals, mask, score, n, taken: set[int], rng, artist_cap) -> list[int]:
        """Picks from outside the comfort zone, genre by Thompson draw, best-scored item within it."""
        if n <= 0:
            return []
        st = sig.state
        comfort = sig.x[:, 1]
        allowed = np.flatnonzero(mask)
        half = len(allowed) // 2
        cut = np.partition(comfort[allowed], half)[half] if len(allowed) else 0.0  # the median
        pool = allowed[
            (comfort[allowed] <= cut) & (sig.art_plays[allowed] == 0) & (st.plays[allowed] == 0)
        ]
        pool = pool[~np.isin(pool, np.fromiter(taken, np.int64, len(taken)))]
        if len(pool) == 0:
            return []
        n_gen = len(self.content.vocab)
        draw, fin, skp = thompson_genres(
            self.genre_idx, st.finishes.astype(float), st.skips.astype(float), n_gen, rng
        )
        g = self.genre_idx[pool]
        theta = np.where(g >= 0, draw[np.maximum(g, 0)], rng.beta(1, 1, len(pool)))
        quality = score[pool]
        span = float(quality.max() - quality.min()) or 1.0
        jitter = rng.random(len(pool)) * 0.05
        value = theta + 0.15 * (quality - quality.min()) / span + jitter
        order = pool[_best(value, n * 20)]
        return diverse_pick(
            order,
            n,
            self.artist_idx,
            self.genre_idx,
            self.dup_idx,
            artist_cap=1,
            album_cap=1,
            taken=taken,
        )

    def _cold_sample(self, mask, k, rng, artist_cap, album_cap) -> list[Rec]:
        """No signal at all: a diverse sample of the library, one genre after another."""
        allowed = np.flatnonzero(mask)
        order = allowed[rng.permutation(len(allowed))]
        # round-robin over primary genres so the sample spans the library
        g = self.genre_idx[order]
        rank_in_genre = np.zeros(len(order), np.int64)
        counts: dict[int, int] = {}
        for n, gg in enumerate(g.tolist()):
            rank_in_genre[n] = counts.get(gg, 0)
            counts[gg] = rank_in_genre[n] + 1
        order = order[np.argsort(rank_in_genre, kind="stable")]
        picked = diverse_pick(
            order, k, self.artist_idx, self.album_idx, self.dup_idx, artist_cap=1, album_cap=1
        )
        recs = []
        for i in picked:
            genre = (
                token_label(self.content.vocab[self.genre_idx[i]])
                if self.genre_idx[i] >= 0
                else None
            )
            what = f" ({genre})" if genre else ""
            recs.append(
                Rec(
                    int(self.item_ids[i]),
                    0.0,
                    f"a diverse sample of your library{what}: tuneup knows nothing of your taste yet",
                    False,
                    {"cold_start": True, "genre": genre},
                )
            )
        return recs

    def _rec(
        self, i: int, score: float, sig: Signals, exploration: bool, part, weights: np.ndarray
    ) -> Rec:
        reason, evidence = reason_for(self, i, sig, weights, exploration, part)
        return Rec(int(self.item_ids[i]), round(score, 6), reason, exploration, evidence)

    # ------------------------------------------------------------------ similar / explain / taste

    def similar(
        self,
        seed_item_ids: list[int],
        k: int = 30,
        *,
        exclude=None,
        kinds=None,
        profile_id: int | None = None,
    ) -> list[Rec]:
        """Items close to the seeds by co-listening, content and sound; bans are never returned."""
        seeds = self.rows(seed_item_ids)
        if len(seeds) == 0 or k <= 0:
            return []
        w = np.zeros(self.n_items)
        w[seeds] = 1.0
        pref = self.content.to_tokens(w)
        content = self.content.score(pref) / max(float(np.linalg.norm(pref)), 1e-9)
        collab = self.collab.scores(w)
        audio = np.zeros(self.n_items)
        if self.audio.shape[1]:
            apref = self.audio.T @ w
            audio = self.audio @ apref / max(float(np.linalg.norm(apref)), 1e-9)
        score = 1.0 * collab + 0.8 * content + 0.5 * audio
        mask = ~(
            self.state(profile_id).banned if profile_id is not None else self.banned_by_anyone()
        )
        mask[seeds] = False
        if exclude:
            mask[self.rows(exclude)] = False
        if kinds:
            mask &= self.kind_mask(kinds)
        allowed = np.flatnonzero(mask)
        order = _top(allowed, score, k * 5 + 50)
        picked = diverse_pick(
            order, k, self.artist_idx, self.album_idx, self.dup_idx, artist_cap=None, album_cap=None
        )
        from tuneup.model.reasons import similar_reason

        recs = []
        for i in picked:
            reason, evidence = similar_reason(self, i, seeds, collab[i], content[i], audio[i], pref)
            recs.append(
                Rec(int(self.item_ids[i]), round(float(score[i]), 6), reason, False, evidence)
            )
        return recs

    def explain(self, profile_id: int, item_id: int, context: datetime | None = None) -> Rec:
        i = self.row(item_id)
        if i < 0:
            from tuneup.errors import NotFoundError

            raise NotFoundError(
                f"item {item_id} is not in the model (not in the library, or the model is stale)"
            )
        st = self.state(profile_id)
        if st.banned[i]:
            return Rec(
                int(item_id),
                0.0,
                "you banned this: it is never recommended",
                False,
                {"banned": True},
            )
        if not self.has_signal(profile_id):
            return Rec(
                int(item_id),
                0.0,
                "tuneup knows nothing of your taste yet, so every item is equally likely",
                False,
                {"cold_start": True},
            )
        part = context_key(context)
        sig = self.signals(profile_id, part)
        score = float(sig.x[i] @ self.weights(profile_id))
        rec = self._rec(i, score, sig, False, part, self.weights(profile_id))
        rec.evidence["features"] = {
            name: round(float(v), 4) for name, v in zip(ranker.FEATURES, sig.x[i])
        }
        rec.evidence["weights"] = {
            name: round(float(v), 4) for name, v in zip(ranker.FEATURES, self.weights(profile_id))
        }
        return rec

    def taste(self, profile_id: int, n_clusters: int = 6, seed: int = 0) -> Taste:
        from tuneup.model.clusters import taste_summary

        return taste_summary(self, profile_id, n_clusters, seed)


def _best(values: np.ndarray, n: int) -> np.ndarray:
    """Positions of the ``n`` largest values, largest first."""
    if len(values) > n:
        part = np.argpartition(-values, n - 1)[:n]
    else:
        part = np.arange(len(values))
    return part[np.argsort(-values[part], kind="stable")]


def _top(rows: np.ndarray, score: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` best of ``rows`` by ``score``, best first (ties by row, so lists are repeatable)."""
    if len(rows) > n:
        s = score[rows]
        cut = np.partition(s, len(s) - n)[len(s) - n]
        rows = rows[s >= cut]
    return rows[np.lexsort((rows, -score[rows]))][:n]


def _interleave(exploit: list[int], explore: list[int]) -> list[int]:
    """Spread exploration picks evenly through the list (never first)."""
    if not explore:
        return list(exploit)
    out = list(exploit)
    step = (len(exploit) + len(explore)) / len(explore)
    for n, e in enumerate(explore):
        out.insert(min(int(step * n + step / 2), len(out)), e)
    return out


def _empty_events() -> ProfileEvents:
    return ProfileEvents(
        np.zeros(0, np.int64),
        np.zeros(0),
        np.zeros(0, np.int8),
        np.zeros(0, np.float32),
        np.zeros(0, np.float32),
        np.zeros(0, np.int64),
        np.zeros(0, np.int8),
        np.zeros(0),
    )
