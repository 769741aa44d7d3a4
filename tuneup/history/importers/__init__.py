"""Importers, one module per format. ``run.import_files`` drives them."""

from __future__ import annotations

import importlib

from tuneup.errors import TuneupError

MODULES = ("spotify_extended", "spotify_basic", "listenbrainz", "lastfm", "rockbox")


def formats() -> dict[str, object]:
    """Format name (as typed on the command line) -> importer module."""
    out = {}
    for name in MODULES:
        module = importlib.import_module(f"tuneup.history.importers.{name}")
        out[module.FORMAT] = module
    return out


def importer(name: str):
    known = formats()
    module = known.get(name.replace("_", "-").lower())
    if module is None:
        raise TuneupError(f"unknown import format {name!r}; known formats: {', '.join(known)}")
    return module
