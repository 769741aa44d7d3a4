"""Rows that are plain history queries: on repeat, rediscover, new, continue watching (series, rewatch)."""

from datetime import timedelta

import pytest
from mix_data import NOW, add_feedback, add_item, add_listen, add_series, iso, music_library, watch

from tuneup.mixes import episodes, history_rows
from tuneup.store import profile_id


@pytest.fixture
def pid(db):
    return profile_id(db)


def test_on_repeat_counts_last_30_days_without_skips(db, pid):
    lib = music_library(db, artists=3, per_artist=3)
    a, b, c = lib["Artist 00"][0], lib["Artist 01"][0], lib["Artist 02"][0]
    for d in range(5):
        add_listen(db, pid, a, NOW - timedelta(days=d + 1))
    for d in range(3):
        add_listen(db, pid, b, NOW - timedelta(days=d + 1))
    for d in range(9):
        add_listen(
            db, pid, c, NOW - timedelta(days=d + 1), end="skipped", ms=5000
        )  # skips don't count
    add_listen(db, pid, c, NOW - timedelta(days=60))  # too old
    rows = history_rows.on_repeat(db, pid, NOW)
    assert [r[0] for r in rows] == [a, b]
    assert rows[0][1] == "you played it 5 times in the last 30 days"


def test_rediscover_loved_long_ago_not_heard_lately(db, pid, tmp_path):
    lib = music_library(db, artists=4, per_artist=2)
    old_fav, recent_fav, liked, banned = (lib[f"Artist 0{i}"][0] for i in range(4))
    for d in range(6):
        add_listen(db, pid, old_fav, NOW - timedelta(days=400 + d))
        add_listen(db, pid, recent_fav, NOW - timedelta(days=400 + d))
        add_listen(db, pid, banned, NOW - timedelta(days=400 + d))
    add_listen(db, pid, recent_fav, NOW - timedelta(days=3))
    add_feedback(db, pid, liked, "like", NOW - timedelta(days=300))
    add_feedback(db, pid, banned, "ban")
    from tuneup.model.api import fit

    model = fit(db, tmp_path / "models", as_of=NOW.timestamp())
    rows = history_rows.rediscover(model, pid, NOW)
    assert [r[0] for r in rows] == [old_fav, liked]
    assert rows[0][1] == f"you played it 6 times, last on {(NOW - timedelta(days=400)).date()}"


def test_new_in_library_unplayed_recent_and_spread_over_albums(db, pid, tmp_path):
    new = [
        add_item(db, f"/m/new/{i}.mp3", album="Fresh", added_at=NOW - timedelta(days=2))
        for i in range(5)
    ]
    other = add_item(db, "/m/new/x.mp3", album="Other", added_at=NOW - timedelta(days=1))
    old = add_item(db, "/m/old.mp3", added_at=NOW - timedelta(days=90))
    played = add_item(db, "/m/new/p.mp3", added_at=NOW - timedelta(days=1))
    add_listen(db, pid, played, NOW - timedelta(hours=3))
    from tuneup.model.api import fit

    rows = history_rows.new_in_library(db, fit(db, tmp_path / "models"), pid, NOW)
    ids = [r[0] for r in rows]
    assert ids[0] == other and len([i for i in ids if i in new]) == 2
    assert old not in ids and played not in ids
    assert rows[0][1] == "new in your library: added yesterday"


def test_continue_watching_in_progress_then_next_episode(db, pid):
    sid, eps = add_series(db, "Show", (3, 2), specials=1)
    movie = add_item(db, "/films/Film.mkv", kind="movie", duration=6000.0)
    watch(db, pid, eps[(1, 1)], NOW - timedelta(days=3))
    watch(db, pid, eps[(1, 2)], NOW - timedelta(days=2))
    watch(db, pid, movie, NOW - timedelta(days=1), position=1800, duration=6000, completed=False)
    rows = history_rows.continue_watching(db, pid)
    assert [r[0] for r in rows] == [movie, eps[(1, 3)]]
    assert rows[0][1] == "you stopped at 30 min, 70 min left"
    assert rows[1][1] == "next episode of Show"
    # across seasons, and specials are not "next"
    watch(db, pid, eps[(1, 3)], NOW - timedelta(hours=5))
    assert episodes.next_episodes(db, pid)[0][2]["id"] == eps[(2, 1)]
    # finished the series: nothing to continue
    watch(db, pid, eps[(2, 1)], NOW - timedelta(hours=4))
    watch(db, pid, eps[(2, 2)], NOW - timedelta(hours=3))
    assert episodes.next_episodes(db, pid) == []
    assert [r[0] for r in history_rows.continue_watching(db, pid)] == [movie]


