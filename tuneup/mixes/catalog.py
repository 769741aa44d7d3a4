"""The store queries every mix shares: which items exist, which are banned, when each was last played,
and turning item ids into :class:`MixItem` rows."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Iterable

from tuneup.errors import NothingToMixError
from tuneup.mixes.types import MixItem

# present, and not a track no decoder could read (analysis found it corrupt): a mix only holds what plays
PRESENT = "status = 'present' AND id NOT IN (SELECT item_id FROM features WHERE undecodable = 1)"


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="seconds")


def aware(now: datetime | None) -> datetime:
    """``now`` as an aware UTC datetime (naive values are taken as UTC)."""
    now = now or datetime.now(timezone.utc)
    return now if now.tzinfo else now.replace(tzinfo=timezone.utc)


def times(n: int) -> str:
    """'once', 'twice', '5 times'."""
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def banned_ids(db, profile_id: int) -> set[int]:
    rows = db.execute(
        "SELECT item_id FROM feedback WHERE profile_id = ? AND kind = 'ban' AND item_id IS NOT NULL",
        [profile_id],
    )
    return {r[0] for r in rows}


def ensure_playable(db, profile_id: int, kinds: Iterable[str] = ("track",)) -> None:
    """NothingToMixError, saying why, unless some item of ``kinds`` is present and not banned."""
    kinds = tuple(kinds)
    marks = ",".join("?" * len(kinds))
    where = f"{PRESENT} AND kind IN ({marks})"
    if not db.execute(f"SELECT 1 FROM items WHERE {where} LIMIT 1", kinds).fetchone():
        what = "tracks" if kinds == ("track",) else "items"
        raise NothingToMixError(f"no {what} in the library yet: run `tuneup scan DIR` first")
    ok = db.execute(
        f"SELECT 1 FROM items WHERE {where} AND id NOT IN (SELECT item_id FROM feedback WHERE "
        f"profile_id = ? AND kind = 'ban' AND item_id IS NOT NULL) LIMIT 1",
        [*kinds, profile_id],
    )
    if not ok.fetchone():
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


ITEM_COLUMNS = "id, path_raw, path, title, artist, albumartist, album, kind, duration, series_id, season, episode"


def mix_items(
    db, entries: Iterable[tuple[int, str, bool]], evidence: dict[int, dict] | None = None
) -> list[MixItem]:
    """MixItems for ``(item_id, reason, exploration)`` in that order; ids no longer present are dropped."""
    entries = list(entries)
    rows = _rows_by_id(db, [e[0] for e in entries])
    items = []
    for item_id, reason, exploration in entries:
        row = rows.get(item_id)
        if row is None:
            continue
        items.append(to_mix_item(row, reason, exploration, (evidence or {}).get(item_id, {})))
    return items


def _rows_by_id(db, ids: list[int]) -> dict[int, tuple]:
    rows: dict[int, tuple] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in db.execute(
            f"SELECT {ITEM_COLUMNS} FROM items WHERE id IN ({marks}) AND {PRESENT}", chunk
        ):
            rows[row[0]] = row
    return rows


def to_mix_item(
    row: tuple, reason: str, exploration: bool = False, evidence: dict | None = None
) -> MixItem:
    iid, path_raw, path, title, artist, albumartist, album, kind, duration, _sid, _season, _ep = row
    real_path = os.fsdecode(path_raw) if path_raw is not None else path
    return MixItem(
        item_id=iid,
        path=real_path,
        title=title or os.path.basename(path),
        artist=artist or albumartist,
        album=album,
        kind=kind,
        duration_s=duration,
        reason=reason,
        exploration=bool(exploration),
        evidence=evidence or {},
    )


def artists_of(db, ids: list[int]) -> dict[int, str]:
    """Lower-cased artist (or album artist) per item, for artist caps; '' when unknown."""
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for iid, artist, aartist in db.execute(
            f"SELECT id, artist, albumartist FROM items WHERE id IN ({marks})", chunk
        ):
            out[iid] = (artist or aartist or "").strip().casefold()
    return out


def profile_name(db, profile_id: int) -> str:
    row = db.execute("SELECT name FROM profiles WHERE id = ?", [profile_id]).fetchone()
    return row[0] if row else str(profile_id)
