"""Incremental refresh: when only new listens and feedback arrived since the fit, add them to a loaded
model instead of refitting everything.

Taste, skips, bans, context and the exploration counts follow at once; the co-listening neighbours,
content vectors and the learned ranker's weights wait for the next full fit (at most a day later,
see ``load_or_fit``'s ``max_age``). Anything else that changed (items, features, seeds, profiles, a
deleted listen or feedback row) means a full fit.
"""

from __future__ import annotations

import numpy as np

from tuneup.model.dataset import FEEDBACK_CODES
from tuneup.model.hybrid import Model
from tuneup.model.profile import ProfileEvents
from tuneup.model.sources import _unix


def _parts(stamp: str) -> list[str]:
    return stamp.split(";")


def _count_max(part: str) -> tuple[int, int]:
    count, _, top = part.partition("/")
    return int(count), int(top) if top not in ("", "None") else 0


def can_refresh(old_stamp: str, new_stamp: str) -> bool:
    """True when the store only gained listens and/or feedback rows since ``old_stamp``."""
    old, new = _parts(old_stamp), _parts(new_stamp)
    if len(old) != 7 or len(new) != 7 or old[2:] != new[2:] or old == new:
        return False
    for o, n in zip(old[:2], new[:2]):
        (oc, om), (nc, nm) = _count_max(o), _count_max(n)
        if nc < oc or nm < om or (nc - oc) > (nm - om) or (nm > om) != (nc > oc):
            return False
    return True


def refresh(model: Model, db, new_stamp: str, now: float) -> Model:
    """Append the listens and feedback added since the model's stamp (see :func:`can_refresh`)."""
    from tuneup.store import exclusions

    if exclusions.any_rules(db):  # new rows may match a rule: only a full fit filters them
        raise ValueError("exclusion rules apply; a full fit is needed")
    old = _parts(model.stamp)
    (lc, lmax), (fc, fmax) = _count_max(old[0]), _count_max(old[1])
    new_l, new_f = _count_max(_parts(new_stamp)[0]), _count_max(_parts(new_stamp)[1])
    listens = _new_listens(db, model, lmax)
    feedback = db.execute(
        "SELECT profile_id, item_id, kind, created_at FROM feedback WHERE id > ? ORDER BY id",
        [fmax],
    ).fetchall()
    if lc + len(listens[0]) != new_l[0] or fc + len(feedback) != new_f[0]:
        raise ValueError("rows were deleted or rewritten; a full fit is needed")
    prof, item, when, outcome, frac = listens
    touched = set()
    for pid in np.unique(prof).tolist():
        sel = (prof == pid) & (item >= 0)
        _append(model, int(pid), item[sel], when[sel], outcome[sel], frac[sel])
        touched.add(int(pid))
    for pid, iid, kind, created in feedback:
        row = model.row(iid) if iid is not None else -1
        if row >= 0:
            _append_feedback(model, int(pid), row, FEEDBACK_CODES[kind], _unix(created))
            touched.add(int(pid))
    model.stamp = new_stamp
    model.as_of = max(model.as_of, now)
    model._states.clear()
    model._cache = {
        k: v
        for k, v in model._cache.items()
        if not (isinstance(k, tuple) and k[0] in ("signals", "person", "score", "streak"))
    }
    model.meta["refreshed_at"] = now
    return model


def _new_listens(db, model: Model, after_id: int):
    from tuneup.model import sources

    sql = sources._LISTEN_SQL.replace("FROM listens", "FROM listens WHERE id > ?")
    cur = db.conn.execute(sql, [after_id])
    rows = cur.fetchall()
    data = np.asarray(rows, np.float64) if rows else np.zeros((0, 5))
    ids = data[:, 1].astype(np.int64)
    item = np.full(len(ids), -1, np.int64)
    if len(ids) and model.n_items:
        pos = np.minimum(np.searchsorted(model.item_ids, ids), model.n_items - 1)
        item = np.where(model.item_ids[pos] == ids, pos, -1)
    return (
        data[:, 0].astype(np.int64),
        item,
        data[:, 2].copy(),
        data[:, 3].astype(np.int8),
        data[:, 4].astype(np.float32),
    )


def _events(model: Model, pid: int) -> ProfileEvents:
    ev = model.profile_events.get(pid)
    if ev is None:
        from tuneup.model.hybrid import _empty_events

        ev = model.profile_events[pid] = _empty_events()
    return ev


def _append(model, pid, item, when, outcome, frac) -> None:
    ev = _events(model, pid)
    ev.item = np.concatenate([ev.item, item]).astype(np.int64)
    ev.time = np.concatenate([ev.time, when])
    ev.outcome = np.concatenate([ev.outcome, outcome]).astype(np.int8)
    ev.fraction = np.concatenate([ev.fraction, frac]).astype(np.float32)
    ev.weight = np.concatenate([ev.weight, np.ones(len(item), np.float32)])


def _append_feedback(model, pid, row, kind, when) -> None:
    ev = _events(model, pid)
    ev.fb_item = np.append(ev.fb_item, row).astype(np.int64)
    ev.fb_kind = np.append(ev.fb_kind, kind).astype(np.int8)
    ev.fb_time = np.append(ev.fb_time, when)


__all__ = ["can_refresh", "refresh"]
