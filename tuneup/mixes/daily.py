"""Daily Mixes: one per cluster of this person's taste, favourites mixed with close tracks they rarely
play, renewed each day. With no taste to cluster yet, one per big genre of the library, sampled."""

from __future__ import annotations

from datetime import datetime

from tuneup.mixes import saved
from tuneup.mixes.catalog import (
    aware,
    banned_ids,
    ensure_playable,
    iso,
    left_out_ids,
    mix_items,
    profile_name,
    times,
)
from tuneup.mixes.flow import flow
from tuneup.mixes.modelref import get_model, setting
from tuneup.mixes.select import Picker, from_recs, stable_seed
from tuneup.mixes.truth import honest_entries
from tuneup.mixes.types import Mix
from tuneup.store.groups import by_genre
from tuneup.store.items import ALL, artist_keys, by_ids
from tuneup.store.tallies import by_count, genre_counts
from tuneup.store.taste_version import taste_stamp

KIND = "daily"
RARELY = 2  # plays: "rarely played" is at most this many


def daily(
    db,
    model_dir,
    profile_id: int,
    *,
    now: datetime | None = None,
    config=None,
    count: int | None = None,
    size: int | None = None,
    refresh: bool = False,
    model=None,
) -> list[Mix]:
    now = aware(now)
    period = saved.day_period(now)
    ensure_playable(db, profile_id)
    inputs = taste_stamp(db, profile_id)  # read first: a write while building makes it stale
    if not refresh:
        kept = stored_mixes(db, profile_id, period, inputs)
        if kept:
            return kept
    count = setting(config, "mix.daily_count") if count is None else count
    size = size or setting(config, "mix.daily_size")
    model = model or get_model(db, model_dir)
    plays = _plays(model, profile_id)
    groups = _clusters(model, profile_id, count, period) if model.has_signal(profile_id) else []
    builder = _DailyBuilder(
        db, model, profile_id, plays, size, config, stable_seed(profile_id, period), now
    )
    made = [builder.from_cluster(c) for c in groups] if groups else builder.from_genres(count)
    made = [(name, honest_entries(db, profile_id, entries)) for name, entries in made if entries][
        :count
    ]
    played = _has_plays(db, profile_id)
    generated = iso(now)
    mixes, stored = [], []
    for n, (label, entries) in enumerate(made, start=1):
        name = f"Daily Mix {n}: {label}"
        items = flow(db, mix_items(db, entries))
        stored.append(
            saved.Stored(
                name,
                period,
                generated,
                [i.pick() for i in items],
                inputs,
            )
        )
        mixes.append(
            Mix(
                KIND,
                name,
                items,
                profile_name(db, profile_id),
                generated,
                period,
                _description(label, played),
            )
        )
    saved.save(db, profile_id, KIND, period, stored)
    return mixes


def _clusters(model, profile_id: int, count: int, period: str):
    if count <= 0:
        return []
    return [
        c
        for c in model.taste(profile_id, n_clusters=count, seed=stable_seed(period)).clusters
        if c.item_ids
    ]


def _plays(model, profile_id: int) -> dict[int, int]:
    """Finished plays per item for this profile, from the model's state (no pass over the history)."""
    finishes = model.state(profile_id).finishes
    rows = finishes.nonzero()[0]
    return {int(model.item_ids[r]): int(finishes[r]) for r in rows}


