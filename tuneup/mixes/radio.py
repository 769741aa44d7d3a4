"""Radio: from one or several seeds, an endless list where each step is close to the seeds and to the
track before it, and that learns from skips during the session.

Items come a few at a time (``STEP``) from the neighbourhood of the seeds and the latest item, so
the list drifts with its own last steps while staying near the seeds.
The TUI keeps one :class:`RadioSession` and calls :meth:`next_batch` whenever the queue runs low,
telling it about skips with :meth:`skipped`. A skipped track's nearest neighbours are avoided for the
rest of the session, and an artist skipped twice is left out.
"""

from __future__ import annotations

from datetime import datetime

from tuneup.library.not_music import not_music_ids
from tuneup.mixes.catalog import (
    aware,
    banned_ids,
    ensure_playable,
    feedback_bans,
    iso,
    mix_items,
    profile_name,
)
from tuneup.mixes.seeds import Seed, resolve_all
from tuneup.mixes.types import Mix, MixItem, Pick
from tuneup.store.items import artist_keys

KIND = "radio"
SEED_SAMPLE = 20  # seeds used per step (a genre seed can hold hundreds of items)
NEIGHBOURS_OF_SKIP = 15
ARTIST_GAP = 3  # an artist comes back only after this many others
STEP = 4  # items taken from one neighbourhood before moving on from the latest
ARTIST_SKIPS_TO_DROP = 2
HOOD_SKIPS_TO_DROP = 3  # skips in one sound neighbourhood before the session leaves it


