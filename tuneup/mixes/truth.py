"""Every reason a mix shows is checked against the store before it is shown (issue 17).

The model words its reasons from scores and tokens; a token an artist pick spread to its genres is
not "a genre you picked", a daily mix of a cold library has no "favourites", one 17 s play is not
"you often play". :class:`Facts` reads what the store holds for a profile once; :meth:`Facts.honest`
keeps a reason when the facts behind it hold and otherwise says what does hold. Each kind of reason
has its rule in :data:`RULES`; a test checks every kind against generated stores.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from tuneup.store.items import artist_key, genres, ids_by_artist, select_in
from tuneup.store.normalize import fold

FAVOURITE_PLAYS = 3  # finished plays before a track is "a favourite"
OFTEN_PLAYS = 3  # plays before an artist, a genre or a time of day is "often" played
HISTORY_PLAYS = 1  # finished plays (or a like) before "close to what you play"
COLD = "picked from across your library: tuneup knows nothing of your taste yet"
NOTHING_POINTS = "nothing you played, liked or picked points to it yet (every score is 0)"


@dataclass
class Facts:
    """What the store holds for one profile: plays, finishes, likes and the wizard's picks."""

    plays: Counter = field(default_factory=Counter)
    finishes: Counter = field(default_factory=Counter)
    liked: set = field(default_factory=set)
    seed_genres: set = field(default_factory=set)
    seed_artists: set = field(default_factory=set)
    artist_plays: Counter = field(default_factory=Counter)
    genre_plays: Counter = field(default_factory=Counter)
    titles: set = field(default_factory=set)  # folded titles of what was played or liked
    seed_artist_genres: set = field(default_factory=set)  # genres of the picked artists' tracks
    _items: dict = field(default_factory=dict)

    @classmethod
    def load(cls, db, profile_id: int) -> "Facts":
        f = cls()
        for item_id, end in db.execute(
            "SELECT item_id, end_reason FROM listens WHERE profile_id = ? AND item_id IS NOT NULL",
            [profile_id],
        ):
            f.plays[item_id] += 1
            if end == "finished":
                f.finishes[item_id] += 1
        f.liked = {
            r[0]
            for r in db.execute(
                "SELECT item_id FROM feedback WHERE profile_id = ? AND kind = 'like' "
                "AND item_id IS NOT NULL",
                [profile_id],
            )
        }
        for kind, value in db.execute(
            "SELECT kind, value FROM taste_seeds WHERE profile_id = ?", [profile_id]
        ):
            (f.seed_genres if kind == "genre" else f.seed_artists).add(
                fold(value) if kind == "genre" else artist_key(value)
            )
        if f.seed_artists:
            picked = [i for ids in ids_by_artist(db, f.seed_artists).values() for i in ids]
            for item in f.items(db, picked).values():
                f.seed_artist_genres |= item.genres
        known = set(f.plays) | f.liked
        for item in f.items(db, known).values():
            n = f.plays.get(item.id, 0)
            f.artist_plays[item.artist] += n
            for g in item.genres:
                f.genre_plays[g] += n
            if item.title:
                f.titles.add(item.title)
        return f

    def items(self, db, ids) -> dict:
        missing = [i for i in ids if i not in self._items]
        if missing:
            sql = "SELECT id, artist, albumartist, title, genres FROM items WHERE id IN ({ids})"
            for iid, artist, albumartist, title, raw in select_in(db, sql, missing):
                self._items[iid] = _Item(
                    iid,
                    artist_key(artist, albumartist),
                    artist or albumartist,
                    fold(title or ""),
                    {fold(g) for g in genres(raw)},
                )
        return {i: self._items[i] for i in ids if i in self._items}

    @property
    def history(self) -> bool:
        return sum(self.finishes.values()) >= HISTORY_PLAYS or bool(self.liked)

    @property
    def knows_something(self) -> bool:
        return bool(self.plays or self.liked or self.seed_genres or self.seed_artists)

    def honest(self, db, item_id: int, reason: str, score: float | None = None) -> str:
        """``reason`` when the store backs it, else a reason that holds for ``item_id``. With a
        ``score`` of 0 (`tuneup why` of an item nothing points to) no taste is claimed at all."""
        item = self.items(db, [item_id]).get(item_id)
        if item is None:
            return reason
        for pattern, holds in RULES:
            match = pattern.search(reason)
            if match:
                if score is not None and score == 0 and self.knows_something:
                    return NOTHING_POINTS
                return reason if holds(self, item, match) else self.fallback(db, item)
        return reason

    def fallback(self, db, item: "_Item") -> str:
        """What does hold, most specific first."""
        if item.artist and item.artist in self.seed_artists:
            return f"by {item.name}, an artist you picked"
        picked = sorted(item.genres & self.seed_genres)
        if picked:
            return f"matches a genre you picked: {picked[0]}"
        if self.plays.get(item.id):
            return f"you played it {_times(self.plays[item.id])}"
        if self.artist_plays.get(item.artist, 0) >= OFTEN_PLAYS and item.artist:
            return f"more from {item.name}, whom you played {self.artist_plays[item.artist]} times"
        if self.seed_artists and self._shares_genre_with_picks(db, item):
            return "in a genre of the artists you picked"
        if not self.knows_something:
            return COLD
        return "a pick from your library, to widen what tuneup knows of your taste"

    def _shares_genre_with_picks(self, db, item) -> bool:
        return bool(item.genres & self.seed_artist_genres)


