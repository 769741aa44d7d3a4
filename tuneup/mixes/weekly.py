"""Discover Weekly: things this person has never played, or not for 60 days, that fit their taste.

Stable for the ISO week (stored in the mixes table and read back), regenerated with ``refresh``, and a
new week repeats at most 20% of the last one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tuneup.mixes import saved
from tuneup.mixes.catalog import (
    aware,
    banned_ids,
    ensure_playable,
    iso,
    left_out_ids,
    mix_items,
    played_since,
    profile_name,
)
from tuneup.mixes.flow import flow
from tuneup.mixes.modelref import get_model, setting
from tuneup.mixes.select import Picker, from_recs, stable_seed
from tuneup.mixes.truth import honest_entries
from tuneup.mixes.types import Mix
from tuneup.store.items import artist_keys
from tuneup.store.taste_version import taste_stamp

KIND = "weekly"
NAME = "Discover Weekly"
FRESH_DAYS = 60
MAX_REPEAT_SHARE = 0.2


def weekly(
    db,
    model_dir,
    profile_id: int,
    *,
    now: datetime | None = None,
    config=None,
    size: int | None = None,
    refresh: bool = False,
    model=None,
) -> Mix:
    now = aware(now)
    period = saved.week_period(now)
    ensure_playable(db, profile_id)  # NothingToMixError when there is nothing at all
    inputs = taste_stamp(db, profile_id)  # read first: a write while building makes it stale
    if not refresh:
        kept = stored_mix(db, profile_id, period, inputs)
        if kept is not None:
            return kept
    size = size or setting(config, "mix.weekly_size")
    model = model or get_model(db, model_dir)
    entries = _pick(db, model, profile_id, now, period, size, config, refresh)
    generated = iso(now)
    entries = honest_entries(db, profile_id, entries)  # every reason backed by the store
    items = flow(db, mix_items(db, entries))
    saved.save(
        db,
        profile_id,
        KIND,
        period,
        [
            saved.Stored(
                NAME,
                period,
                generated,
                [i.pick() for i in items],
                inputs,
            )
        ],
    )
    return Mix(
        KIND, NAME, items, profile_name(db, profile_id), generated, period, _description(period)
    )


def _pick(db, model, profile_id, now, period, size, config, refresh) -> list[tuple[int, str, bool]]:
    """Fresh picks first (last week's left out); then, if the library runs short, played or repeated ones."""
    recent = played_since(db, profile_id, now - timedelta(days=FRESH_DAYS))
    previous = saved.previous_ids(db, profile_id, KIND, period)
    cap = setting(config, "mix.artist_cap")
    picker = Picker(
        size,
        {},
        cap,
        previous,
        saved.overlap_budget(size, MAX_REPEAT_SHARE),
        left_out_ids(db, profile_id, config, now),
    )
    seed = stable_seed(profile_id, period, now.timestamp() if refresh else "")
    ask = dict(
        kinds="track",
        context=None,  # played all week, at every hour: no time of day favoured
        adventurousness=setting(config, "adventurousness"),
        seed=seed,
        artist_cap=cap,
    )
    for recs in (
        lambda: model.recommend(profile_id, k=size + 10, exclude=sorted(recent | previous), **ask),
        # a small or well-played library: last week's picks (up to the repeat budget), then what has gone
        # longest without a play
        lambda: model.recommend(
            profile_id, k=size * 2, candidates=sorted(previous - recent - picker.ids), **ask
        ),
        lambda: model.recommend(
            profile_id,
            k=size * 2,
            candidates=_longest_unplayed(
                db, profile_id, now - timedelta(days=FRESH_DAYS), picker.ids, size * 2
            ),
            **ask,
        ),
    ):
        if picker.full:
            break
        entries = from_recs(recs())
        picker.artist_of.update(artist_keys(db, [e[0] for e in entries]))
        picker.offer(entries)
    return picker.taken


def _longest_unplayed(db, profile_id: int, since, taken: set[int], n: int) -> list[int]:
    """Of the items played since ``since``, the ``n`` whose last play is oldest."""
    rows = db.execute(
        "SELECT item_id, max(started_at) AS last FROM listens WHERE profile_id = ? AND started_at >= ? "
        "AND item_id IS NOT NULL GROUP BY item_id ORDER BY last, item_id",
        [profile_id, iso(since)],
    )
    return [i for i, _ in rows if i not in taken][:n]


def stored_mix(db, profile_id: int, period: str, inputs: str | None = None) -> Mix | None:
    """This week's mix as generated earlier in the week, minus anything banned or gone since; None
    when it was built from other inputs than ``inputs`` (the current taste stamp, read when None)."""
    if inputs is None:
        inputs = taste_stamp(db, profile_id)
    found = saved.current(saved.load(db, profile_id, KIND, period, NAME), inputs)
    if not found:
        return None
    kept = found[0]
    banned = banned_ids(db, profile_id)
    items = mix_items(db, [e for e in kept.entries if e[0] not in banned])
    if not items:
        return None
    return Mix(
        KIND,
        NAME,
        items,
        profile_name(db, profile_id),
        kept.generated_at,
        period,
        _description(period),
    )


def _description(period: str) -> str:
    return f"New to you, or not played for {FRESH_DAYS} days, picked for your taste ({period})"
