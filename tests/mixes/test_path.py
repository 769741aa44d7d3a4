"""A path between songs on a library laid out in a known shape: tracks on a line one unit apart, so
the step limit is 1 and the walk is the line itself."""

from __future__ import annotations

import json

import numpy as np
import pytest
from mix_data import NOW, add_feedback, add_item

from tuneup.errors import NothingToMixError
from tuneup.mixes import path as paths
from tuneup.store import write


def _track(db, x, y=0.0, artist=None):
    iid = add_item(
        db, f"/m/{x}-{y}-{artist}.ogg", title=f"at {x},{y}", artist=artist or f"artist {x}-{y}"
    )
    with write(db):
        db.execute(
            "INSERT INTO features (item_id, version, computed_at, status, data, vector) "
            "VALUES (?, 2, '2026-01-01', 'ok', '{}', ?)",
            [iid, np.asarray([x, y], np.float32).tobytes()],
        )
    return iid


@pytest.fixture
def line(db):
    """x = 0..20 on a line; 5 and 6 by one artist, with a twin of 6 (another artist) at the same place;
    far away, a cluster that must never be visited."""
    ids = {x: _track(db, x, artist="same" if x in (5, 6) else None) for x in range(21)}
    ids["twin6"] = _track(db, 6, 0.0)
    for k in range(5):
        _track(db, 100 + k, 50.0)
    return ids


def test_a_path_walks_the_line_in_steps_within_the_limit(db, line):
    space = paths.load_space(db)
    assert paths.step_limit(space) == pytest.approx(1.0)
    mix = paths.make(db, 1, [str(line[0]), str(line[20])], size=21, now=NOW)
    got = [i.item_id for i in mix.items]
    expected = [line[x] for x in range(21)]
    expected[6] = line["twin6"]  # 6 is by the same artist as 5: its twin takes the step
    assert got == expected
    steps = [i.evidence["step_distance"] for i in mix.items[1:]]
    assert max(steps) <= 1.05 and all(i.evidence["within_limit"] for i in mix.items)
    assert len(set(got)) == len(got)
    artists = [i.artist for i in mix.items]
    assert all(a != b for a, b in zip(artists, artists[1:]))
    assert "0 steps over it" in mix.description


def test_via_a_waypoint_and_what_the_library_does_not_allow(db, line):
    mix = paths.make(db, 1, [str(line[0]), str(line[10]), str(line[4])], size=17, now=NOW)
    got = [i.item_id for i in mix.items]
    assert got[0] == line[0] and got[-1] == line[4] and line[10] in got
    assert got.index(line[10]) == 10  # 10 of the 16 steps on the longer leg
    short = paths.make(db, 1, [str(line[0]), str(line[20])], size=5, now=NOW)
    over = [i for i in short.items if not i.evidence["within_limit"]]
    assert (
        len(short.items) == 5 and over
    )  # 20 units in 4 steps: the limit cannot hold, and it says so


def test_bans_are_left_out_and_a_path_needs_analysed_tracks(db, line):
    add_feedback(db, 1, line[3], "ban")
    mix = paths.make(db, 1, [str(line[0]), str(line[20])], size=21, now=NOW)
    assert line[3] not in {i.item_id for i in mix.items}
    bare = add_item(db, "/m/bare.ogg", title="no features", artist="x")
    with pytest.raises(NothingToMixError, match="no audio features"):
        paths.make(db, 1, [str(line[0]), str(bare)], now=NOW)
    with pytest.raises(NothingToMixError, match="at least two"):
        paths.make(db, 1, [str(line[0])], now=NOW)


def test_the_cli_walks_a_path(tuneup_cmd, home, env):
    for x in range(6):
        _track(env.db, x)
    env.close()
    out = json.loads(tuneup_cmd("mix", "--path", "1", "6", "--size", "6", "--json").stdout)
    assert out["kind"] == "path" and [i["item_id"] for i in out["items"]] == [1, 2, 3, 4, 5, 6]
    assert all(i["evidence"]["within_limit"] for i in out["items"])
