"""The onboarding wizard on a generated library: folders, scan, genres, artists, import, adventurousness."""

from __future__ import annotations

import asyncio

import pytest
from media import make_audio
from textual.widgets import Input, SelectionList
from tuidata import settle

from tuneup.config import load_config
from tuneup.store.profiles import needs_onboarding
from tuneup.tui.app import create_app

SIZE = (120, 40)
LIBRARY = [
    ("Blue Lantern Trio", "jazz"),
    ("Blue Lantern Trio", "jazz"),
    ("Night Ferry", "jazz"),
    ("Basement Pulse", "techno"),
    ("Cold Cipher", "techno"),
    ("Hollow Pines", "folk"),
]


@pytest.fixture
def music(tmp_path):
    root = tmp_path / "music"
    for n, (artist, genre) in enumerate(LIBRARY):
        make_audio(
            root / artist,
            "ogg",
            {"title": f"Song {n}", "artist": artist, "album": f"{artist} LP", "genre": genre},
            name=f"{n:02d}.ogg",
        )
    (tmp_path / "empty").mkdir()
    return root


def test_whole_onboarding(env, music, tmp_path):
    async def run():
        app = create_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            wizard = app.screen
            assert type(wizard).__name__ == "OnboardingScreen"
            field = wizard.query_one("#folder-input", Input)
            # validation: missing, empty, then a real folder
            for bad, reason in (
                (tmp_path / "nope", "does not exist"),
                (tmp_path / "empty", "no media files"),
            ):
                field.value = str(bad)
                await pilot.press("enter")
                assert reason in str(wizard.query_one("#folder-check").render())
            await pilot.press("ctrl+n")
            assert wizard.step == 0  # no folder yet: Next does nothing
            field.value = str(music)
            await pilot.press("enter")
            assert "6 media files" in str(wizard.query_one("#folder-check").render())
            assert wizard.folders == [str(music)]
            await pilot.press("ctrl+n")  # → scan
            assert wizard.step == 1
            await settle(app, pilot, 0.3)
            assert wizard.scanned, wizard.query_one("#scan-status").render()
            assert "6 items" in str(wizard.query_one("#scan-summary").render())
            assert (
                wizard.query_one("#scan-bar").percentage == 1.0
            )  # full, even when the scan was too quick to report
            await pilot.press("ctrl+n")  # → genres
            genres = wizard.query_one("#genre-list", SelectionList)
            labels = [str(genres.get_option_at_index(i).prompt) for i in range(genres.option_count)]
            assert labels[0].startswith("jazz") and "(3)" in labels[0]
            genres.select("jazz")
            await pilot.pause()
            await pilot.press("ctrl+n")  # → artists: every one, those of jazz first
            artists = wizard.query_one("#artist-list", SelectionList)
            for _ in range(50):  # the list loads in a thread
                if artists.option_count:
                    break
                await pilot.pause(0.05)
            shown = [artists.get_option_at_index(i).value for i in range(artists.option_count)]
            assert set(shown[:2]) == {"Blue Lantern Trio", "Night Ferry"}
            assert set(shown) == {a for a, _ in LIBRARY}  # most files carry no genre: all offered
            await pilot.press(*"pines")  # an artist of another genre is found too
            assert [artists.get_option_at_index(i).value for i in range(artists.option_count)] == [
                "Hollow Pines"
            ]
            await pilot.press(*["backspace"] * 5, *"ferry")
            assert artists.option_count == 1
            artists.select("Night Ferry")
            await pilot.pause()
            await pilot.press("ctrl+n")  # → history import
            assert wizard.step == 4
            export = tmp_path / "scrobbles.csv"
            export.write_text(
                "Night Ferry,Night Ferry LP,Song 2,31 Jan 2021 18:03\n"
                "Nobody Here,Nothing,Unknown Song,01 Feb 2021 09:00\n"
            )
            wizard.query_one("#import-format").value = "lastfm"
            wizard.query_one("#import-path", Input).value = str(export)
            await pilot.click("#import-btn")
            await settle(app, pilot, 0.3)
            result = str(wizard.query_one("#import-result").render())
            assert "2 imported" in result and "1 matched" in result, result
            await pilot.press("ctrl+b")  # back keeps the picks
            assert wizard.step == 3 and wizard.artists == {"Night Ferry"}
            await pilot.press("ctrl+n", "ctrl+n")  # → adventurousness
            wizard.query_one("#adventure-input", Input).value = "55"
            await pilot.press("ctrl+n")  # finish
            await settle(app, pilot)
            assert type(app.screen).__name__ == "MainScreen"
        db = env.db
        seeds = set(db.execute("SELECT kind, value FROM taste_seeds").fetchall())
        assert seeds == {("genre", "jazz"), ("artist", "Night Ferry")}
        imported = db.execute(
            "SELECT count(*), count(item_id) FROM listens WHERE source = 'lastfm'"
        ).fetchone()
        assert imported == (2, 1)
        assert load_config(env.paths.config_file).get("adventurousness") == 55
        assert not needs_onboarding(db, env.profile_id)

    asyncio.run(run())


