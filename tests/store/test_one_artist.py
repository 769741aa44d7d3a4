""" "The Beatles" and "Beatles, The" are one artist for the model and for the mix artist caps
(store.items.artist_key; before issue 14 the caps casefolded the raw string and counted two)."""

from collections import Counter
from datetime import timedelta

from mix_data import NOW, add_item, add_listen, music_library

from tuneup.config import Config
from tuneup.mixes.weekly import weekly
from tuneup.model.api import fit
from tuneup.store import profile_id
from tuneup.store.items import artist_key


def beatles(db, spelling, n, start):
    return [
        add_item(
            db,
            f"/music/{spelling}/{t:02d}.flac",
            artist=spelling,
            album="Let It Be",
            title=f"Song {start + t}",
            genres=["synthwave"],
        )
        for t in range(n)
    ]


def test_one_artist_for_the_model_and_the_caps(db, tmp_path):
    pid = profile_id(db)
    music_library(db, artists=6, per_artist=12)
    the = beatles(db, "The Beatles", 12, 0)
    comma = beatles(db, "Beatles, The", 12, 100)
    for n, i in enumerate(the[:4] + comma[:4]):  # a person who plays the Beatles a lot
        for k in range(3):
            add_listen(db, pid, i, NOW - timedelta(days=5 + n + 7 * k))

    model = fit(db, tmp_path / "models")
    assert model.artist_idx[model.row(the[0])] == model.artist_idx[model.row(comma[0])]

    mix = weekly(db, tmp_path / "models", pid, now=NOW, config=Config({"mix.artist_cap": 2}))
    counts = Counter(artist_key(i.artist) for i in mix.items)
    assert counts["beatles"] == 2  # picked (the taste), but capped as one artist
    assert max(counts.values()) <= 2


def test_one_artist_in_the_listening_statistics(db):
    from tuneup.history.stats import top_artists, top_genres

    pid = profile_id(db)
    the, comma = beatles(db, "The Beatles", 2, 0), beatles(db, "Beatles, The", 1, 100)
    other = add_item(db, "/music/x.flac", artist="Air", genres=["Ambient / Chillout"])
    for i in the + comma + the + [other]:
        add_listen(db, pid, i, NOW - timedelta(days=1))
    assert top_artists(db, pid) == [("The Beatles", 5), ("Air", 1)]
    assert dict(top_genres(db, pid)) == {"synthwave": 5, "Ambient": 1, "Chillout": 1}
