"""The demo library: generated tracks with realistic tags, and a persona's listening history.

``build_demo`` does it all; the pieces are public so the model's simulated listeners and tests
can rebuild the same catalog and reuse the persona's hidden taste::

    catalog = build_catalog(seed=1, tracks=320)
    taste = default_persona(catalog, seed=1)
    taste.finish_probability(catalog.by_relpath("Artist/Album/01 - Title.ogg"), week=2, daypart="evening")
"""

from tuneup.demo.build import build_demo, read_manifest
from tuneup.demo.catalog import DEFAULT_TRACKS, Catalog, TrackSpec, build_catalog
from tuneup.demo.history import History, generate_history
from tuneup.demo.persona import FeaturePrefs, Taste, daypart, default_persona

__all__ = [
    "build_demo",
    "read_manifest",
    "DEFAULT_TRACKS",
    "Catalog",
    "TrackSpec",
    "build_catalog",
    "History",
    "generate_history",
    "FeaturePrefs",
    "Taste",
    "daypart",
    "default_persona",
]
