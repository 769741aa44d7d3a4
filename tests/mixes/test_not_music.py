"""Two-second samples and second copies of one recording stay out of music mixes and `similar`
(issue 17): the real library has loops of 2 s and the same tracks as ogg and as mp3/flac/m4a."""

from datetime import timedelta

import numpy as np
import pytest
from mix_data import NOW, add_item, add_listen, music_library

from tuneup.config import Config
from tuneup.library.not_music import duplicate_ids, too_short_ids
from tuneup.library.sound.features import FEATURE_VERSION, VECTOR_NAMES
from tuneup.library.sound.similar import nearest
from tuneup.mixes.daily import daily
from tuneup.mixes.radio import radio
from tuneup.mixes.weekly import weekly
from tuneup.store import open_db, profile_id, write


@pytest.fixture
def db(tmp_path):
    d = open_db(tmp_path / "t.db")
    yield d
    d.conn.close()


def _library(db):
    lib = music_library(db, artists=12, per_artist=4)
    samples = [
        add_item(db, f"/samples/loop_{n}.flac", title=f"loop {n}", duration=2.0, genres=["jazz"])
        for n in range(6)
    ]
    with write(db):  # the same recording, transcoded: same tags, a few ms longer
        original = lib["Artist 01"][0]
        db.execute("UPDATE items SET format = 'ogg' WHERE id = ?", [original])
    copies = []
    for fmt in ("mp3", "m4a"):
        copy = add_item(
            db,
            f"/music/_transcoded/a01__song.{fmt}",
            title="Song 1-0",
            artist="Artist 01",
            genres=["jazz"],
            duration=200.3,
        )
        with write(db):
            db.execute("UPDATE items SET format = ? WHERE id = ?", [fmt, copy])
        copies.append(copy)
    untagged = add_item(db, "/music/forest/wisphunt.ogg", title="wisphunt", duration=66.1)
    twin = add_item(
        db, "/music/_transcoded/forest__wisphunt.mp3", title="forest wisphunt", duration=66.13
    )
    with write(db):
        db.execute("UPDATE items SET guessed = '[\"title\"]' WHERE id IN (?, ?)", [untagged, twin])
        db.execute("UPDATE items SET format = 'mp3' WHERE id = ?", [twin])
    return lib, samples, original, copies, untagged, twin


def test_samples_and_copies_are_found(db):
    lib, samples, original, copies, untagged, twin = _library(db)
    assert too_short_ids(db) == set(samples)
    assert duplicate_ids(db) == set(copies) | {twin}  # the ogg originals are kept
    assert too_short_ids(db, 1.0) == set()
    only_loops = open_db(":memory:")  # a folder of loops only still gets mixes of them
    for n in range(3):
        add_item(only_loops, f"/l/{n}.flac", duration=2.0)
    assert too_short_ids(only_loops) == set()


def test_mixes_leave_them_out(db, tmp_path):
    lib, samples, original, copies, untagged, twin = _library(db)
    pid = profile_id(db)
    add_listen(db, pid, lib["Artist 00"][0], NOW - timedelta(days=2))
    out = set(samples) | set(copies) | {twin}
    models = tmp_path / "models"
    picked = {i.item_id for i in weekly(db, models, pid, now=NOW).items}
    picked |= {i.item_id for m in daily(db, models, pid, now=NOW) for i in m.items}
    from tuneup.mixes.modelref import get_model

    model = get_model(db, models)
    picked |= {i.item_id for i in radio(db, model, pid, ["Artist 01"], now=NOW).items}
    assert picked and not picked & out
    everything = Config({"mix.min_seconds": 0})
    refreshed = weekly(db, models, pid, now=NOW, refresh=True, config=everything, size=80)
    assert set(samples) & {i.item_id for i in refreshed.items}  # the threshold is a setting


def test_similar_leaves_out_copies_of_the_seed_and_samples(db):
    lib, samples, original, copies, untagged, twin = _library(db)
    rng = np.random.default_rng(1)
    base = rng.normal(size=len(VECTOR_NAMES)).astype(np.float32)
    with write(db):
        for iid in [r[0] for r in db.execute("SELECT id FROM items")]:
            same = iid in copies or iid == original or iid in samples
            vector = (
                base if same else base + rng.normal(scale=0.5, size=len(base)).astype(np.float32)
            )
            db.execute(
                "INSERT INTO features (item_id, version, computed_at, status, vector) "
                "VALUES (?, ?, '2026-01-01', 'ok', ?)",
                [iid, FEATURE_VERSION, vector.astype(np.float32).tobytes()],
            )
    near = [r["item_id"] for r in nearest(db, original, k=10)]
    assert len(near) == 10 and not set(near) & (set(copies) | set(samples))
    every = [r["item_id"] for r in nearest(db, original, k=10, everything=True)]
    assert set(copies) <= set(every[:8])
