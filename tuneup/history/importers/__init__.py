"""Importers, one module per format. ``run.import_files`` drives them."""

from __future__ import annotations

from tuneup.errors import TuneupError
from tuneup.history.importers import (
    lastfm,
    listenbrainz,
    rockbox,
    spotify_basic,
    spotify_extended,
)

MODULES = (spotify_extended, spotify_basic, listenbrainz, lastfm, rockbox)


def formats() -> dict[str, object]:
    """Format name (as typed on the command line) -> importer module."""
    return {module.FORMAT: module for module in MODULES}


def importer(name: str):
    known = formats()
    module = known.get(name.replace("_", "-").lower())
    if module is None:
        raise TuneupError(f"unknown import format {name!r}; known formats: {', '.join(known)}")
    return module
