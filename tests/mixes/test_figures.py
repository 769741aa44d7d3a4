"""The figures reported with each mix, on hand-made mixes whose answers are counted by hand."""

from __future__ import annotations

from datetime import timedelta

from mix_data import NOW, add_item, add_listen, iso

from tuneup.mixes import saved
from tuneup.mixes.catalog import mix_items
from tuneup.mixes.figures import figures, min_artist_gap
from tuneup.mixes.types import Mix, Pick


def test_novelty_diversity_gap_and_repetition(db):
    ids = [
        add_item(db, f"/m/{n}.ogg", artist=f"artist {n % 4}", genres=["jazz" if n < 5 else "folk"])
        for n in range(10)
    ]
    for iid in ids[:3]:  # played before: not new
        add_listen(db, 1, iid, NOW - timedelta(days=2))
    add_listen(db, 1, ids[3], NOW + timedelta(days=1))  # played after the mix was made: still new
    last_week = saved.Stored(
        "Discover Weekly", "2026-W47", iso(NOW), [Pick(i, "") for i in ids[:2]], None
    )
    saved.save(db, 1, "weekly", "2026-W47", [last_week])
    picks = [Pick(i, "", n % 5 == 0) for n, i in enumerate(ids)]
    mix = Mix("weekly", "Discover Weekly", mix_items(db, picks), "default", iso(NOW), "2026-W48")
    got = figures(db, 1, mix)
    assert got["size"] == 10 and got["novelty"] == 0.7 and got["exploration"] == 0.2
    assert got["diversity"] == {"artists_per_item": 0.4, "genres": 2}
    assert got["min_artist_gap"] == 3  # artist n % 4: every fourth item
    assert got["repetition"] == 0.2  # two of last week's ten
    radio = Mix("radio", "Radio", mix_items(db, picks[:3]), "default", iso(NOW))
    assert figures(db, 1, radio)["repetition"] is None


def test_min_artist_gap():
    assert min_artist_gap(["a", "b", "a", "c", "b"]) == 1
    assert min_artist_gap(["a", "b", "c"]) is None
    assert min_artist_gap(["", "", "a"]) is None  # unknown artists are not "the same"


def test_space_artists_keeps_three_between_where_the_mix_allows():
    from tuneup.mixes.flow import space_artists

    items = list(range(8))
    artists = ["a", "a", "b", "b", "c", "d", "e", "f"]
    spaced = space_artists(items, artists)
    got = [artists[i] for i in spaced]
    assert min_artist_gap(got) >= 3 and sorted(spaced) == items
    assert space_artists([1, 2], ["a", "a"]) == [1, 2]  # one artist only: nothing to space


def test_transition_figures_count_tempo_and_key_neighbours():
    from tuneup.mixes.flow import Sound, key_compatible, tempo_close, transitions

    assert tempo_close(120, 128) and tempo_close(120, 62) and not tempo_close(120, 140)
    assert key_compatible((8, "A"), (9, "A")) and key_compatible((8, "A"), (8, "B"))
    assert key_compatible((12, "B"), (1, "B")) and not key_compatible((8, "A"), (10, "A"))
    sound = {
        1: Sound(120, None, (8, "A")),
        2: Sound(125, None, (9, "A")),  # close, compatible
        3: Sound(70, None, (3, "B")),  # neither near 125 nor near half of it; incompatible
        4: Sound(None, None, None),  # unknown: no pair
    }
    got = transitions([1, 2, 3, 4], sound)
    assert got == {"tempo_within_8pct": 0.5, "key_compatible": 0.5, "pairs": 2}
