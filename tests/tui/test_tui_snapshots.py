"""What each main screen looks like: fixed size, fixed data, cursor blink off.

Driven by keys only, as a person would. Update after an intended change with:
pytest tests/tui/test_tui_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest
from tuidata import TODAY, fill, mixes_from_db, settle

from tuneup.tui.app import create_app

SIZE = (120, 40)


@pytest.fixture
def app(env):
    env.paths.ensure()
    fill(env.paths.db_file)
    return create_app(env, rows_loader=mixes_from_db, today=TODAY, onboarding=False)


def keys_then_settle(*keys):
    async def run_before(pilot) -> None:
        await settle(pilot.app, pilot, 0.2)
        for key in keys:
            await pilot.press(key)
            await settle(pilot.app, pilot, 0.2)

    return run_before


def test_home(app, snap_compare):
    # Home opens on the first card; down, right reaches row 1, card 1
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_settle("down", "right"))


def test_library(app, snap_compare):
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_settle("2", "down", "down"))


def test_library_search(app, snap_compare):
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_settle("2", "slash", *"bold"))


def test_stats(app, snap_compare):
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_settle("3"))


def test_settings(app, snap_compare):
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_settle("4"))


def test_help(app, snap_compare):
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_settle("2", "question_mark"))


def test_details(app, snap_compare):
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_settle("i"))


def test_onboarding_first_step(env, snap_compare):
    app = create_app(env, today=TODAY)
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_settle())
