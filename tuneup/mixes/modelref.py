"""Where mixes get the model and their settings from (one place, so tests can hand in their own)."""

from __future__ import annotations

from pathlib import Path


def get_model(db, model_dir: Path | str, progress=None, fitter=None):
    """The saved model when it is fresh, else a new fit (saved for next time; ``fitter`` does it)."""
    from tuneup.model.api import load_or_fit

    return load_or_fit(db, Path(model_dir), progress=progress, fitter=fitter)


def setting(config, key: str):
    """A setting from ``config``, or its declared default when there is no config."""
    if config is not None:
        return config.get(key)
    from tuneup.config import SETTINGS

    return SETTINGS[key].default
