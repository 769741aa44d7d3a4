"""A stored mix is rebuilt when what it was built from changes, and kept while nothing did (issue 17).

The trap: the app built Discover Weekly before the wizard's picks were saved, and the week's copy won
over the picks; `scan; mix --weekly; onboard --genre X; mix --weekly` knew nothing of X.
"""

import json
from datetime import timedelta

import pytest
from mix_data import NOW, add_feedback, add_listen, music_library

from tuneup.history.events import set_feedback, undo_feedback
from tuneup.history.forget import forget
from tuneup.mixes.daily import daily
from tuneup.mixes.onboard import onboard
from tuneup.mixes.weekly import weekly
from tuneup.store import open_db, profile_id, utcnow, write
from tuneup.store.taste_version import taste_stamp


@pytest.fixture
def db(tmp_path):
    d = open_db(tmp_path / "t.db")
    yield d
    d.conn.close()


@pytest.fixture
def pid(db):
    return profile_id(db)


def _generated(db, pid, kind="weekly"):
    return [
        tuple(r)
        for r in db.execute(
            "SELECT name, generated_at, inputs FROM mixes WHERE profile_id = ? AND kind = ?",
            [pid, kind],
        )
    ]


def _rebuilt(db, tmp_path, pid, lib, change) -> bool:
    """Build the week's mix, make ``change``, build again an hour later: was it rebuilt?"""
    weekly(db, tmp_path / "models", pid, now=NOW)
    before = _generated(db, pid)
    change(db, pid, lib)
    weekly(db, tmp_path / "models", pid, now=NOW + timedelta(hours=1))
    return _generated(db, pid) != before


def _seed(db, pid, lib):
    onboard(db, pid, ["jazz"], [])


def _like(db, pid, lib):
    set_feedback(db, pid, lib["Artist 01"][0], "like")


def _dislike(db, pid, lib):
    set_feedback(db, pid, lib["Artist 01"][0], "dislike")


def _ban(db, pid, lib):
    set_feedback(db, pid, lib["Artist 02"][0], "ban")


def _forget(db, pid, lib):
    forget(db, pid, compact=False)


def _import(db, pid, lib):
    with write(db):
        db.execute(
            "INSERT INTO imports (format, source_path, sha256, imported_at) VALUES ('jspf', 'x', 'y', ?)",
            [utcnow()],
        )


def _folder(db, pid, lib):
    with write(db):
        db.execute("INSERT INTO roots (path, added_at) VALUES ('/more', ?)", [utcnow()])


@pytest.mark.parametrize(
    "change", [_seed, _like, _dislike, _ban, _forget, _import, _folder], ids=lambda f: f.__name__
)
def test_a_change_of_inputs_rebuilds_the_week(db, pid, tmp_path, change):
    lib = music_library(db, artists=12, per_artist=4)
    add_listen(db, pid, lib["Artist 00"][0], NOW - timedelta(days=3))
    assert _rebuilt(db, tmp_path, pid, lib, change)


def test_undo_rebuilds_and_plays_do_not(db, pid, tmp_path):
    lib = music_library(db, artists=12, per_artist=4)
    item = lib["Artist 03"][1]
    set_feedback(db, pid, item, "ban")
    assert _rebuilt(db, tmp_path, pid, lib, lambda d, p, _: undo_feedback(d, p, item, "ban"))
    assert _rebuilt(db, tmp_path, pid, lib, lambda d, p, _: set_feedback(d, p, item, "like"))
    assert _rebuilt(db, tmp_path, pid, lib, lambda d, p, _: undo_feedback(d, p, item, "like"))

    def plays(d, p, _):  # plays alone leave the week's mix as it was
        for n in range(3):
            add_listen(d, p, lib["Artist 05"][n], NOW - timedelta(minutes=10 * n))

    assert not _rebuilt(db, tmp_path, pid, lib, plays)
    assert not _rebuilt(db, tmp_path, pid, lib, lambda *_: None)


def test_stamp_is_per_profile_for_feedback_and_shared_for_folders(db, pid):
    other = profile_id(db, "other")
    lib = music_library(db, artists=2, per_artist=2)
    mine, theirs = taste_stamp(db, pid), taste_stamp(db, other)
    add_feedback(db, other, lib["Artist 00"][0], "like")
    assert taste_stamp(db, pid) == mine and taste_stamp(db, other) != theirs
    _folder(db, pid, lib)
    assert taste_stamp(db, pid) != mine


def test_daily_mixes_follow_the_wizard_too(db, pid, tmp_path):
    music_library(db, artists=12, per_artist=4)
    daily(db, tmp_path / "models", pid, now=NOW)
    before = _generated(db, pid, "daily")
    onboard(db, pid, ["folk"], [])
    mixes = daily(db, tmp_path / "models", pid, now=NOW + timedelta(hours=1))
    assert _generated(db, pid, "daily") != before
    assert any(
        "folk" in m.name.lower() or "folk" in (i.reason or "") for m in mixes for i in m.items
    )


def _weekly_json(tuneup_cmd) -> dict:
    return json.loads(tuneup_cmd("mix", "--weekly", "--json").stdout)


def test_cli_onboard_after_a_weekly_mix_is_heard(tuneup_cmd, home, tmp_path):
    """`scan; mix --weekly; onboard --genre X; mix --weekly` knows X (it used to keep the first mix)."""
    from media import make_audio

    music = tmp_path / "music"
    for n in range(12):
        genre = "Death Metal" if n % 3 == 0 else "Folk"
        make_audio(
            music / f"a{n % 6}" / f"{n:02d}.ogg",
            "ogg",
            {"title": f"Song {n}", "artist": f"Band {n % 6}", "album": "A", "genre": genre},
        )
    tuneup_cmd("scan", music)
    first = _weekly_json(tuneup_cmd)
    assert not any("you picked" in i["reason"] for i in first["items"])
    tuneup_cmd("onboard", "--genre", "death metal")
    second = _weekly_json(tuneup_cmd)
    picked = [i for i in second["items"] if "you picked: death metal" in i["reason"].lower()]
    assert len(picked) == 4  # every Death Metal track, each saying why
