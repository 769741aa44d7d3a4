"""Liking or banning never freezes the app, even while another process holds the database's write lock."""

from __future__ import annotations

import asyncio
import time

from tuidata import TODAY, fill, mixes_from_db, settle

from tuneup.store import open_db
from tuneup.tui.app import create_app
from tuneup.tui.widgets.library_view import LibraryView


def test_like_while_the_database_is_locked_keeps_the_app_answering(env):
    env.paths.ensure()
    fill(env.paths.db_file)
    blocker = open_db(env.paths.db_file)  # another process's big import, holding the write lock

    async def run():
        app = create_app(env, rows_loader=mixes_from_db, today=TODAY, onboarding=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("2")
            await settle(app, pilot)
            view = app.screen.query_one(LibraryView)
            view.focus()
            await pilot.press("down")
            await pilot.pause()
            blocker.conn.execute("BEGIN IMMEDIATE")
            started = time.monotonic()
            await pilot.press("l")
            await pilot.press("3")  # Stats: answered while the like waits for the lock
            assert time.monotonic() - started < 2.0
            assert app.screen.query_one("#tabs").active == "stats"
            assert blocker.execute("SELECT count(*) FROM feedback").fetchone()[0] == 0
            blocker.conn.execute("COMMIT")
            deadline = time.monotonic() + 20
            while blocker.execute("SELECT count(*) FROM feedback").fetchone()[0] == 0:
                assert time.monotonic() < deadline, "the like was never written"
                await pilot.pause(0.05)
            await pilot.pause(0.2)
            assert any("Liked" in str(n.message) for n in app._notifications)

    try:
        asyncio.run(run())
    finally:
        blocker.conn.close()
    rows = env.db.execute("SELECT kind FROM feedback").fetchall()
    assert rows == [("like",)]


def test_a_like_that_cannot_be_saved_is_reported_not_lost_in_silence(tmp_path):
    from tuneup.tui.feedback_writer import FeedbackWriter

    told = []
    not_a_database = tmp_path / "db"
    not_a_database.mkdir()  # opening it fails
    writer = FeedbackWriter(not_a_database, lambda *args: told.append(args))
    writer.submit(1, 7, "like")
    writer.submit(1, 8, "ban")
    deadline = time.monotonic() + 10
    while len(told) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [(kind, item, label) for kind, item, label, _ in told] == [
        ("like", 7, None),
        ("ban", 8, None),
    ]
    assert all(error for *_, error in told)
    assert writer.flush(5)


def test_e_on_a_focused_item_excludes_it_from_the_taste(env):
    """One key (e) on the focused library row stores a track rule; the history stays."""
    env.paths.ensure()
    fill(env.paths.db_file)
    listens_before = env.db.execute("SELECT count(*) FROM listens").fetchone()[0]

    async def run():
        app = create_app(env, rows_loader=mixes_from_db, today=TODAY, onboarding=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("2")
            await settle(app, pilot)
            view = app.screen.query_one(LibraryView)
            view.focus()
            await pilot.press("down")
            await pilot.pause()
            await pilot.press("e")
            db = open_db(env.paths.db_file)
            try:
                deadline = time.monotonic() + 20
                while not db.execute("SELECT count(*) FROM taste_exclusions").fetchone()[0]:
                    assert time.monotonic() < deadline, "the exclusion was never written"
                    await pilot.pause(0.05)
                rule = db.execute("SELECT kind, value FROM taste_exclusions").fetchone()
            finally:
                db.conn.close()
            await pilot.pause(0.2)
            assert any("Excluded from your taste" in str(n.message) for n in app._notifications)
            return rule

    kind, value = asyncio.run(run())
    assert kind == "track" and value.isdigit()
    assert env.db.execute("SELECT count(*) FROM listens").fetchone()[0] == listens_before