class RadioSession:
    def __init__(
        self, db, model, profile_id: int, seeds: list[str], *, now: datetime | None = None
    ):
        self.db, self.model, self.profile_id = db, model, profile_id
        ensure_playable(db, profile_id)  # NothingToMixError when there is nothing to play
        self.seeds: list[Seed] = resolve_all(db, seeds)
        self.now = aware(now)
        self.queued: list[int] = []  # in order, everything handed out so far
        self.skips: list[int] = []
        seed_items = [i for s in self.seeds for i in s.item_ids]
        # bans, and out-of-season items unless they are a seed (store.exclusions)
        self._avoid: set[int] = (
            (banned_ids(db, profile_id, self.now) - set(seed_items))
            | feedback_bans(db, profile_id)
            | not_music_ids(db)
        )
        self._artist_skips: dict[str, int] = {}
        self._dropped_artists: set[str] = set()
        self._hood_skips: dict[int, int] = {}
        self._dropped_hoods: set[int] = set()
        self._seed_sample = _spread(seed_items, SEED_SAMPLE)
        self._single_items = {s.item_ids[0] for s in self.seeds if s.kind == "item"}
        self._own_next: dict[str, int] = {}  # per seed: how far its own items have been offered

    @property
    def name(self) -> str:
        return "Radio: " + ", ".join(s.label for s in self.seeds)

    def skipped(self, item_id: int) -> None:
        """The person skipped ``item_id``: steer away from it, its close neighbours and, on repeat, its artist."""
        self.skips.append(item_id)
        self._avoid.add(item_id)
        for rec in self.model.similar(
            [item_id], k=NEIGHBOURS_OF_SKIP, profile_id=self.profile_id, kinds="track"
        ):
            self._avoid.add(rec.item_id)
        artist = self._artist(item_id)
        if artist:
            self._artist_skips[artist] = self._artist_skips.get(artist, 0) + 1
            if self._artist_skips[artist] >= ARTIST_SKIPS_TO_DROP:
                self._dropped_artists.add(artist)
        hood = self._hood(item_id)
        if hood >= 0:
            self._hood_skips[hood] = self._hood_skips.get(hood, 0) + 1
            if self._hood_skips[hood] >= HOOD_SKIPS_TO_DROP:
                self._dropped_hoods.add(hood)

    def next_batch(self, n: int = 25) -> list[MixItem]:
        """The next ``n`` items, a few at a time, each few chosen near the seeds and the item before them."""
        entries: list[Pick] = []
        while len(entries) < n:
            chunk = self._steps(min(STEP, n - len(entries)))
            if not chunk:
                break
            entries += chunk
        return mix_items(self.db, entries)

    def as_mix(self, n: int = 25) -> Mix:
        items = self.next_batch(n)
        return Mix(
            KIND,
            self.name,
            items,
            profile_name(self.db, self.profile_id),
            iso(self.now),
            None,
            "Each track close to the seeds and to the one before it",
        )

    def _steps(self, n: int) -> list[Pick]:
        """Up to ``n`` next items from one neighbourhood: the seeds plus the latest item."""
        anchors = list(self._seed_sample)
        if self.queued:
            anchors += [self.queued[-1]] * max(
                1, len(anchors) // 2
            )  # the neighbour weighs half the seeds
        exclude = set(self.queued) | self._avoid | self._single_items
        recs = self.model.similar(
            anchors, k=40, exclude=sorted(exclude), kinds="track", profile_id=self.profile_id
        )
        artists = {r.item_id: self._artist(r.item_id) for r in recs}
        out: list[Pick] = []
        own = self._own_seed_item(exclude)  # an artist's radio plays the artist too
        if own is not None and n > 0:
            exclude.add(own.item_id)
            self.queued.append(own.item_id)
            out.append(own)
        for _ in range(n - len(out)):
            rec = self._choose(recs, artists, exclude)
            if rec is None:
                break
            exclude.add(rec.item_id)
            self.queued.append(rec.item_id)
            out.append(Pick(rec.item_id, self._reason(rec), False, rec.evidence))
        return out

    def _choose(self, recs, artists: dict[int, str], exclude: set[int]):
        """The closest rec whose artist was not among the last few (or, failing that, the closest at all)."""
        recent = {self._artist(i) for i in self.queued[-ARTIST_GAP:]}
        fallback = None
        for rec in recs:
            artist = artists[rec.item_id]
            if rec.item_id in exclude or artist in self._dropped_artists:
                continue
            if self._dropped_hoods and self._hood(rec.item_id) in self._dropped_hoods:
                continue
            if artist and artist in recent:
                fallback = fallback or rec
                continue
            return rec
        return fallback

    def _own_seed_item(self, exclude: set[int]) -> Pick | None:
        """The next of an artist's, album's or genre's own tracks (the seeds themselves are never
        "similar" to themselves, so the model alone would leave them all out)."""
        for seed in self.seeds:
            if seed.kind == "item":
                continue
            for item_id in seed.item_ids[self._own_next.get(seed.text, 0) :]:
                self._own_next[seed.text] = self._own_next.get(seed.text, 0) + 1
                if (
                    item_id not in exclude
                    and self.model.row(item_id) >= 0
                    and self._artist(item_id) not in self._dropped_artists
                ):
                    seeds = ", ".join(s.label for s in self.seeds)
                    reason = _OWN[seed.kind].format(label=seed.label)
                    return Pick(item_id, f"radio from {seeds}: {reason}", False, None)
        return None

    def _reason(self, rec) -> str:
        seeds = ", ".join(s.label for s in self.seeds)
        if rec.reason and rec.reason not in _GENERIC:
            return f"radio from {seeds}: {rec.reason}"
        if self.queued:  # each step is chosen near the seeds and the item before it: say which
            from tuneup.store.items import label_of

            return f"radio from {seeds}: close to it and to {label_of(self.db, self.queued[-1])}"
        return f"radio from {seeds}"

    def _hood(self, item_id: int) -> int:
        """The item's sound neighbourhood in the model (-1 when it has none)."""
        sound = getattr(self.model, "sound_idx", None)
        if sound is None or len(sound) != self.model.n_items:
            return -1
        row = self.model.row(item_id)
        return int(sound[row]) if row >= 0 else -1

    def _artist(self, item_id: int) -> str:
        return artist_keys(self.db, [item_id]).get(item_id, "")


_OWN = {
    "artist": "by {label}, the radio's seed",
    "album": "from {label}, the radio's seed",
    "genre": "{label}, the radio's seed genre",
}
_GENERIC = {"close to your seed", ""}


def _spread(ids: list[int], n: int) -> list[int]:
    """``n`` ids spread evenly over ``ids`` (deterministic)."""
    if len(ids) <= n:
        return list(ids)
    step = len(ids) / n
    return [ids[int(k * step)] for k in range(n)]


def radio(
    db, model, profile_id: int, seeds: list[str], *, size: int = 30, now: datetime | None = None
) -> Mix:
    return RadioSession(db, model, profile_id, seeds, now=now).as_mix(size)