def test_in_progress_episode_is_not_offered_twice(db, pid):
    sid, eps = add_series(db, "Show", (3,))
    watch(db, pid, eps[(1, 1)], NOW - timedelta(days=2))
    watch(db, pid, eps[(1, 2)], NOW - timedelta(days=1), position=600, completed=False)
    assert [r[0] for r in history_rows.continue_watching(db, pid)] == [eps[(1, 2)]]


def test_rewatch_follows_the_latest_watch_not_the_completed_flags(db, pid):
    from tuneup.history.watch import record_progress

    sid, eps = add_series(db, "Show", (4,))
    for n in range(1, 5):
        record_progress(db, pid, eps[(1, n)], 2700, at=iso(NOW - timedelta(days=100 - n)))
    assert history_rows.continue_watching(db, pid) == []
    # starting again from the top: episode 1 restarted, then finished a second time
    record_progress(db, pid, eps[(1, 1)], 60, at=iso(NOW - timedelta(days=1, hours=1)))
    assert history_rows.continue_watching(db, pid) == [
        (eps[(1, 1)], "you stopped at 1 min, 44 min left", False)
    ]
    record_progress(db, pid, eps[(1, 1)], 2700, at=iso(NOW - timedelta(days=1)))
    assert history_rows.continue_watching(db, pid) == [
        (eps[(1, 2)], "next episode of Show (rewatching)", False)
    ]


def test_a_recommended_series_starts_at_its_next_unwatched_episode(db, pid):
    sid, eps = add_series(db, "Show", (2, 2), specials=1)
    assert episodes.series_entry(db, pid, sid)["id"] == eps[(1, 1)]
    watch(db, pid, eps[(1, 1)], NOW - timedelta(days=5))
    watch(db, pid, eps[(1, 2)], NOW - timedelta(days=4))
    assert episodes.series_entry(db, pid, sid)["id"] == eps[(2, 1)]
    for n, key in enumerate([(2, 1), (2, 2)]):
        watch(db, pid, eps[key], NOW - timedelta(days=3 - n))
    entry = episodes.series_entry(db, pid, sid)
    assert (entry["id"], entry["reason"]) == (eps[(1, 1)], "rewatch")  # all seen: from the top


def test_daypart_favourites_use_local_time(db, pid, monkeypatch):
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    lib = music_library(db, artists=2, per_artist=1)
    morning, night = lib["Artist 00"][0], lib["Artist 01"][0]
    for d in range(4):
        add_listen(db, pid, morning, (NOW - timedelta(days=d + 1)).replace(hour=8))
        add_listen(db, pid, night, (NOW - timedelta(days=d + 1)).replace(hour=23))
    assert history_rows.daypart(NOW.replace(hour=8))[0] == "Morning"
    assert [r[0] for r in history_rows.daypart_favourites(db, pid, NOW.replace(hour=9))] == [
        morning
    ]
    assert [r[0] for r in history_rows.daypart_favourites(db, pid, NOW.replace(hour=1))] == [night]


def test_onboard_matches_the_library_spelling_and_replaces_or_adds(db, pid, tmp_path):
    from tuneup.errors import ImportFormatError
    from tuneup.mixes.onboard import onboard, seeds

    add_item(db, "/m/a.mp3", artist="Sigur Rós", genres=["Post-Rock"])
    s = onboard(db, pid, ["post-rock", "Polka"], ["sigur ros"])
    assert seeds(db, pid) == [("artist", "Sigur Rós"), ("genre", "Polka"), ("genre", "Post-Rock")]
    assert s.unmatched_genres == ["Polka"] and s.unmatched_artists == [] and s.seed_items == 2
    onboard(db, pid, ["Post-Rock"], [])
    assert seeds(db, pid) == [("genre", "Post-Rock")]  # the wizard's picks are the whole answer
    onboard(db, pid, [], ["Sigur Rós"], replace=False)
    assert len(seeds(db, pid)) == 2
    with pytest.raises(ImportFormatError, match="cannot tell the history format"):
        onboard(db, pid, [], [], tmp_path / "history.bin")