@dataclass
class _Item:
    id: int
    artist: str  # artist_key
    name: str | None  # as the library spells it
    title: str
    genres: set


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _count(text: str) -> int:
    return {"once": 1, "twice": 2}.get(text) or int(text)


def _names_known(f: Facts, name: str) -> bool:
    """A "sounds like <title> by <artist>" names something the person played or liked."""
    title = fold(name.rsplit(" by ", 1)[0])
    return any(title.startswith(t) or t.startswith(title) for t in f.titles if t)


_N = r"(\d+ times|once|twice)"
RULES: list[tuple[re.Pattern, Callable[[Facts, _Item, re.Match], bool]]] = [
    (
        re.compile(r"matches a genre you picked: (.+)$"),
        lambda f, i, m: fold(m.group(1)) in f.seed_genres and fold(m.group(1)) in i.genres,
    ),
    (
        re.compile(r"^by (.+), an artist you picked$"),
        lambda f, i, m: i.artist in f.seed_artists,
    ),
    (
        re.compile(r"more from (.+), whom you played (\d+) times"),
        lambda f, i, m: f.artist_plays.get(i.artist, 0) >= max(int(m.group(2)), OFTEN_PLAYS),
    ),
    (
        re.compile(r"you played (?:this|it) " + _N),
        lambda f, i, m: f.plays.get(i.id, 0) >= _count(m.group(1).split()[0]),
    ),
    (
        re.compile(r"a favourite of yours: played " + _N),
        lambda f, i, m: f.finishes.get(i.id, 0) >= FAVOURITE_PLAYS,
    ),
    (
        re.compile(r"new artist in (?:your favourite genre|a genre you finish often:?) ?(.*)$"),
        lambda f, i, m: (
            i.artist not in f.seed_artists
            and not f.artist_plays.get(i.artist)
            and (
                fold(m.group(1)) in f.seed_genres
                or f.genre_plays.get(fold(m.group(1)), 0) >= OFTEN_PLAYS
            )
        ),
    ),
    (
        re.compile(r"^(.+), a genre you play (?:often|to the end)$"),
        lambda f, i, m: f.genre_plays.get(fold(m.group(1)), 0) >= OFTEN_PLAYS,
    ),
    (
        re.compile(r"you often play|what you often play"),
        lambda f, i, m: sum(f.plays.values()) >= OFTEN_PLAYS * 2,
    ),
    (
        re.compile(r"(?:sounds like|same [\w ]+ as|often played alongside) (.+?)(?:, which .*)?$"),
        lambda f, i, m: _names_known(f, m.group(1)),
    ),
    (re.compile(r"close to what you (?:play|love)"), lambda f, i, m: f.history),
    # the model's words for radio neighbours: a weekly or daily mix has no seed (and "shares track"
    # names the item kind, not a shared trait)
    (re.compile(r"with your seed$|^close to your seed$"), lambda f, i, m: False),
    (re.compile(r"knows nothing of your taste yet"), lambda f, i, m: not f.knows_something),
]


def honest_entries(db, profile_id: int, entries) -> list:
    """``entries`` (picks or (item id, reason, exploration) triples) as picks, with every reason
    the store does not back replaced by one it does (the evidence says what was replaced)."""
    from tuneup.mixes.types import as_pick

    facts = Facts.load(db, profile_id)
    out = []
    for pick in map(as_pick, entries):
        reason = facts.honest(db, pick.item_id, pick.reason or "")
        if reason != pick.reason:
            evidence = dict(pick.evidence or {}, unbacked_reason=pick.reason)
            pick = pick._replace(reason=reason, evidence=evidence)
        out.append(pick)
    return out


def honest_recs(db, profile_id: int, recs: list) -> list:
    """The model's recs (``tuneup recommend`` and ``why``) with every reason checked like a mix's."""
    from dataclasses import replace

    facts = Facts.load(db, profile_id)
    out = []
    for rec in recs:
        reason = facts.honest(db, rec.item_id, rec.reason or "", score=rec.score)
        out.append(rec if reason == rec.reason else replace(rec, reason=reason))
    return out
