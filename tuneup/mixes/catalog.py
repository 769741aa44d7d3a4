"""The store queries every mix shares: which items exist, which are banned, when each was last played,
and turning item ids into :class:`MixItem` rows."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable

from tuneup.errors import NothingToMixError
from tuneup.mixes.types import MixItem, as_pick
from tuneup.store.exclusions import out_of_season
from tuneup.store.items import PRESENT, Item, by_ids, has_items


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="seconds")


def aware(now: datetime | None) -> datetime:
    """``now`` as an aware UTC datetime (naive values are taken as UTC)."""
    now = now or datetime.now(timezone.utc)
    return now if now.tzinfo else now.replace(tzinfo=timezone.utc)


def times(n: int) -> str:
    """'once', 'twice', '5 times'."""
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def banned_ids(db, profile_id: int, now: datetime | None = None) -> set[int]:
    """What no generated mix may hold: this profile's bans, and the items of its seasonal exclusion
    rules out of season at ``now`` (a radio gives its own seeds back; see store.exclusions)."""
    return feedback_bans(db, profile_id) | out_of_season(db, profile_id, aware(now))


def feedback_bans(db, profile_id: int) -> set[int]:
    rows = db.execute(
        "SELECT item_id FROM feedback WHERE profile_id = ? AND kind = 'ban' AND item_id IS NOT NULL",
        [profile_id],
    )
    return {r[0] for r in rows}


def left_out_ids(db, profile_id: int, config=None, now: datetime | None = None) -> set[int]:
    """What a music mix never holds: :func:`banned_ids`, tracks too short to be music and second
    copies of one recording (tuneup.library.not_music)."""
    from tuneup.library.not_music import not_music_ids

    return banned_ids(db, profile_id, now) | not_music_ids(db, config)


def ensure_playable(db, profile_id: int, kinds: Iterable[str] = ("track",)) -> None:
    """NothingToMixError, saying why, unless some item of ``kinds`` is present and not banned."""
    kinds = tuple(kinds)
    if not has_items(db, PRESENT, kinds):
        what = "tracks" if kinds == ("track",) else "items"
        raise NothingToMixError(f"no {what} in the library yet: run `tuneup scan DIR` first")
    if not has_items(db, PRESENT, kinds, not_banned_for=profile_id):
        raise NothingToMixError(
            "every item in the library is banned for this profile: nothing to mix"
        )


def played_since(db, profile_id: int, since: datetime) -> set[int]:
    """Items this profile played at or after ``since`` (a range scan on the (profile, time) index)."""
    rows = db.execute(
        "SELECT DISTINCT item_id FROM listens WHERE profile_id = ? AND started_at >= ? "
        "AND item_id IS NOT NULL",
        [profile_id, iso(since)],
    )
    return {r[0] for r in rows}


def mix_items(db, entries: Iterable) -> list[MixItem]:
    """MixItems for picks (or ``(item_id, reason, exploration)`` triples) in that order, each with its
    evidence; ids no longer present are dropped (a mix only holds what plays: present and not
    undecodable)."""
    picks = [as_pick(e) for e in entries]
    items = by_ids(db, [p.item_id for p in picks], scope=PRESENT)
    return [
        to_mix_item(items[p.item_id], p.reason, p.exploration, p.evidence)
        for p in picks
        if p.item_id in items
    ]


def to_mix_item(
    item: Item, reason: str, exploration: bool = False, evidence: dict | None = None
) -> MixItem:
    return MixItem(
        item_id=item.id,
        path=item.real_path,
        title=item.label_title,
        artist=item.artist_name,
        album=item.album,
        kind=item.kind,
        duration_s=item.duration,
        reason=reason,
        exploration=bool(exploration),
        evidence=evidence or {},
    )


def profile_name(db, profile_id: int) -> str:
    row = db.execute("SELECT name FROM profiles WHERE id = ?", [profile_id]).fetchone()
    return row[0] if row else str(profile_id)
