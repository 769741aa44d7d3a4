"""`tuneup eval --self`: how well would last week's model have predicted what I played this week?"""

from __future__ import annotations

import numpy as np

from tuneup.model.dataset import FINISHED
from tuneup.model.eval_holdout import Split, evaluate
from tuneup.model.profile import DAY

WEEK = 7 * DAY


def self_eval(db, profile_id: int, k: int = 10, now: float | None = None) -> dict:
    import time

    from tuneup.model.baselines import ContentOnly, Hybrid, Popularity
    from tuneup.model.dataset import Dataset
    from tuneup.model.sources import from_db

    now = time.time() if now is None else now
    ds = from_db(db, as_of=now - WEEK)
    ev = ds.events
    before = ev.time < now - WEEK
    this_week = (~before) & (ev.profile == profile_id) & (ev.item >= 0) & (ev.outcome == FINISHED)
    seen = set(ev.item[before & (ev.profile == profile_id)].tolist())
    target = np.asarray(sorted({i for i in ev.item[this_week].tolist() if i not in seen}), np.int64)
    fb = ds.feedback
    fkeep = fb.time < now - WEEK
    from tuneup.model.dataset import Feedback

    train = Dataset(
        ds.catalogue,
        ev.subset(before),
        Feedback(
            fb.profile[fkeep],
            fb.item[fkeep],
            fb.kind[fkeep],
            fb.time[fkeep],
            [a for a, keep in zip(fb.artist, fkeep) if keep],
        ),
        ds.seeds,
        ds.profiles,
        ds.baskets,
        ds.session_gap_s,
        now - WEEK,
        ds.stamp,
    )
    note = (
        f"{len(target)} new items finished this week; last week's model ranked every item not played before"
        if len(target)
        else "nothing new was played to the end this week: nothing to predict"
    )
    split = Split(train, {profile_id: target} if len(target) and before.any() else {})
    results = [evaluate(r, split, k) for r in (Hybrid(), Popularity(), ContentOnly())]
    return {
        "note": note,
        "k": k,
        "targets": int(len(target)),
        "hybrid": results[0],
        "baselines": results[1:],
    }
