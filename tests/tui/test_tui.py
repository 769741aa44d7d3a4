"""Pilot tests of the app: library search, settings, profiles, help, palette, home rows, tag text."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input, Select
from tuidata import HOSTILE, TODAY, fill, mixes_from_db, settle

from tuneup.config import load_config
from tuneup.store.profiles import needs_onboarding
from tuneup.summary import DictSummary
from tuneup.tui.app import create_app
from tuneup.tui.widgets.home import Card
from tuneup.tui.widgets.library_pane import LibraryPane
from tuneup.tui.widgets.library_view import LibraryView

SIZE = (120, 40)


@pytest.fixture
def library(env):
    env.paths.ensure()
    return fill(env.paths.db_file)


def make_app(env, **kwargs):
    kwargs.setdefault("rows_loader", mixes_from_db)
    kwargs.setdefault("today", TODAY)
    return create_app(env, **kwargs)


def test_library_search_filter_and_sort(env, library):
    async def run():
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("2")
            await settle(app, pilot)
            pane = app.screen.query_one(LibraryPane)
            view = app.screen.query_one(LibraryView)
            assert len(view.rows) == 51
            await pilot.press("slash")
            await pilot.press(*"paper moons")
            assert len(view.rows) == 6
            assert all(pane.index.artists[i] == "Paper Moons" for i in view.rows)
            app.screen.query_one("#library-search", Input).value = "night shift"
            await pilot.pause()
            assert len(view.rows) == 3 and {pane.index.kinds[i] for i in view.rows} == {"episode"}
            app.screen.query_one("#library-search", Input).value = ""
            app.screen.query_one("#library-kind", Select).value = "episode"
            await pilot.pause()
            assert len(view.rows) == 3
            app.screen.query_one("#library-kind", Select).value = "all"
            app.screen.query_one("#library-played", Select).value = "unplayed"
            await pilot.pause()
            assert len(view.rows) == 51 - 16 and all(pane.index.plays[i] == 0 for i in view.rows)
            app.screen.query_one("#library-played", Select).value = "all"
            app.screen.query_one("#library-genre", Select).value = "jazz"
            await pilot.pause()
            assert len(view.rows) == 8
            app.screen.query_one("#library-sort", Select).value = "plays"
            await pilot.pause()
            plays = [pane.index.plays[i] for i in view.rows]
            assert plays == sorted(plays, reverse=True)
            view.focus()
            await pilot.press("down", "a")
            assert pane.filters.artist and all(
                pane.index.artists[i] == pane.filters.artist for i in view.rows
            )
            await pilot.press("escape")
            await pilot.pause()
            assert len(view.rows) == 51

    asyncio.run(run())


def test_tag_text_renders_literally(env, library):
    async def run():
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("2")
            await settle(app, pilot)
            view = app.screen.query_one(LibraryView)
            shown = [view.render_line(y).text for y in range(view.size.height)]
            assert any("[bold]Bold Claim[/]" in line for line in shown)
            assert any("[link=http://evil.example]click me[/link]" in line for line in shown)
            assert any("Red Alert" in line for line in shown)  # the colour codes removed whole
            assert not any("[31m" in line for line in shown)
            assert not any("\x1b" in line or "\t" in line for line in shown)
            # the same text through cards and the details modal
            await pilot.press("1")
            await settle(app, pilot)
            card = next(c for c in app.screen.query(Card) if c.item.title == HOSTILE[0])
            assert "[bold]Bold Claim[/]" in card.render().plain

    asyncio.run(run())


def test_home_rows_move_details_and_play_request(env, library):
    async def run():
        app = make_app(env)
        played = []
        app.playback.play = lambda ids, start=0, source="", label="": played.append(
            (ids, start, source)
        )
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            focused = app.screen.focused
            assert isinstance(focused, Card) and (focused.row, focused.col) == (0, 0)
            await pilot.press("right", "right", "down")
            focused = app.screen.focused
            assert (focused.row, focused.col) == (1, 2)
            assert focused.item.exploration
            await pilot.press("up", "left")
            assert (app.screen.focused.row, app.screen.focused.col) == (0, 1)
            await pilot.press("enter")
            assert (
                played and played[0][1] == 1 and played[0][2] == "weekly" and len(played[0][0]) == 8
            )
            await pilot.press("i")
            await pilot.pause()
            assert type(app.screen).__name__ == "DetailsScreen"
            details = dict(app.screen.rows)
            assert (
                details["why"].startswith("because you played")
                and "skipped" in details["your plays"]
            )
            await pilot.press("escape")
            assert type(app.screen).__name__ == "MainScreen"

    asyncio.run(run())


def test_settings_are_validated_and_persisted(env, library):
    async def run():
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("4")
            await settle(app, pilot)
            app.screen.query_one("#set-adventurousness", Input).value = "500"
            app.screen.query_one("#set-mix-weekly_size", Input).value = "40"
            app.screen.query_one("#save").press()
            await pilot.pause()
            assert not env.paths.config_file.exists()  # refused: nothing written
            app.screen.query_one("#set-adventurousness", Input).value = "70"
            app.screen.query_one("#set-player", Select).value = "mpd"
            app.screen.query_one("#save").press()
            await pilot.pause()
        config = load_config(env.paths.config_file)
        assert config.get("adventurousness") == 70
        assert config.get("mix.weekly_size") == 40
        assert config.get("player") == "mpd"

    asyncio.run(run())


def test_profiles_create_and_switch(env, library):
    async def run():
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("4")
            await settle(app, pilot)
            app.screen.query_one("#new-profile", Input).value = "sam"
            app.screen.query_one("#create-profile").press()
            await settle(app, pilot)
            assert app.env.profile_name == "sam"
            sam = app.profile_id
            assert sam != library["profile_id"]
            assert app.sub_title == "sam"
            # Stats follow the profile: sam has played nothing
            await pilot.press("3")
            await settle(app, pilot)
            assert "nothing played yet" in str(app.screen.query_one("#stats-year").render())
        assert load_config(env.paths.config_file).get("profile") == "sam"

    asyncio.run(run())


def test_help_shows_keys_of_the_current_screen(env, library):
    async def run():
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("2")
            await settle(app, pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            rows = app.screen.rows
            described = {desc for _, desc, _ in rows}
            assert {
                "Same artist",
                "Search",
                "Skip",
                "Like",
                "Ban",
                "Pause",
                "Quit",
                "Radio",
            } <= described
            await pilot.press("escape")
            await pilot.press("1")
            await settle(app, pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            where = {(desc, w) for _, desc, w in app.screen.rows}
            assert ("Details", "Home") in where and ("Same artist", "Library list") not in where

    asyncio.run(run())


def test_command_palette_offers_every_action(env, library):
    from tuneup.tui.commands import COMMANDS, TuneupCommands

    async def run():
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            provider = TuneupCommands(app.screen)
            hits = [h async for h in provider.search("library")]
            assert any("Library" in str(h.match_display) for h in hits)
            # every palette action exists on the app
            for _, action, _ in COMMANDS:
                name = action.split(".", 1)[1].split("(")[0]
                assert hasattr(app, f"action_{name}"), name
            hit = next(h for h in [h async for h in provider.search("go to stats")])
            await hit.command()
            await pilot.pause()
            assert app.screen.query_one("#tabs").active == "stats"

    asyncio.run(run())


def test_errors_are_notifications_not_tracebacks(env, library):
    async def run():
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)

            def broken(db, progress, cancel):
                raise RuntimeError("disk on fire")

            app.start_job("analyse", broken)
            await settle(app, pilot)
            messages = [n.message for n in app._notifications]
            assert any("disk on fire" in m for m in messages)
            assert app.is_running

    asyncio.run(run())


def test_a_half_done_wizard_comes_back(env, library):
    async def run():
        app = make_app(env, onboarding=True)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert type(app.screen).__name__ == "OnboardingScreen"
            await pilot.press("ctrl+q")
        assert needs_onboarding(env.db, library["profile_id"])
        assert env.db.execute("SELECT count(*) FROM taste_seeds").fetchone()[0] == 0

    asyncio.run(run())


def test_jobs_can_start_process_pools(env, library):
    """Scan, analysis and the demo use spawn pools; inside the app sys.stderr is not a real file."""

    class Sum(DictSummary):
        def line(self) -> str:
            return f"sum {self['sum']}"

    def pool_job(db, progress, cancel):
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(1) as pool:
            return Sum(sum=sum(pool.map(abs, [-1, -2, 3])))

    async def run():
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            app.start_job("analyse", pool_job)
            await settle(app, pilot)
            messages = [str(n.message) for n in app._notifications]
            assert any("analyse finished: sum 6" in m for m in messages), messages

    asyncio.run(run())


def test_details_of_a_mix_item_show_the_models_evidence(env, library, tmp_path):
    """The model's evidence for a pick reaches Details through the real rows (keys only)."""
    from tuneup.mixes.rows import build_rows
    from tuneup.tui.screens.details import evidence_rows
    from tuneup.tui.widgets.home import HomePane

    def real_rows(db, config, profile, profile_id):
        return list(build_rows(db, tmp_path / "model", profile_id, config=config))

    async def run():
        app = make_app(env, rows_loader=real_rows)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            for _ in range(100):  # the fit runs in Home's worker
                if app.screen.query_one(HomePane).mixes:
                    break
                await pilot.pause(0.1)
            kinds = [m.kind for m in app.screen.query_one(HomePane).mixes]
            assert "weekly" in kinds, kinds
            await pilot.press(*["down"] * kinds.index("weekly"))
            item = app.screen.focused.item
            assert item.evidence and item.reason
            await pilot.press("i")
            await pilot.pause()
            assert type(app.screen).__name__ == "DetailsScreen"
            assert app.screen.evidence_rows == evidence_rows(item.evidence)
            assert {name for name, _ in app.screen.evidence_rows} == set(item.evidence)

    asyncio.run(run())
