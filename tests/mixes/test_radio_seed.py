"""Artist radio plays the artist (issue 17): the model's neighbours never include the seeds
themselves, so `mix --radio "Felix Brennan"` held none of Felix Brennan's tracks, and 14 of 20
reasons were one sentence."""

from collections import Counter

import pytest
from mix_data import music_library

from tuneup.errors import NotFoundError
from tuneup.mixes.modelref import get_model
from tuneup.mixes.radio import radio
from tuneup.store import open_db, profile_id


@pytest.fixture
def db(tmp_path):
    d = open_db(tmp_path / "t.db")
    yield d
    d.conn.close()


def test_artist_radio_holds_the_artists_tracks_and_varied_reasons(db, tmp_path):
    lib = music_library(db, artists=12, per_artist=6)
    pid = profile_id(db)
    mix = radio(db, get_model(db, tmp_path / "m"), pid, ["Artist 04"], size=20)
    own = [i for i in mix.items if i.artist == "Artist 04"]
    assert 3 <= len(own) <= 10 and {i.item_id for i in own} <= set(lib["Artist 04"])
    assert all("the radio's seed" in i.reason for i in own)
    reasons = Counter(i.reason for i in mix.items)
    assert reasons.most_common(1)[0][1] <= len(mix.items) // 2
    assert len(mix.items) == len({i.item_id for i in mix.items}) == 20


def test_a_misspelt_seed_gets_did_you_mean(db, tmp_path):
    music_library(db, artists=3, per_artist=2)
    with pytest.raises(NotFoundError, match="(?i)did you mean.*Artist 01"):
        radio(db, get_model(db, tmp_path / "m"), profile_id(db), ["Artsit 01"], size=5)
