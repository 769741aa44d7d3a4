"""Likes, dislikes and bans from the keys, seen on the cards and undone; the palette, the library's
search and filters, and what the now-playing bar says it plays from (issue 17, the TUI findings)."""

from __future__ import annotations

import asyncio
import shutil
import time

import pytest
from tuidata import TODAY, fill, mixes_from_db, settle

from tuneup.store import profile_id
from tuneup.tui.app import create_app
from tuneup.tui.widgets.home import Card

SIZE = (120, 40)


@pytest.fixture
def library(env):
    env.paths.ensure()
    return fill(env.paths.db_file)


def make_app(env, **kwargs):
    kwargs.setdefault("rows_loader", mixes_from_db)
    kwargs.setdefault("today", TODAY)
    kwargs.setdefault("onboarding", False)
    return create_app(env, **kwargs)


async def wait_for(pilot, condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await pilot.pause(0.05)


def feedback(env, item_id):
    rows = env.db.execute("SELECT kind FROM feedback WHERE item_id = ? ORDER BY kind", [item_id])
    return [r[0] for r in rows]


def shown(widget) -> str:
    return str(widget.render())


def test_ban_takes_the_card_off_home_at_once_and_u_lifts_the_ban(env, library):
    async def run():
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("right")
            banned = app.screen.focused.item.item_id
            await pilot.press("x")
            await wait_for(pilot, lambda: feedback(env, banned) == ["ban"])
            await wait_for(
                pilot, lambda: all(c.item.item_id != banned for c in app.screen.query(Card))
            )
            assert isinstance(app.screen.focused, Card)  # the cursor stays on Home
            await pilot.press("u")
            await wait_for(pilot, lambda: feedback(env, banned) == [])
            assert any("Ban lifted" in str(n.message) for n in app._notifications)

    asyncio.run(run())


def test_like_and_dislike_show_on_the_card_and_a_second_press_takes_them_back(env, library):
    async def run():
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            card = app.screen.focused
            item = card.item.item_id
            assert "♥" not in shown(card)
            await pilot.press("l")
            await wait_for(pilot, lambda: "♥" in shown(card))
            assert feedback(env, item) == ["like"]
            await pilot.press("l")  # again: unlike
            await wait_for(pilot, lambda: "♥" not in shown(card))
            assert feedback(env, item) == []
            await pilot.press("d")
            await wait_for(pilot, lambda: "▼" in shown(card))
            assert feedback(env, item) == ["dislike"]
            await pilot.press("u")  # undo the dislike
            await wait_for(pilot, lambda: "▼" not in shown(card))
            assert feedback(env, item) == []

    asyncio.run(run())


def test_marks_are_there_when_the_app_opens(env, library):
    item = library["track_ids"][0]
    env.db.execute(
        "INSERT INTO feedback (profile_id, item_id, kind, created_at, source) "
        "VALUES (?, ?, 'like', '2026-11-01T00:00:00+00:00', 'cli')",
        [library["profile_id"], item],
    )
    env.db.conn.commit()

    async def run():
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            card = next(c for c in app.screen.query(Card) if c.item.item_id == item)
            assert shown(card).startswith("♥")

    asyncio.run(run())


def test_palette_reaches_mixes_profiles_and_feedback_and_lists_quit_once(env, library):
    from tuneup.tui.commands import TuneupCommands

    profile_id(env.db, "guest")
    played = []

    async def run():
        app = make_app(env)
        app.playback.play = lambda ids, start=0, source="", label="": played.append(label)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            provider = TuneupCommands(app.screen)
            titles = [t for t, _, _ in provider.entries]
            titles += [c.title for c in app.get_system_commands(app.screen)]
            assert titles.count("Quit") == 1
            for wanted in ("Like / unlike", "Ban / unban", "Dislike / undislike", "Radio"):
                assert any(t.startswith(wanted) for t in titles), wanted
            hit = max(
                [h async for h in provider.search("play discover weekly")], key=lambda h: h.score
            )
            await hit.command()
            await pilot.pause()
            assert played == ["Discover Weekly"]
            hit = max([h async for h in provider.search("profile guest")], key=lambda h: h.score)
            await hit.command()
            await pilot.pause()
            assert app.env.profile_name == "guest"

    asyncio.run(run())


def test_escape_in_the_library_search_gives_the_keys_back(env, library):
    async def run():
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("slash", "z", "z")
            await pilot.pause()
            search = app.screen.query_one("#library-search")
            assert search.value == "zz"
            await pilot.press("escape", "3")  # 3: the Stats tab, not a "3" in the search
            await pilot.pause()
            assert search.value == ""
            assert app.screen.query_one("#tabs").active == "stats"

    asyncio.run(run())


def test_the_library_filters_say_what_they_filter(env, library):
    async def run():
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("2")
            await settle(app, pilot)
            labels = [shown(s) for s in app.screen.query("SelectCurrent Static#label")]
            assert "kind: all" in labels and "played: all" in labels

    asyncio.run(run())


@pytest.mark.skipif(shutil.which("mpv") is None, reason="mpv is not installed")
def test_the_bar_says_which_mix_is_playing(env, tmp_path):
    from test_tui_playback import null_player, write_tracks

    from tuneup.library.scan.scanner import scan

    write_tracks(tmp_path / "music")
    scan(env.db, [str(tmp_path / "music")])

    def rows(db, config, profile, pid):
        from tuneup.tui.home_rows import fallback_rows

        mixes = fallback_rows(db, profile, pid)
        mixes[0].name = "Tones For Testing"
        return mixes

    async def run():
        app = create_app(env, player_factory=null_player, onboarding=False, rows_loader=rows)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("enter")
            line = app.screen.query_one("#np-line")
            await wait_for(pilot, lambda: "from Tones For Testing" in shown(line))
            await pilot.press("q")

    asyncio.run(run())


def test_help_lists_tuneups_keys_each_with_one_meaning(env, library):
    async def run():
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            rows = app.screen.rows
            described = {desc for _, desc, _ in rows}
            assert not {"Focus Next", "Focus Previous", "Left", "Right"} & described
            keys = [k.strip() for key, _, _ in rows for k in key.split(" / ")]
            assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
            meaning = {k.strip(): desc for key, desc, _ in rows for k in key.split(" / ")}
            assert meaning["←"] == "Card to the left"

    asyncio.run(run())


def test_wizard_lists_show_picked_apart_and_have_a_cursor_from_the_start():
    from textual.app import App
    from textual.widgets.selection_list import Selection

    from tuneup.tui.widgets.pick_list import PickList

    class One(App):
        def compose(self):
            yield PickList(id="genre-list")

        def on_mount(self):
            lst = self.query_one(PickList)
            lst.add_options([Selection("jazz  (3)", "jazz"), Selection("folk  (2)", "folk")])
            lst.focus()

    async def run():
        app = One()
        async with app.run_test(size=(40, 6)) as pilot:
            await pilot.press("space")  # no Down first: the cursor is already on the first line
            await pilot.pause()
            lst = app.query_one(PickList)
            assert lst.selected == ["jazz"]
            picked, not_picked = (lst.render_line(y).text for y in (0, 1))
            assert "✓" in picked and "jazz" in picked
            assert "✓" not in not_picked and "X" not in not_picked and "folk" in not_picked

    asyncio.run(run())


def test_library_rows_show_likes_and_bans(env, library):
    from tuneup.tui.widgets.library_view import LibraryView

    async def run():
        app = make_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("2")
            await settle(app, pilot)
            view = app.screen.query_one(LibraryView)
            view.focus()
            await pilot.press("down")
            await pilot.pause()
            item = view.current_id
            y = view.cursor - int(view.scroll_offset.y)
            assert "♥" not in view.render_line(y).text
            await pilot.press("l")
            await wait_for(pilot, lambda: "♥" in view.render_line(y).text)
            await pilot.press("x")
            await wait_for(pilot, lambda: "⊘" in view.render_line(y).text)
            assert feedback(env, item) == ["ban", "like"]

    asyncio.run(run())
