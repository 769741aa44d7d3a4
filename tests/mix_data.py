"""Rows for mix and row tests, inserted straight into a real database with the schema's columns."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

from tuneup.store import write
from tuneup.store.items import add_item as store_add_item

NOW = datetime(2026, 11, 26, 20, 0, tzinfo=timezone.utc)  # a Thursday, ISO week 2026-W48
GENRES = ["synthwave", "jazz", "folk", "techno", "ambient", "metal"]


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="seconds")


def add_item(
    db,
    path,
    *,
    kind="track",
    title=None,
    artist=None,
    album=None,
    genres=(),
    duration=200.0,
    added_at=None,
    series_id=None,
    season=None,
    episode=None,
    bpm=None,
    key=None,
    status="present",
):
    """An items row through the store's one insert, added 400 days before NOW unless told."""
    now = iso(added_at or NOW - timedelta(days=400))
    return store_add_item(
        db,
        path,
        kind=kind,
        size=1000,
        status=status,
        added_at=now,
        updated_at=now,
        title=title or os.path.basename(path),
        artist=artist,
        album=album,
        genres=list(genres),
        duration=duration,
        series_id=series_id,
        season=season,
        episode=episode,
        bpm=bpm,
        initial_key=key,
    )


def add_listen(db, profile_id, item_id, when, *, end="finished", ms=180_000):
    with write(db):
        db.execute(
            "INSERT INTO listens (item_id, profile_id, started_at, ms_played, duration_ms, end_reason, "
            "skipped, source) VALUES (?, ?, ?, ?, 200000, ?, ?, 'tuneup')",
            [item_id, profile_id, iso(when), ms, end, int(end == "skipped")],
        )


def add_feedback(db, profile_id, item_id, kind, when=None):
    with write(db):
        db.execute(
            "INSERT INTO feedback (profile_id, item_id, kind, created_at) VALUES (?, ?, ?, ?)",
            [profile_id, item_id, kind, iso(when or NOW - timedelta(days=1))],
        )


def add_series(
    db, title, episodes_per_season=(3, 3), *, specials=0, folder="/tv", genres=("drama",)
):
    with write(db):
        sid = db.execute(
            "INSERT INTO series (key, title, genres) VALUES (?, ?, ?)",
            [title.lower(), title, json.dumps(list(genres))],
        ).lastrowid
    ids = {}
    for season, count in enumerate(episodes_per_season, start=1):
        for ep in range(1, count + 1):
            ids[(season, ep)] = add_item(
                db,
                f"{folder}/{title}/S{season:02d}E{ep:02d}.mkv",
                kind="episode",
                title=f"{title} {season}x{ep}",
                series_id=sid,
                season=season,
                episode=ep,
                duration=2700.0,
            )
    for ep in range(1, specials + 1):
        ids[(0, ep)] = add_item(
            db,
            f"{folder}/{title}/S00E{ep:02d}.mkv",
            kind="episode",
            series_id=sid,
            season=0,
            episode=ep,
            duration=1200.0,
        )
    return sid, ids


def watch(
    db, profile_id, item_id, when, *, position=2700.0, duration=2700.0, completed=True, times=None
):
    with write(db):
        db.execute(
            "INSERT INTO watch_progress (profile_id, item_id, position_s, duration_s, last_watched_at, completed, "
            "times_completed) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (profile_id, item_id) DO UPDATE SET "
            "position_s = excluded.position_s, last_watched_at = excluded.last_watched_at, "
            "completed = excluded.completed, times_completed = excluded.times_completed",
            [
                profile_id,
                item_id,
                position,
                duration,
                iso(when),
                int(completed),
                times if times is not None else int(completed),
            ],
        )


def music_library(db, *, artists=30, per_artist=6, folder="/music"):
    """``artists`` artists over GENRES, each with ``per_artist`` tracks; returns {artist: [ids]}."""
    out = {}
    for a in range(artists):
        name = f"Artist {a:02d}"
        genre = GENRES[a % len(GENRES)]
        out[name] = [
            add_item(
                db,
                f"{folder}/{name}/Album/{t:02d} Song {t}.flac",
                artist=name,
                album=f"Album {a}",
                title=f"Song {a}-{t}",
                genres=[genre],
                bpm=80 + (a * 7 + t * 13) % 90,
            )
            for t in range(per_artist)
        ]
    return out