def test_cancel_leaves_nothing_half_done(env, music):
    async def run():
        app = create_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            wizard = app.screen
            wizard.query_one("#folder-input", Input).value = str(music)
            await pilot.press("enter", "ctrl+n")
            await settle(app, pilot, 0.3)
            await pilot.press("ctrl+n")
            wizard.query_one("#genre-list", SelectionList).select("techno")
            await pilot.press("escape")  # cancel setup
            await settle(app, pilot)
            assert type(app.screen).__name__ == "MainScreen"
        assert env.db.execute("SELECT count(*) FROM taste_seeds").fetchone()[0] == 0
        assert not env.paths.config_file.exists()

    asyncio.run(run())


def test_app_scan_matches_earlier_imports(env, music, tmp_path):
    """A scan started from the app matches listens imported before their files were in the library."""
    from tuneup.history.importers.run import import_files
    from tuneup.tui import jobs

    export = tmp_path / "scrobbles.csv"
    export.write_text("Hollow Pines,Hollow Pines LP,Song 5,31 Jan 2021 18:03\n")
    import_files(env.db, "lastfm", [export], profile_id=env.profile_id)
    assert env.db.execute("SELECT count(item_id) FROM listens").fetchone()[0] == 0
    jobs.scan_paths(env.db, lambda *a: None, None, [music])
    assert env.db.execute("SELECT count(item_id) FROM listens").fetchone()[0] == 1


def test_a_folder_added_after_going_back_is_scanned_too(env, music, tmp_path):
    more = (
        tmp_path / "more music "
    )  # a name ending in a space: kept exactly when chosen in the browser
    make_audio(
        more,
        "ogg",
        {"title": "Late Addition", "artist": "Paper Moons", "genre": "folk"},
        name="x.ogg",
    )

    async def run():
        app = create_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            wizard = app.screen
            field = wizard.query_one("#folder-input", Input)
            field.value = str(music)
            await pilot.press("enter")
            await pilot.press("ctrl+n")  # → scan
            await settle(app, pilot, 0.3)
            assert wizard.scanned and "6 items" in str(wizard.query_one("#scan-summary").render())
            await pilot.press("ctrl+b")  # back to the folders
            assert wizard.step == 0
            wizard._check_picked(more)  # what choosing it in the folder browser does
            await settle(app, pilot, 0.3)
            assert wizard.folders == [str(music), str(more)]
            await pilot.press("ctrl+n")  # → scan again, with the new folder
            await settle(app, pilot, 0.3)
            assert wizard.scanned and "7 items" in str(wizard.query_one("#scan-summary").render())

    asyncio.run(run())


def test_the_wizards_picks_shape_home_over_mixes_built_while_it_was_open(env, music):
    """The scan inside the wizard makes Home build (and store) this week's mixes before the picks are
    saved; after Finish, Home's Discover Weekly is built from the picks (it used to keep the sample)."""
    from tuneup.tui.widgets.home import HomePane

    async def run():
        app = create_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            wizard = app.screen
            wizard.query_one("#folder-input", Input).value = str(music)
            await pilot.press("enter", "ctrl+n")
            await settle(app, pilot, 0.3)
            home = app.screen_stack[0].query_one(HomePane)
            for _ in range(100):  # Home built its rows behind the wizard after the scan
                if home.mixes:
                    break
                await pilot.pause(0.1)
            assert env.db.execute("SELECT count(*) FROM mixes WHERE kind = 'weekly'").fetchone()[0]
            await pilot.press("ctrl+n")
            wizard.query_one("#genre-list", SelectionList).select("techno")
            await pilot.pause()
            await pilot.press(
                "ctrl+n", "ctrl+n", "ctrl+n", "ctrl+n"
            )  # artists, import, adventure, finish
            await settle(app, pilot)
            assert type(app.screen).__name__ == "MainScreen"
            for _ in range(100):
                weekly = [m for m in home.mixes if m.kind == "weekly"]
                if weekly and any("you picked" in i.reason for i in weekly[0].items):
                    break
                await pilot.pause(0.1)
            picked = [i.artist for i in weekly[0].items if "you picked: techno" in i.reason]
            assert sorted(picked) == ["Basement Pulse", "Cold Cipher"]

    asyncio.run(run())
