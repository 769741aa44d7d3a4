"""The model's public API, shared by mixes, the CLI and the TUI.

    model = load_or_fit(db, paths.model_dir)
    model.recommend(profile_id, 30, unplayed=True, context=datetime.now(), adventurousness=30)
    model.similar([item_id], 20)
    model.explain(profile_id, item_id)
    model.taste(profile_id).clusters      # for Daily Mixes

Every list comes back as :class:`Rec` (item id, score, reason, exploration flag, evidence).
Bans are never recommended. With no signal at all, ``recommend`` returns a diverse sample of the
library and says so in each reason.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from tuneup.model.hybrid import Model, Rec, Taste, TasteCluster
from tuneup.model.persist import FILE_NAME, MODEL_VERSION, StaleModel, load, save

DEFAULT_MAX_AGE_S = 24 * 3600.0  # recency weights drift: refit at least daily


def _profile_id(db, profile: str | int | None) -> int | None:
    if profile is None or isinstance(profile, int):
        return profile
    from tuneup.store import profile_id

    return profile_id(db, profile)


def fit(
    db,
    model_dir: Path,
    *,
    profile: str | int | None = None,
    progress=None,
    cancel=None,
    as_of: float | None = None,
) -> Model:
    """Fit on everything in the store and save it as ``model_dir/model.npz``."""
    from tuneup.model.fit import fit_model
    from tuneup.model.memory import release_memory
    from tuneup.model.sources import from_db

    ds = from_db(db, as_of=as_of)
    release_memory()
    model = fit_model(ds, profile=_profile_id(db, profile), progress=progress, cancel=cancel)
    save(model, Path(model_dir) / FILE_NAME)
    return model


def load_or_fit(
    db,
    model_dir: Path,
    *,
    max_age: float | None = DEFAULT_MAX_AGE_S,
    progress=None,
    cancel=None,
    fitter=None,
) -> Model:
    """The saved model when it is fresh (same store state, same version, younger than ``max_age`` seconds).

    When only new listens or feedback arrived since, they are added to the saved model (taste, skips,
    bans follow at once; co-listening and the ranker wait for the next full fit). Anything else —
    new or changed items, features or seeds, an older or corrupt file — means a full fit, saved.
    ``fitter`` replaces :func:`fit` for that (e.g. :func:`fit_in_child`).
    """
    from tuneup.model.refresh import can_refresh, refresh
    from tuneup.model.sources import store_stamp

    fit_ = fitter or fit
    path = Path(model_dir) / FILE_NAME
    stamp = store_stamp(db)
    try:
        model = load(path)
    except StaleModel:
        return fit_(db, model_dir, progress=progress, cancel=cancel)
    now = time.time()
    if max_age is not None and now - float(model.meta.get("fitted_at", 0)) > max_age:
        return fit_(db, model_dir, progress=progress, cancel=cancel)
    if model.stamp == stamp:
        return model
    if can_refresh(model.stamp, stamp):
        try:
            model = refresh(model, db, stamp, now)
        except ValueError:
            return fit_(db, model_dir, progress=progress, cancel=cancel)
        save(model, path)
        return model
    return fit_(db, model_dir, progress=progress, cancel=cancel)


def fit_in_child(db, model_dir: Path, *, progress=None, cancel=None) -> Model:
    """A full fit in a separate process, then the saved result loaded here.

    A long-running front end (the TUI) uses this so the fit's peak memory goes back to the system
    when the child ends, instead of staying in the app for the rest of its life.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    db_file = db.execute("PRAGMA database_list").fetchone()[2]
    from tuneup.parentwatch import exit_with_parent

    with ProcessPoolExecutor(
        1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=exit_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        pool.submit(_fit_to_file, db_file, str(model_dir)).result()
    return load(Path(model_dir) / FILE_NAME)


def _fit_to_file(db_file: str, model_dir: str) -> None:
    from tuneup.model.memory import big_blocks_from_mmap
    from tuneup.store import connection

    big_blocks_from_mmap()

    with connection(db_file) as db:
        fit(db, Path(model_dir))


def saved_taste(db, model_dir: Path, profile_id: int) -> dict | None:
    """The saved model's summary of this profile, or None when no model was saved (none is fitted here).

    A model fitted from another state of the store (one a fit saved just after `forget`, say) is not
    used: it may hold what was forgotten."""
    from tuneup.model.sources import store_stamp

    path = Path(model_dir) / FILE_NAME
    if not path.exists():
        return None
    try:
        model = load(path)
    except StaleModel as exc:
        return {"unavailable": str(exc)}
    if model.stamp != store_stamp(db):
        return {
            "unavailable": "the saved model is older than your history; `tuneup fit` refreshes it"
        }
    if profile_id not in model.profile_events:
        return None
    return model.taste(profile_id).as_dict()


__all__ = [
    "Model",
    "Rec",
    "Taste",
    "TasteCluster",
    "fit",
    "fit_in_child",
    "load_or_fit",
    "saved_taste",
    "load",
    "save",
    "StaleModel",
    "MODEL_VERSION",
    "FILE_NAME",
]
