"""Exclude from my taste: rules that take events out of what shapes the model, without deleting them.

A rule names a **track**, an **album**, an **artist**, a **genre**, a **folder**, a **playlist** (its
items, as they were when the rule was made), a **source** (``hook``, ``mpd``, ``spotify``, ...), one
**import** (by id) or a time **window** ("last Saturday's party"). Every listen and every piece of
feedback of the rule's profile that the rule matches is left out when the model is fitted
(:func:`excluded_listens`, :func:`excluded_feedback`; read by ``tuneup.model.sources.from_db``), so it
has exactly no influence; the rows stay in the history, and undoing the rule brings them back.

A rule with a **season** (``"MM-DD..MM-DD"``, e.g. Christmas music only 1–26 December) does not touch
the model: outside its window its items are in no generated mix unless they are the seed
(:func:`out_of_season`, read by ``tuneup.mixes.catalog.banned_ids``).

Adding or removing a rule bumps the profile's taste version (triggers, schema migration 8), so saved
mixes are rebuilt.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Iterable

from tuneup.errors import NotFoundError, TuneupError

__all__ = ["ExclusionError", "NotFoundError", "Rule"]
from tuneup.store.db import utcnow, write
from tuneup.store.items import artist_key, genres, select_in
from tuneup.store.normalize import fold, norm_artist

ITEM_KINDS = ("track", "album", "artist", "genre", "folder", "playlist")
EVENT_KINDS = ("source", "import", "window")
KINDS = ITEM_KINDS + EVENT_KINDS
_SEASON = re.compile(r"^(\d\d)-(\d\d)\.\.(\d\d)-(\d\d)$")


class ExclusionError(TuneupError):
    pass


@dataclass(frozen=True)
class Rule:
    id: int
    profile_id: int
    kind: str
    value: str
    extra: str | None
    label: str
    season: str | None
    created_at: str

    @property
    def seasonal(self) -> bool:
        return self.season is not None

    def describe(self) -> str:
        if self.season:
            return f"{self.label}: only {season_text(self.season)} (in mixes)"
        return f"{self.label}: left out of your taste"

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("extra")
        data["effect"] = "season" if self.season else "taste"
        return data


_COLUMNS = "id, profile_id, kind, value, extra, label, season, created_at"


def rules(db, profile_id: int | None = None) -> list[Rule]:
    """Every rule (of ``profile_id`` when given), oldest first."""
    sql = f"SELECT {_COLUMNS} FROM taste_exclusions"
    params: list = []
    if profile_id is not None:
        sql += " WHERE profile_id = ?"
        params.append(profile_id)
    return [Rule(*row) for row in db.execute(sql + " ORDER BY id", params)]


def add(
    db,
    profile_id: int,
    kind: str,
    value: str,
    label: str,
    *,
    extra: str | None = None,
    season: str | None = None,
) -> Rule:
    """Store one rule and return it (the taste version moves by trigger)."""
    if kind not in KINDS:
        raise ExclusionError(f"unknown exclusion kind {kind!r} (one of {', '.join(KINDS)})")
    if season is not None:
        season = parse_season(season)
        if kind not in ITEM_KINDS:
            raise ExclusionError(f"a season applies to items, not to a {kind} rule")
    with write(db):
        cur = db.execute(
            "INSERT INTO taste_exclusions (profile_id, kind, value, extra, label, season, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [profile_id, kind, value, extra, label, season, utcnow()],
        )
        rule_id = cur.lastrowid
    return next(r for r in rules(db, profile_id) if r.id == rule_id)


def remove(db, profile_id: int, rule_id: int) -> Rule:
    """Undo rule ``rule_id`` of this profile (NotFoundError when there is none)."""
    found = [r for r in rules(db, profile_id) if r.id == rule_id]
    if not found:
        raise NotFoundError(
            f"exclusion {rule_id}: no such rule for this profile (see `tuneup exclude`)"
        )
    with write(db):
        db.execute("DELETE FROM taste_exclusions WHERE id = ?", [rule_id])
    return found[0]


# --- seasons -----------------------------------------------------------------------------------


def parse_season(text: str) -> str:
    """``"12-01..12-26"`` checked and returned as is (month-day to month-day, inclusive)."""
    m = _SEASON.match(text.strip())
    if not m:
        raise ExclusionError(f"season {text!r}: write it as MM-DD..MM-DD, e.g. 12-01..12-26")
    for month, day in ((m[1], m[2]), (m[3], m[4])):
        if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
            raise ExclusionError(f"season {text!r}: {month}-{day} is not a day of the year")
    return text.strip()


def season_text(season: str) -> str:
    start, end = season.split("..")
    return f"{start} to {end} (month-day)"


def in_season(season: str, when: datetime) -> bool:
    """True when ``when`` falls in the season (a window may wrap the year: 12-20..01-06)."""
    start, end = season.split("..")
    today = when.strftime("%m-%d")
    return start <= today <= end if start <= end else today >= start or today <= end


# --- which items a rule names ------------------------------------------------------------------


def item_ids(db, rule: Rule) -> set[int]:
    """The items (any scope) an item rule names; empty for event rules."""
    kind, value = rule.kind, rule.value
    if kind == "track":
        return {int(value)}
    if kind == "playlist":
        return {int(i) for i in json.loads(rule.extra or "[]")}
    rows = db.execute("SELECT id, artist, albumartist, album, genres, path FROM items")
    if kind == "artist":
        return {
            i
            for i, a, aa, *_ in rows
            if artist_key(a, aa) == value or norm_artist(aa or "") == value
        }
    if kind == "album":
        want_artist = rule.extra or ""
        return {
            i
            for i, a, aa, al, *_ in rows
            if al
            and fold(al) == value
            and (not want_artist or want_artist in (artist_key(a, aa), norm_artist(aa or "")))
        }
    if kind == "genre":
        return {i for i, *_, g, _p in rows if any(x.casefold() == value for x in genres(g))}
    if kind == "folder":
        prefix = value.rstrip(os.sep) + os.sep
        return {i for i, *_, p in rows if p.startswith(prefix)}
    return set()


# --- what the model leaves out -----------------------------------------------------------------


def _epoch(iso: str) -> float:
    dt = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).timestamp()


def _taste_rules(db) -> list[Rule]:
    return [r for r in rules(db) if not r.seasonal]


def excluded_listens(db) -> set[int]:
    """Ids of the listens the model must not learn from (matched or not)."""
    out: set[int] = set()
    for rule in _taste_rules(db):
        out |= _matching(db, "listens", "started_at", rule)
    return out


def excluded_feedback(db) -> set[int]:
    """Ids of the feedback rows (likes, dislikes, bans) the model must not learn from."""
    out: set[int] = set()
    for rule in _taste_rules(db):
        if rule.kind != "import":  # feedback rows carry no import id
            out |= _matching(db, "feedback", "created_at", rule)
    return out


def _matching(db, table: str, time_col: str, rule: Rule) -> set[int]:
    pid = rule.profile_id
    if rule.kind in ITEM_KINDS:
        ids = item_ids(db, rule)
        sql = f"SELECT id FROM {table} WHERE item_id IN ({{ids}}) AND profile_id = ?"
        found = {r[0] for r in select_in(db, sql, ids, [pid])}
        if rule.kind == "artist":  # imported rows not matched to a file still name the artist
            found |= {
                i
                for i, artist in db.execute(
                    f"SELECT id, artist FROM {table} WHERE item_id IS NULL AND profile_id = ? "
                    "AND artist IS NOT NULL",
                    [pid],
                )
                if norm_artist(artist) == rule.value
            }
        return found
    if rule.kind == "source":
        sql, params = (
            f"SELECT id FROM {table} WHERE profile_id = ? AND source = ?",
            [pid, rule.value],
        )
    elif rule.kind == "import":
        sql, params = (
            f"SELECT id FROM {table} WHERE profile_id = ? AND import_id = ?",
            [pid, rule.value],
        )
    else:  # window: [value, extra)
        sql = (
            f"SELECT id FROM {table} WHERE profile_id = ? "
            f"AND CAST(strftime('%s', {time_col}) AS REAL) >= ? "
            f"AND CAST(strftime('%s', {time_col}) AS REAL) < ?"
        )
        params = [pid, _epoch(rule.value), _epoch(rule.extra or rule.value)]
    return {r[0] for r in db.execute(sql, params)}


def stamp(db) -> str:
    """Changes whenever a rule is added or removed (for the saved model's freshness stamp)."""
    count, top, total = db.execute(
        "SELECT count(*), coalesce(max(id), 0), coalesce(sum(id), 0) FROM taste_exclusions"
    ).fetchone()
    return f"{count}/{top}/{total}"


def any_rules(db) -> bool:
    return (
        db.execute("SELECT 1 FROM taste_exclusions WHERE season IS NULL LIMIT 1").fetchone()
        is not None
    )


# --- what mixes leave out ----------------------------------------------------------------------


def out_of_season(db, profile_id: int, when: datetime | None = None) -> set[int]:
    """Items of this profile's seasonal rules whose season ``when`` is not in."""
    when = when or datetime.now(timezone.utc)
    out: set[int] = set()
    for rule in rules(db, profile_id):
        if rule.seasonal and not in_season(rule.season, when):
            out |= item_ids(db, rule)
    return out


def as_rows(found: Iterable[Rule]) -> list[dict]:
    return [r.as_dict() for r in found]
