"""The TUI shows hostile tag text by the same display policy as the CLI (tuneup/text.py): no bidi
override or isolate, no C0/C1 control reaches the terminal, and a newline in a title stays on its card."""

from __future__ import annotations

import asyncio
import re

import pytest
from tuidata import TODAY, fill, mixes_from_db, settle

from tuneup.store import open_db, write
from tuneup.tui.app import create_app

SIZE = (160, 45)
TITLE_BIDI = "T-bidi \u202eevil\u202c \u2066iso\u2069 T-bidi-end"
ARTIST_C1 = "A-c1 next\x85line c1\x9b31mcsi c1\x9d0;pwned\x07osc rub\x7fout A-c1-end"
TITLE_NEWLINE = "T-newline line one\nline two\r\nthree\u2028four T-newline-end"
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def library(env):
    env.paths.ensure()
    ids = fill(env.paths.db_file)
    db = open_db(env.paths.db_file)
    first, second = ids["track_ids"][:2]
    with write(db):
        db.execute(
            "UPDATE items SET title = ?, artist = ? WHERE id = ?", [TITLE_BIDI, ARTIST_C1, first]
        )
        db.execute("UPDATE items SET title = ? WHERE id = ?", [TITLE_NEWLINE, second])
    db.conn.close()
    return ids


def screen_lines(app) -> list[str]:
    """What the terminal would be sent for the screen now: every line's text."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def check(lines: list[str], what: str) -> None:
    found = sorted({ch for line in lines for ch in UNSAFE.findall(line)})
    assert not found, f"{what}: {found!r}"
    # a title's line break did not start a screen line of its own
    assert not any(ln.lstrip("│▊ ").startswith(("line two", "three")) for ln in lines), what


def test_hostile_titles_reach_the_terminal_without_bidi_or_controls(env, library):
    async def run():
        app = create_app(env, rows_loader=mixes_from_db, today=TODAY)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(app, pilot)
            home = screen_lines(app)
            check(home, "home")
            assert any("T-bidi evil" in line for line in home), home  # the card is on screen
            await pilot.press("i")  # details of the focused card: the bidi title
            await pilot.pause()
            assert type(app.screen).__name__ == "DetailsScreen"
            details = screen_lines(app)
            check(details, "details")
            assert any("T-bidi evil iso T-bidi-end" in line for line in details), details
            assert any("A-c1 next line c1" in line for line in details), details
            await pilot.press("escape")
            await pilot.press("2")
            await settle(app, pilot)
            await pilot.press("slash")
            await pilot.press(*"t-")  # the two hostile titles only
            await pilot.pause()
            library_lines = screen_lines(app)
            check(library_lines, "library")
            text = "\n".join(library_lines)
            assert "T-newline line one line two three four" in text, text
            assert "T-bidi evil iso T-bidi-end" in text, text
            # an error toast that quotes a file name (every notify() goes through the app's)
            app.screen.notify("N-toast \u202eevil\x1b[2J\x9b N-toast-end", markup=False)
            await pilot.pause(0.3)
            toast = screen_lines(app)
            check(toast, "toast")
            assert any("N-toast evil" in line for line in toast), [
                ln for ln in toast if "toast" in ln
            ]

    asyncio.run(run())