class _DailyBuilder:
    def __init__(self, db, model, profile_id, plays, size, config, seed, now=None):
        self.db, self.model, self.profile_id, self.plays, self.size = (
            db,
            model,
            profile_id,
            plays,
            size,
        )
        self.artist_of: dict[int, str] = {}
        self.cap = (
            setting(config, "mix.artist_cap") * 2
        )  # a daily mix may lean on its defining artists
        self.banned = left_out_ids(db, profile_id, config, now)
        self.used: set[int] = set()  # no item in two daily mixes of the same day
        self.seed = seed

    def _picker(self) -> Picker:
        return Picker(self.size, self.artist_of, self.cap, banned=self.banned | self.used)

    def _tracks(self, ids) -> list[int]:
        """The tracks among ``ids`` (the model knows every present item's kind), artists looked up for the caps."""
        model = self.model
        out = [i for i in ids if model.row(i) >= 0 and model.kinds[model.row(i)] == "track"]
        self.artist_of.update(artist_keys(self.db, [i for i in out if i not in self.artist_of]))
        return out

    def from_cluster(self, cluster) -> tuple[str, list[tuple[int, str, bool]]]:
        favs = self._tracks(cluster.item_ids)
        label = self._label(favs)
        favs.sort(key=lambda i: -self.plays.get(i, 0))
        fav_entries = [(i, self._fav_reason(i), False) for i in favs]
        close = self.model.similar(
            favs[:20], k=self.size * 2, kinds="track", profile_id=self.profile_id, exclude=favs
        )
        rare = set(
            self._tracks([r.item_id for r in close if self.plays.get(r.item_id, 0) <= RARELY])
        )
        close_entries = [e for e in from_recs(close) if e[0] in rare]
        half = (self.size + 1) // 2
        picker = self._picker().offer(_alternate(fav_entries[:half], close_entries))
        picker.offer(fav_entries + close_entries)  # one side ran short: fill from the other
        self.used |= {e[0] for e in picker.taken}
        return label, picker.taken

    def _label(self, favs: list[int]) -> str:
        """ "synthwave, Neon Corridor and more": the genre and the artist the cluster's favourites share most,
        as the library spells them, weighted by plays."""
        genre, artist = _defining(self.db, favs[:50], self.plays)
        parts = [p for p in (genre, artist) if p]
        return ", ".join(parts) + " and more" if parts else "your favourites"

    def _fav_reason(self, item_id: int) -> str:
        n = self.plays.get(item_id, 0)
        if n:
            return f"a favourite of yours: played {times(n)}"
        return "close to what you love"

    def from_genres(self, count: int) -> list[tuple[str, list[tuple[int, str, bool]]]]:
        """No taste yet: the library's biggest genres, each a diverse sample (the model says so)."""
        biggest = by_count(genre_counts(self.db))[:count]
        out = []
        for n, (genre, _count) in enumerate(biggest):
            ids = [i for i in self._tracks(self._items_in_genre(genre)) if i not in self.used]
            recs = self.model.recommend(
                self.profile_id, k=self.size, candidates=ids, kinds="track", seed=self.seed + n
            )
            picker = self._picker().offer(from_recs(recs))
            self.used |= {e[0] for e in picker.taken}
            artist = _top_artist(self.db, [e[0] for e in picker.taken])
            out.append(
                (f"{genre}, {artist} and more" if artist else f"{genre} and more", picker.taken)
            )
        return out

    def _items_in_genre(self, genre: str) -> list[int]:
        found = by_genre(self.db, genre, kind="track")
        return found[1] if found else []


def _defining(db, ids: list[int], plays: dict[int, int]) -> tuple[str | None, str | None]:
    """The most played genre and artist (one entry per artist_key) among ``ids``."""
    genre_weight: dict[str, float] = {}
    artist_weight: dict[str, float] = {}
    for item in by_ids(db, ids, scope=ALL).values():
        weight = 1 + plays.get(item.id, 0)
        _add(artist_weight, item, weight)
        for g in item.genres[:1]:
            genre_weight[g] = genre_weight.get(g, 0) + weight
    return _top(genre_weight), _top(_by_name(artist_weight))


def _add(weights: dict, item, weight: float) -> None:
    """Weight per artist_key, remembering the first spelling seen."""
    if item.artist_key:
        entry = weights.setdefault(item.artist_key, [item.artist_name, 0])
        entry[1] += weight


def _by_name(weights: dict) -> dict[str, float]:
    return {name: w for name, w in weights.values()}


def _top(counts: dict[str, float]) -> str | None:
    return min(counts, key=lambda k: (-counts[k], k)) if counts else None


def _alternate(first: list, second: list) -> list:
    out = []
    for n in range(max(len(first), len(second))):
        out.extend(x[n] for x in (first, second) if n < len(x))
    return out


def _top_artist(db, ids: list[int]) -> str | None:
    counts: dict = {}
    for item in by_ids(db, ids, scope=ALL).values():
        _add(counts, item, 1)
    return _top(_by_name(counts))


def stored_mixes(db, profile_id: int, period: str, inputs: str | None = None) -> list[Mix]:
    """Today's mixes as built earlier today; none when they were built from other inputs."""
    if inputs is None:
        inputs = taste_stamp(db, profile_id)
    banned = banned_ids(db, profile_id)
    played = _has_plays(db, profile_id)
    out = []
    for kept in saved.current(saved.load(db, profile_id, KIND, period), inputs):
        items = mix_items(db, [e for e in kept.entries if e[0] not in banned])
        if items:
            label = kept.name.partition(": ")[2]
            out.append(
                Mix(
                    KIND,
                    kept.name,
                    items,
                    profile_name(db, profile_id),
                    kept.generated_at,
                    period,
                    _description(label, played),
                )
            )
    return out


def _has_plays(db, profile_id: int) -> bool:
    return bool(
        db.execute(
            "SELECT 1 FROM listens WHERE profile_id = ? AND end_reason = 'finished' LIMIT 1",
            [profile_id],
        ).fetchone()
    )


def _description(label: str, played: bool = True) -> str:
    what = label.removesuffix(" and more")
    if not played:  # no favourites to speak of yet
        return f"{what} from your library; new every day"
    return f"Your {what} favourites with close tracks you rarely play; new every day"
