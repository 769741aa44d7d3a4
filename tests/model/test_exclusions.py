"""Exclude from my taste: excluded events have exactly no influence on the model, and seasonal rules
keep their items out of generated mixes outside the season (unless they are the seed)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from mix_data import add_feedback, add_item, iso

from tuneup.mixes.catalog import banned_ids
from tuneup.mixes.radio import radio
from tuneup.model import api
from tuneup.store import exclusions, open_db, write
from tuneup.store.taste_version import taste_stamp

T0 = datetime(2026, 10, 1, tzinfo=timezone.utc)
AS_OF = (T0 + timedelta(days=40)).timestamp()
GENRES = ["jazz", "techno", "folk", "metal"]
PARTY = (T0 + timedelta(days=10), T0 + timedelta(days=10, hours=6))


def _library(db) -> None:
    """4 genres x 3 artists x 5 tracks, ids 1..60, one folder per genre; genre g = (id-1)//15."""
    for n in range(60):
        g, a = n // 15, (n % 15) // 5
        add_item(
            db,
            f"/m/{GENRES[g]}/{n + 1}.ogg",
            title=f"Song {n + 1}",
            artist=f"{GENRES[g]} band {a}",
            album=f"{GENRES[g]} album {a}",
            genres=[GENRES[g]],
        )


def _listen(db, item_id, when, *, end="finished", source="tuneup", artist=None):
    with write(db):
        db.execute(
            "INSERT INTO listens (item_id, profile_id, started_at, ms_played, duration_ms, end_reason,"
            " skipped, source, artist) VALUES (?, 1, ?, ?, 200000, ?, ?, ?, ?)",
            [
                item_id,
                iso(when),
                200_000 if end == "finished" else 5_000,
                end,
                int(end == "skipped"),
                source,
                artist,
            ],
        )


def _kept_history(db) -> None:
    """What the person wants to shape their taste: jazz and some folk, techno skipped."""
    t = T0
    for day in range(8):
        for iid in (1, 2, 6, 7, 3, 31, 32):
            _listen(db, iid, t)
            t += timedelta(minutes=4)
        _listen(db, 16 + day % 5, t, end="skipped")
        t += timedelta(days=1)
    add_feedback(db, 1, 8, "like", T0 + timedelta(days=2))


def _left_out_history(db) -> None:
    """What the rules take out: a party (metal, a like), a player hook's plays, one artist."""
    t = PARTY[0]
    for iid in range(46, 56):
        _listen(db, iid, t)
        t += timedelta(minutes=4)
    add_feedback(db, 1, 50, "like", PARTY[0] + timedelta(hours=1))
    for day in range(5):
        _listen(db, 20 + day, T0 + timedelta(days=20 + day), source="hook")
    for iid in (41, 42, 43, 44, 45):  # folk band 2 ("the kids used my profile")
        _listen(db, iid, T0 + timedelta(days=30, minutes=iid))
    _listen(db, None, T0 + timedelta(days=31), artist="Folk Band 2")  # imported, unmatched
    add_feedback(db, 1, 44, "like", T0 + timedelta(days=30))


def _rules(db) -> None:
    exclusions.add(db, 1, "window", iso(PARTY[0]), "last Saturday's party", extra=iso(PARTY[1]))
    exclusions.add(db, 1, "source", "hook", "source hook")
    exclusions.add(db, 1, "artist", "folk band 2", "artist folk band 2")


def _scores(model) -> tuple[np.ndarray, np.ndarray]:
    sig = model.signals(1)
    return sig.x, sig.x @ model.weights(1)


def test_excluded_events_have_exactly_no_influence(tmp_path):
    with_rules = open_db(tmp_path / "a.db")
    _library(with_rules)
    _kept_history(with_rules)
    _left_out_history(with_rules)
    _rules(with_rules)
    without = open_db(tmp_path / "b.db")
    _library(without)
    _kept_history(without)

    a = api.fit(with_rules, tmp_path / "ma", as_of=AS_OF)
    b = api.fit(without, tmp_path / "mb", as_of=AS_OF)
    xa, sa = _scores(a)
    xb, sb = _scores(b)
    assert np.array_equal(xa, xb) and np.array_equal(sa, sb)  # every item, every signal, exactly
    ra = a.recommend(1, 60, adventurousness=30, seed=3)
    rb = b.recommend(1, 60, adventurousness=30, seed=3)
    assert [(r.item_id, r.score) for r in ra] == [(r.item_id, r.score) for r in rb]
    assert a.taste(1).as_dict() == b.taste(1).as_dict()

    # the rules are what made the difference: without them the party and the hook shape the model
    for rule in exclusions.rules(with_rules, 1):
        exclusions.remove(with_rules, 1, rule.id)
    c = api.fit(with_rules, tmp_path / "mc", as_of=AS_OF)
    assert not np.array_equal(_scores(c)[1], sb)
    # history is untouched
    assert with_rules.execute("SELECT count(*) FROM listens").fetchone()[0] == 8 * 8 + 10 + 5 + 6


