"""Deterministic data for the TUI tests: items, series, listens and features written straight to SQLite."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

from tuneup.mixes.types import Mix, MixItem
from tuneup.store import open_db, profile_id, write
from tuneup.store.items import add_item

TODAY = date(2026, 11, 27)
GENRES = ["synthwave", "techno", "jazz", "folk", "hip hop", "ambient"]
ARTISTS = [
    "Neon Corridor",
    "Basement Pulse",
    "Blue Lantern Trio",
    "Hollow Pines",
    "Cold Cipher",
    "Drift Lab",
    "Night Ferry",
    "Paper Moons",
]
HOSTILE = [
    "[bold]Bold Claim[/]",
    "[link=http://evil.example]click me[/link]",
    "\x1b[31mRed Alert\x1b[0m",
    "Tab\there [/]",
]


def fill(db_path, n_tracks: int = 48, with_history: bool = True) -> dict:
    """Write a small, fixed library into the database at ``db_path``; returns ids worth knowing."""
    db = open_db(db_path)
    pid = profile_id(db)
    now = "2026-11-01T12:00:00+00:00"
    with write(db):
        db.execute("INSERT INTO roots (path, added_at) VALUES (?, ?)", ["/music", now])
        for n in range(n_tracks):
            artist = ARTISTS[n % len(ARTISTS)]
            genre = GENRES[n % len(GENRES)]
            title = (
                HOSTILE[n // 12]
                if n % 12 == 5 and n // 12 < len(HOSTILE)
                else f"Song {n:03d} of {artist}"
            )
            path = f"/music/{artist}/track{n:03d}.ogg"
            add_item(
                db,
                path,
                root_id=1,
                format="ogg",
                size=1000,
                mtime_ns=1,
                added_at=f"2026-11-{1 + n % 20:02d}T10:00:00+00:00",
                updated_at=now,
                title=title,
                artist=artist,
                album=f"{artist} LP",
                genres=[genre],
                duration=120 + n,
                year=2000 + n % 25,
            )
        db.execute(
            "INSERT INTO series (key, title, year, genres) VALUES ('night shift', 'Night Shift', 2024, ?)",
            [json.dumps(["drama"])],
        )
        for e in range(1, 4):
            path = f"/video/Night Shift/S01E0{e}.mkv"
            add_item(
                db,
                path,
                kind="episode",
                format="mkv",
                size=1000,
                mtime_ns=1,
                added_at=now,
                updated_at=now,
                title=f"Episode {e}",
                series_id=1,
                season=1,
                episode=e,
                duration=2400,
                genres=["drama"],
            )
        ids = [r[0] for r in db.execute("SELECT id FROM items WHERE kind = 'track' ORDER BY id")]
        for k, item_id in enumerate(ids):
            energy = (k * 37 % 100) / 100
            brightness = (k * 53 % 100) / 100
            db.execute(
                "INSERT INTO features (item_id, version, computed_at, status, data) VALUES (?, 1, ?, 'ok', ?)",
                [item_id, now, json.dumps({"energy": energy, "brightness": brightness})],
            )
        if with_history:
            start = datetime(TODAY.year, TODAY.month, TODAY.day, 20, tzinfo=timezone.utc)
            for k in range(120):
                item_id = ids[(k * 7) % 16]
                when = start - timedelta(days=k % 50, minutes=k)
                skipped = 1 if k % 5 == 0 else 0
                db.execute(
                    "INSERT INTO listens (item_id, profile_id, started_at, ms_played, duration_ms, end_reason, "
                    "skipped, source) VALUES (?, ?, ?, ?, 180000, ?, ?, 'demo')",
                    [
                        item_id,
                        pid,
                        when.isoformat(timespec="seconds"),
                        9000 if skipped else 180000,
                        "skipped" if skipped else "finished",
                        skipped,
                    ],
                )
    db.conn.close()
    return {"track_ids": ids, "profile_id": pid}


def mixes_from_db(db, config, profile, profile_id) -> list[Mix]:
    """Home rows built from the test library (two rows, one with an exploration pick)."""
    rows = db.execute(
        "SELECT id, path, title, artist, album, kind, duration FROM items WHERE kind = 'track' "
        "ORDER BY id LIMIT 16"
    ).fetchall()
    first = [
        MixItem(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            f"because you played {r[3]} 8 times",
            evidence={"plays": 8},
        )
        for r in rows[:8]
    ]
    second = [
        MixItem(r[0], r[1], r[2], r[3], r[4], r[5], r[6], "exploration: something different", True)
        for r in rows[8:]
    ]
    return [
        Mix("weekly", "Discover Weekly", first, profile, "2026-11-23T00:00:00+00:00"),
        Mix("daily", "Daily Mix 1: synthwave", second, profile, "2026-11-27T00:00:00+00:00"),
    ]


async def home_loaded(app, pilot) -> None:
    """Home builds its rows after the first paint: wait until they are in (when Home is there at all)."""
    from tuneup.tui.widgets.home import Card, HomePane

    for _ in range(200):
        panes = app.screen_stack[0].query(HomePane) if app.screen_stack else []
        if not panes:  # the main screen has not composed yet
            await pilot.pause(0.05)
            continue
        home = panes.first()
        # loaded, and (when its cards are on screen) the first card's focus has landed
        if home.loaded and (
            not home.mixes
            or app.screen is not app.screen_stack[0]
            or not home.is_on_screen
            or isinstance(app.screen.focused, Card)
        ):
            return
        await pilot.pause(0.05)


async def settle(app, pilot, seconds: float = 0.1) -> None:
    """Wait for the rows, then for every worker (a reload cancels an exclusive worker: wait again)."""
    from textual.widgets import Input
    from textual.worker import WorkerCancelled

    await home_loaded(app, pilot)
    for _ in range(20):
        try:
            await app.workers.wait_for_complete()
            break
        except WorkerCancelled:
            continue
    for field in app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause(seconds)
