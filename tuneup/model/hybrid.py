"""The hybrid model: content + co-listening + audio + context, a learned ranker, exploration, diversity."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from tuneup.model import ranker
from tuneup.model.collab import Collab
from tuneup.model.content import Content, token_label
from tuneup.model.dataset import BAN, FINISHED, SKIPPED
from tuneup.model.explore import diverse_pick
from tuneup.model.person import SEED_PRIOR as SEED_PRIOR_LOGIT
from tuneup.model.person import Catalog, PersonTaste, expected_logit, fit_person, labels
from tuneup.model.profile import DAY, ProfileEvents, ProfileState, build_state, context_key
from tuneup.model.reasons import Signals, person_reason, reason_for

DEFAULT_ADVENTUROUSNESS = 30
EXPLORE_SHARE_AT_MAX = 0.5  # at adventurousness 100, half the list is exploration
SEED_WEIGHT = 3.0
COLLAB_WEIGHT = 1.0  # co-listening next to the person's own model (logit units per unit of collab)
CONTEXT_WEIGHT = 0.5  # what this person plays at this time of day, when a mix asks for a time
UNCERTAINTY = True  # rank by the expected probability under the posterior (False: by its mean)
EXPLORE_OPTIMISM = 1.0  # exploration ranks by mean + this many posterior standard deviations
NEIGHBOURHOOD_SHARE = 0.2  # at most a fifth of a list from one sound neighbourhood
SKIP_STREAK = 1.0  # logit off a sound or co-listening neighbourhood per recent early skip in it
STREAK_DAYS = 14.0  # how far back "recent" reaches


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
    sound_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
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
        wanted = (kinds,) if isinstance(kinds, str) else tuple(kinds)
        key = ("kind_mask", wanted)
        if key not in self._cache:
            if "kinds" not in self._cache:
                self._cache["kinds"] = np.asarray(self.kinds, dtype=object)
            self._cache[key] = np.isin(self._cache["kinds"], list(wanted))
        return self._cache[key]

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

    # ------------------------------------------------------------------ the person's own model

    def catalog(self) -> Catalog:
        """Group ids and dense features of every item, as :mod:`tuneup.model.person` fits them."""
        if "catalog" not in self._cache:
            n = self.n_items
            sound = self.sound_idx if len(self.sound_idx) == n else np.full(n, -1, np.int32)
            self._cache["catalog"] = Catalog(
                {
                    "genre": self.genre_idx.astype(np.int64),
                    "artist": self.artist_idx.astype(np.int64),
                    "album": self.album_idx.astype(np.int64),
                    "sound": sound.astype(np.int64),
                },
                self.audio if self.audio.shape[1] else np.zeros((n, 0), np.float32),
            )
        return self._cache["catalog"]

    def person(self, profile_id: int) -> PersonTaste:
        """This profile's fitted taste (refitted whenever the model gains events)."""
        key = ("person", profile_id)
        if key not in self._cache:
            ev = self.profile_events.get(profile_id) or _empty_events()
            fin, skp = labels(ev, self.n_items, self.as_of)
            self._cache[key] = fit_person(self.catalog(), fin, skp, self._priors(profile_id))
        return self._cache[key]

    def _priors(self, profile_id: int) -> dict[str, np.ndarray]:
        """Onboarding genres and artists (and unmatched imported artists) as prior means."""
        seeds = self.seed_prefs.get(profile_id)
        sizes = self.catalog().sizes()
        out = {k: np.zeros(sizes[k]) for k in ("genre", "artist")}
        if seeds is None or not seeds.shape[1]:
            return out
        tok, w = seeds[0].astype(np.int64), seeds[1]
        is_genre = np.zeros(len(self.content.vocab), bool)
        is_genre[self.content.prefix_index("g:")] = True
        g = is_genre[tok] & (tok < sizes["genre"])
        np.add.at(out["genre"], tok[g], SEED_PRIOR_LOGIT * w[g])
        art = self._artist_of_token()
        a = art[tok] if len(art) else np.full(len(tok), -1)
        np.add.at(out["artist"], a[a >= 0], SEED_PRIOR_LOGIT * w[a >= 0])
        return out

    def _artist_of_token(self) -> np.ndarray:
        """Content token index -> artist group (-1 for tokens that are not an item's artist)."""
        if "artist_of_token" not in self._cache:
            out = np.full(len(self.content.vocab), -1, np.int64)
            rows = np.flatnonzero(self.artist_idx >= 0)
            first = rows[np.unique(self.artist_idx[rows], return_index=True)[1]]
            for r in first.tolist():
                idx, _ = self.content.row(r)
                for t in idx.tolist():
                    if self.content.vocab[t].startswith("a:"):
                        out[t] = self.artist_idx[r]
            self._cache["artist_of_token"] = out
        return self._cache["artist_of_token"]

    def score(self, profile_id: int, part: tuple[int, bool] | None = None) -> np.ndarray:
        """Every item's ranking score for this profile: the expected logit of finishing it (the
        person's own model) plus co-listening (and this time of day's taste, when asked)."""
        key = ("score", profile_id, part)
        if key not in self._cache:
            mu, var = self.person(profile_id).logit(self.catalog())
            sig = self.signals(profile_id, part)
            s = (expected_logit(mu, var) if UNCERTAINTY else mu) + COLLAB_WEIGHT * sig.x[:, 0]
            if part is not None:
                s = s + CONTEXT_WEIGHT * sig.x[:, 3]
            self._cache[key] = s - self.skip_streak(profile_id)
        return self._cache[key]

    def skip_streak(self, profile_id: int) -> np.ndarray:
        """A quick reaction to the last two weeks: every early skip (net of finishes) in an item's
        sound neighbourhood, and its co-listening neighbours, costs ``SKIP_STREAK`` logit. The
        person's model learns the same more slowly; this makes three skips in a row visible in
        the very next mix."""
        key = ("streak", profile_id)
        if key not in self._cache:
            ev = self.profile_events.get(profile_id) or _empty_events()
            recent = ev.time >= self.as_of - STREAK_DAYS * DAY
            early = recent & (ev.outcome == SKIPPED) & (ev.fraction < 0.15)
            fin = recent & (ev.outcome == FINISHED)
            skips = np.bincount(ev.item[early], minlength=self.n_items).astype(float)
            out = np.zeros(self.n_items)
            sound = self._sound()
            if sound is not None and early.any():
                m = int(sound.max()) + 1
                ok = sound >= 0
                net = np.bincount(sound[ok], weights=skips[ok], minlength=m)
                net -= np.bincount(
                    sound[ok],
                    weights=np.bincount(ev.item[fin], minlength=self.n_items)[ok],
                    minlength=m,
                )
                out[ok] += SKIP_STREAK * np.maximum(net, 0)[sound[ok]]
            if early.any():
                out += SKIP_STREAK * np.minimum(self.collab.knn_scores(skips), 3.0)
            self._cache[key] = out
        return self._cache[key]

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
        own = weights is None
        if own:
            score = self.score(profile_id, part)
            weights = self.weights(profile_id)
        else:  # experiments: the older feature-weight ranker
            weights = np.asarray(weights, float)
            score = sig.x @ weights
        adv = (
            DEFAULT_ADVENTUROUSNESS
            if adventurousness is None
            else max(0, min(100, int(adventurousness)))
        )
        n_explore = int(round(k * adv / 100 * EXPLORE_SHARE_AT_MAX)) if k >= 3 else 0
        allowed = np.flatnonzero(mask)
        pool = _top(allowed, score, max(k * 10, 200))
        caps = dict(
            artist_cap=artist_cap,
            album_cap=album_cap,
        )
        exploit = diverse_pick(
            pool, k - n_explore, self.artist_idx, self.album_idx, self.dup_idx, **caps
        )
        explore = self._explore(profile_id, sig, mask, n_explore, set(exploit), rng)
        order = _interleave(exploit, explore)
        if len(order) < k:  # exploration found too few: fill from the ranked pool
            order += diverse_pick(
                pool,
                k - len(order),
                self.artist_idx,
                self.album_idx,
                self.dup_idx,
                taken=set(order),
                **caps,
            )
        explore_set = set(explore)
        if own:
            taken = set(order)
            spare = [int(i) for i in _top(allowed, score, k * 30) if int(i) not in taken]
            recs = self._capped_by_source(
                profile_id, order + spare, k, score, sig, explore_set, part, artist_cap, album_cap
            )
            if len(recs) < k:  # a small library: the caps give way rather than a short list
                have = {self.row(r.item_id) for r in recs}
                rest = [i for i in order + spare if i not in have]
                recs += [
                    self._person_rec(profile_id, i, float(score[i]), sig, i in explore_set, part)
                    for i in rest[: k - len(recs)]
                ]
            return recs
        return [
            self._rec(i, float(score[i]), sig, i in explore_set, part, weights) for i in order[:k]
        ]

    def _capped_by_source(
        self, profile_id, order, k, score, sig, explore_set, part, artist_cap, album_cap
    ) -> list[Rec]:
        """Recs in ``order`` with their reasons, where items whose reason names the same item
        ("sounds like X", "often played alongside X") hold at most ``NEIGHBOURHOOD_SHARE`` of every
        prefix of the list: one like never fills the next mix with things like it. The artist and
        album caps hold over the whole list."""
        out: list[Rec] = []
        per_source: dict[int, int] = {}
        per_artist: dict[int, int] = {}
        per_album: dict[int, int] = {}
        for i in order:
            if len(out) >= k:
                break
            a, b = int(self.artist_idx[i]), int(self.album_idx[i])
            if artist_cap and a >= 0 and per_artist.get(a, 0) >= artist_cap:
                continue
            if album_cap and b >= 0 and per_album.get(b, 0) >= album_cap:
                continue
            rec = self._person_rec(profile_id, i, float(score[i]), sig, i in explore_set, part)
            src = rec.evidence.get("sounds_like") or rec.evidence.get("because")
            if src is not None:
                cap = max(1, math.ceil((len(out) + 1) * NEIGHBOURHOOD_SHARE))
                if per_source.get(src, 0) >= cap:
                    continue
                per_source[src] = per_source.get(src, 0) + 1
            per_artist[a] = per_artist.get(a, 0) + 1
            per_album[b] = per_album.get(b, 0) + 1
            out.append(rec)
        return out  # short only when the library is: a list full of one source is worse

    def _sound(self) -> np.ndarray | None:
        return self.sound_idx if len(self.sound_idx) == self.n_items else None

    def _explore(self, profile_id: int, sig: Signals, mask, n, taken: set[int], rng) -> list[int]:
        """Never-played picks ranked optimistically (posterior mean + sd), one per artist, album and
        sound neighbourhood: where the model is unsure but hopeful. Their outcomes are labels like
        any other, so the next fit knows how they fared."""
        if n <= 0:
            return []
        st = sig.state
        allowed = np.flatnonzero(mask)
        pool = allowed[st.plays[allowed] == 0]
        taken_rows = np.fromiter(taken, np.int64, len(taken))
        pool = pool[~np.isin(pool, taken_rows)]
        # an artist already in the list would meet the mixes' artist cap: explore past them
        busy = self.artist_idx[taken_rows]
        pool = pool[~np.isin(self.artist_idx[pool], busy[busy >= 0])]
        if len(pool) == 0:
            return []
        mu, var = self.person(profile_id).logit(self.catalog(), pool)
        value = mu + EXPLORE_OPTIMISM * np.sqrt(var) + rng.gumbel(0, 0.3, len(pool))
        order = pool[_best(value, n * 20)]
        return diverse_pick(
            order,
            n,
            self.artist_idx,
            self.album_idx,
            self.dup_idx,
            artist_cap=1,
            album_cap=1,
            taken=taken,
            group=self._sound(),
            group_share=1e-9,  # one per sound neighbourhood
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

    def contributions(self, profile_id: int, i: int, part=None) -> dict[str, float]:
        """What lifted item ``i`` for this profile, in logit units, by part of the model."""
        out = self.person(profile_id).contributions(self.catalog(), i)
        sig = self.signals(profile_id, part)
        out["collab"] = round(float(COLLAB_WEIGHT * sig.x[i, 0]), 4)
        if part is not None:
            out["context"] = round(float(CONTEXT_WEIGHT * sig.x[i, 3]), 4)
        streak = float(self.skip_streak(profile_id)[i])
        if streak:
            out["recent_skips"] = round(-streak, 4)
        return out

    def _person_rec(self, profile_id, i, score, sig, exploration, part) -> Rec:
        contrib = self.contributions(profile_id, i, part)
        reason, evidence = person_reason(self, i, sig, contrib, exploration, part)
        return Rec(int(self.item_ids[i]), round(score, 6), reason, exploration, evidence)

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