def test_each_rule_kind_names_its_items_and_events(db):
    _library(db)
    _kept_history(db)
    _left_out_history(db)
    genre = exclusions.add(db, 1, "genre", "metal", "genre metal")
    folder = exclusions.add(db, 1, "folder", "/m/techno", "folder /m/techno")
    album = exclusions.add(db, 1, "album", "jazz album 1", "album", extra="jazz band 1")
    track = exclusions.add(db, 1, "track", "7", "Song 7")
    playlist = exclusions.add(db, 1, "playlist", "/p.m3u", "party.m3u", extra="[3, 9]")
    assert exclusions.item_ids(db, genre) == set(range(46, 61))
    assert exclusions.item_ids(db, folder) == set(range(16, 31))
    assert exclusions.item_ids(db, album) == set(range(6, 11))
    assert exclusions.item_ids(db, track) == {7} and exclusions.item_ids(db, playlist) == {3, 9}
    left = exclusions.excluded_listens(db)
    kinds = db.execute(
        f"SELECT item_id FROM listens WHERE id IN ({','.join(map(str, left))})"
    ).fetchall()
    assert {r[0] for r in kinds} == {3, 6, 7} | set(range(16, 25)) | set(
        range(46, 56)
    )  # those with listens
    assert exclusions.excluded_feedback(db)  # the party's like of item 50 (metal)


def test_a_rule_and_its_undo_move_the_taste_version(db):
    _library(db)
    before = taste_stamp(db, 1)
    rule = exclusions.add(db, 1, "genre", "metal", "genre metal")
    middle = taste_stamp(db, 1)
    exclusions.remove(db, 1, rule.id)
    assert len({before, middle, taste_stamp(db, 1)}) == 3
    with pytest.raises(exclusions.NotFoundError):
        exclusions.remove(db, 1, rule.id)


def test_seasonal_items_are_in_no_mix_outside_the_season_unless_the_seed(db, tmp_path):
    _library(db)
    xmas = [
        add_item(
            db, f"/m/xmas/{n}.ogg", title=f"Carol {n}", artist=f"Choir {n}", genres=["Christmas"]
        )
        for n in range(24)  # more than a radio's seed sample, so some carols are not anchors
    ]
    _kept_history(db)
    for iid in xmas:
        _listen(db, iid, T0 + timedelta(days=3))
    rule = exclusions.add(db, 1, "genre", "christmas", "genre Christmas", season="12-01..12-26")
    assert rule.seasonal and "only 12-01 to 12-26" in rule.describe()
    november = datetime(2026, 11, 20, tzinfo=timezone.utc)
    december = datetime(2026, 12, 10, tzinfo=timezone.utc)
    assert set(xmas) <= banned_ids(db, 1, november)
    assert not set(xmas) & banned_ids(db, 1, december)
    assert exclusions.in_season("12-20..01-06", datetime(2027, 1, 2))  # a season across new year
    model = api.fit(db, tmp_path / "m", as_of=AS_OF)
    other = radio(db, model, 1, ["jazz band 0"], size=40, now=november)
    assert not {i.item_id for i in other.items} & set(xmas)
    seeded = radio(db, model, 1, ["Christmas"], size=10, now=november)
    assert {i.item_id for i in seeded.items} & set(xmas)  # the seed plays in any season


def test_bad_rules_are_refused_in_one_line(db):
    with pytest.raises(exclusions.ExclusionError, match="MM-DD"):
        exclusions.add(db, 1, "genre", "christmas", "x", season="December")
    with pytest.raises(exclusions.ExclusionError, match="unknown exclusion kind"):
        exclusions.add(db, 1, "mood", "sad", "x")
