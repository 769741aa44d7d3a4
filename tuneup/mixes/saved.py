"""The mixes table: what was generated for which period, so a week's mix stays the same all week and the
next week can keep its overlap with the last one small."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from tuneup.mixes.types import Pick, as_pick
from tuneup.store.db import write


def week_period(now: datetime) -> str:
    """The ISO week ``now`` falls in, in local time, e.g. ``2026-W48`` (weeks start on Monday)."""
    year, week, _ = now.astimezone().isocalendar()
    return f"{year}-W{week:02d}"


def day_period(now: datetime) -> str:
    """The local date of ``now``: a daily mix changes at the person's midnight, not UTC's."""
    return now.astimezone().date().isoformat()


@dataclass
class Stored:
    name: str
    period: str
    generated_at: str
    entries: list  # Picks (or (item_id, reason, exploration) triples), in order
    inputs: str | None = None  # the taste stamp it was built from (tuneup.store.taste_version)


def load(db, profile_id: int, kind: str, period: str, name: str | None = None) -> list[Stored]:
    """The mixes stored for ``kind`` and ``period`` (one, when ``name`` is given), in name order."""
    sql = "SELECT name, period, generated_at, items, inputs FROM mixes WHERE profile_id = ? AND kind = ? AND period = ?"
    args: list = [profile_id, kind, period]
    if name is not None:
        sql += " AND name = ?"
        args.append(name)
    return [_stored(r) for r in db.execute(sql + " ORDER BY id", args)]


def _stored(row) -> Stored:
    name, period, generated_at, raw, inputs = row
    entries = [
        Pick(int(e["item_id"]), e.get("reason", ""), bool(e.get("exploration")), e.get("evidence"))
        for e in json.loads(raw)
    ]
    return Stored(name, period, generated_at, entries, inputs)


def current(found: list[Stored], stamp: str) -> list[Stored]:
    """``found`` when every one was built from what the store holds now (``stamp``), else nothing:
    a mix built before an onboarding answer, a like or a ban, an import or a new folder is rebuilt."""
    return found if found and all(s.inputs == stamp for s in found) else []


def save(db, profile_id: int, kind: str, period: str, mixes: list[Stored]) -> None:
    """Replace every mix of ``kind`` for ``period`` with ``mixes`` in one transaction."""
    with write(db):
        db.execute(
            "DELETE FROM mixes WHERE profile_id = ? AND kind = ? AND period = ?",
            [profile_id, kind, period],
        )
        for mix in mixes:
            items = [_entry(as_pick(e)) for e in mix.entries]
            db.execute(
                "INSERT INTO mixes (profile_id, kind, period, name, generated_at, items, inputs) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    profile_id,
                    kind,
                    period,
                    mix.name,
                    mix.generated_at,
                    json.dumps(items, ensure_ascii=False, default=_plain),
                    mix.inputs,
                ],
            )


def _entry(pick: Pick) -> dict:
    entry = {"item_id": pick.item_id, "reason": pick.reason, "exploration": pick.exploration}
    if pick.evidence:
        entry["evidence"] = pick.evidence
    return entry


def _plain(value):
    """A numpy number in the model's evidence, as the plain number JSON holds."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON data")


def previous_ids(db, profile_id: int, kind: str, period: str) -> set[int]:
    """Item ids of the latest stored ``kind`` mix before ``period`` (periods sort as text)."""
    row = db.execute(
        "SELECT period FROM mixes WHERE profile_id = ? AND kind = ? AND period < ? "
        "ORDER BY period DESC LIMIT 1",
        [profile_id, kind, period],
    ).fetchone()
    if not row:
        return set()
    return {e[0] for s in load(db, profile_id, kind, row[0]) for e in s.entries}


def overlap_budget(size: int, share: float = 0.2) -> int:
    """How many of ``size`` items may repeat last period's mix."""
    return int(size * share)
