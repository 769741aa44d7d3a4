"""Where mixes get the model and their settings from (one place, so tests can hand in their own)."""

from __future__ import annotations

from pathlib import Path


def get_model(db, model_dir: Path | str, progress=None, fitter=None):
    """The saved model when it is fresh, else a new fit (saved for next time; ``fitter`` does it)."""
    from tuneup.model.api import load_or_fit

    return load_or_fit(db, Path(model_dir), progress=progress, fitter=fitter)


class LazyModel:
    """Stands in for the model and loads it on first use, once: a stored mix (this week's Discover
    Weekly, today's Daily Mixes) never needs it. ``load()`` returns the model."""

    def __init__(self, load):
        self._load, self._model = load, None

    def get(self):
        if self._model is None:
            self._model = self._load()
        return self._model

    def __getattr__(self, name):
        if name.startswith("__"):  # copy, pickle and friends: not the model's business
            raise AttributeError(name)
        return getattr(self.get(), name)


def lazy_model(db, model_dir: Path | str, progress=None) -> LazyModel:
    """:func:`get_model`, when first needed."""
    return LazyModel(lambda: get_model(db, model_dir, progress=progress))


def setting(config, key: str):
    """A setting from ``config``, or its declared default when there is no config."""
    if config is not None:
        return config.get(key)
    from tuneup.config import SETTINGS

    return SETTINGS[key].default
