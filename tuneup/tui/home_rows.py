"""Where Home's rows come from: tuneup.mixes.rows.build_rows, with the model fitted in a child process.

``fallback_rows`` is the plain "New in your library" row, without a model: tests and benchmarks load
it as the app's ``rows_loader`` when the model is not what they measure.
"""

from __future__ import annotations

from tuneup.mixes.types import Mix, MixItem
from tuneup.store import utcnow
from tuneup.store.items import newest, series_titles


def load_rows(db, config, profile: str, profile_id: int, model_dir=None) -> list[Mix]:
    from tuneup.errors import NothingToMixError
    from tuneup.mixes.rows import build_rows

    if model_dir is None:
        from tuneup.paths import get_paths

        model_dir = get_paths().model_dir
    try:
        return list(
            build_rows(db, model_dir, profile_id, config=config, model=app_model(db, model_dir))
        )
    except NothingToMixError:
        return []


def app_model(db, model_dir):
    """The model for the app: a full fit runs in a child process, so the app stays small afterwards."""
    from tuneup.mixes.modelref import get_model
    from tuneup.model.api import fit_in_child

    return get_model(db, model_dir, fitter=fit_in_child)


def fallback_rows(db, profile: str, profile_id: int, size: int = 20) -> list[Mix]:
    found = newest(db, size)
    series = series_titles(db, (i.series_id for i in found))
    items = [
        MixItem(
            i.id,
            i.path,
            i.title or i.path.rsplit("/", 1)[-1],
            i.artist or series.get(i.series_id),
            i.album,
            i.kind,
            i.duration,
            "new in your library",
        )
        for i in found
    ]
    if not items:
        return []
    return [Mix("new", "New in your library", items, profile, utcnow())]
