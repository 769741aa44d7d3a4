"""present() is the one "can be played" rule: a track analysis found undecodable is left out of the
model, the mixes, the rows, radio seeds and the wizard alike; listings of files (ls, stats) still
show it, by the ON_DISK scope they ask for on purpose."""

from datetime import datetime, timedelta, timezone

import pytest

from tuneup.errors import ItemNotFound
from tuneup.library.listing import list_items
from tuneup.library.stats import library_stats
from tuneup.mixes import seeds
from tuneup.mixes.catalog import mix_items
from tuneup.mixes.history_rows import new_in_library
from tuneup.mixes.onboard import artist_choices, genre_choices
from tuneup.model.api import fit
from tuneup.model.sources import from_db
from tuneup.store import profile_id, write
from tuneup.store.profiles import needs_onboarding
from tuneup.store.resolve import resolve
from tuneup.store.tallies import artist_counts, genre_counts

NOW = datetime(2026, 11, 26, 20, 0, tzinfo=timezone.utc)


@pytest.fixture
def broken(db, make_item):
    added = (NOW - timedelta(days=2)).isoformat(timespec="seconds")
    for n in range(6):
        make_item(title=f"Fine {n}", artist="Fine", genres=["ambient"], added_at=added)
    bad = make_item(title="Static", artist="Broken", genres=["noise"], added_at=added)
    with write(db):
        db.execute(
            "INSERT INTO features (item_id, version, computed_at, status, reason, undecodable) "
            "VALUES (?, 1, ?, 'no_signal', 'no decoder can read it', 1)",
            [bad, added],
        )
    return bad


def test_undecodable_is_left_out_wherever_items_play(db, broken, tmp_path):
    pid = profile_id(db)
    assert broken not in list(from_db(db).catalogue.item_ids)
    assert "noise" not in genre_counts(db) and "broken" not in artist_counts(db)
    assert ("noise", 1) not in genre_choices(db) and ("Broken", 1) not in artist_choices(db)
    assert mix_items(db, [(broken, "why", False)]) == []
    model = fit(db, tmp_path / "models")
    assert broken not in [e[0] for e in new_in_library(db, model, pid, NOW)]
    for text in ("noise", "Broken", "Broken - Static", str(broken)):
        with pytest.raises(ItemNotFound):
            seeds.resolve(db, text)
    with pytest.raises(ItemNotFound, match="cannot be decoded"):
        seeds.resolve(db, str(broken))
    assert resolve(db, str(broken)).id == broken  # a like or a ban may still name it


def test_an_undecodable_only_library_still_asks_the_wizard(db, make_item):
    pid = profile_id(db)
    assert needs_onboarding(db, pid)
    bad = make_item(title="Static")
    with write(db):
        db.execute(
            "INSERT INTO features (item_id, version, computed_at, status, undecodable) "
            "VALUES (?, 1, '2026-01-01', 'no_signal', 1)",
            [bad],
        )
    assert needs_onboarding(db, pid)
    make_item(title="Fine")
    assert not needs_onboarding(db, pid)


def test_file_listings_still_show_it(db, broken):
    assert broken in [i["id"] for i in list_items(db)]
    assert library_stats(db)["items"] == 7
