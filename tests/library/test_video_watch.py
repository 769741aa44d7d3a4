"""Watch progress: the completion rule, rewatching, per-profile state, next episode, the progress command."""

import itertools
import json

import pytest

from tuneup.config import Config
from tuneup.history import watch
from tuneup.library.video import series as lib
from tuneup.library.video.classify import store_series
from tuneup.store import profile_id
from tuneup.store.db import write
from tuneup.store.items import add_item as store_add_item

_paths = itertools.count(1)


def add_item(
    db, kind="movie", duration=3600.0, series_id=None, season=None, episode=None, title="x"
) -> int:
    return store_add_item(
        db,
        f"/v/{title}-{next(_paths)}-{season}-{episode}",
        path=f"/v/{title}",
        kind=kind,
        size=1,
        mtime_ns=1,
        duration=duration,
        series_id=series_id,
        season=season,
        episode=episode,
        title=title,
    )


def test_ninety_percent_rule():
    rule = watch.CompletionRule(ratio=0.9, credits_s=300)
    assert not rule.is_complete(6000, 7200)  # 2 h film: 20 min left
    assert rule.is_complete(6480, 7200)  # 90%
    assert not rule.is_complete(10, None)  # unknown length: never complete by position


def test_credits_allowance():
    rule = watch.CompletionRule(ratio=0.9, credits_s=300)
    assert rule.is_complete(2400 - 299, 2400)  # 40 min episode, less than 5 min left (87.5%)
    assert not rule.is_complete(2400 - 400, 2400)
    assert not rule.is_complete(60, 240)  # a 4 min clip is not finished after 1 min...
    assert rule.is_complete(216, 240)  # ...but at 90%
    assert watch.CompletionRule(0.95, 0).threshold(1000) == pytest.approx(950)


def test_rule_from_config():
    rule = watch.CompletionRule.from_config(
        Config({"video.complete_ratio": 0.8, "video.credits_seconds": 0})
    )
    assert rule.is_complete(80, 100) and not rule.is_complete(79, 100)


def test_progress_is_per_profile(db):
    item = add_item(db)
    alice, bob = profile_id(db, "alice"), profile_id(db, "bob")
    watch.record_progress(db, alice, item, 1200, at="2026-01-01T10:00:00+00:00")
    assert watch.get_progress(db, alice, item).position_s == 1200
    assert watch.get_progress(db, bob, item) is None
    [row] = watch.in_progress(db, alice)
    assert row["item_id"] == item and row["position_s"] == 1200 and row["duration_s"] == 3600
    assert watch.in_progress(db, bob) == []


def test_finish_counts_once_and_rewatch_keeps_history(db):
    item = add_item(db, duration=2400)
    me = profile_id(db)
    assert (
        watch.record_progress(db, me, item, 1000, at="2026-01-01T10:00:00+00:00").event
        == "progress"
    )
    done = watch.record_progress(db, me, item, 2200, at="2026-01-01T10:40:00+00:00")
    assert (done.event, done.completed, done.times_completed) == ("finished", True, 1)
    again = watch.record_progress(
        db, me, item, 2390, at="2026-01-01T10:41:00+00:00"
    )  # credits roll on
    assert (again.completed, again.times_completed) == (True, 1)
    restart = watch.record_progress(db, me, item, 30, at="2026-02-01T20:00:00+00:00")
    assert (restart.event, restart.completed, restart.times_completed) == ("restarted", False, 1)
    assert [r["item_id"] for r in watch.in_progress(db, me)] == [item]
    second = watch.record_progress(db, me, item, 2399, at="2026-02-01T20:40:00+00:00")
    assert (second.completed, second.times_completed) == (True, 2)
    history = watch.watch_history(db, me, item)
    assert [h["completed_at"] for h in history] == [
        "2026-01-01T10:40:00+00:00",
        "2026-02-01T20:40:00+00:00",
    ]
    assert history[0]["started_at"] == "2026-01-01T10:00:00+00:00"
    assert history[1]["started_at"] == "2026-02-01T20:00:00+00:00"


def test_mark_watched_and_unwatched(db):
    item = add_item(db, duration=100)
    me = profile_id(db)
    assert watch.mark_watched(db, me, item).times_completed == 1
    assert watch.mark_watched(db, me, item).times_completed == 1  # already watched: no double count
    watch.mark_unwatched(db, me, item)
    state = watch.get_progress(db, me, item)
    assert (
        not state.completed
        and state.times_completed == 1
        and len(watch.watch_history(db, me, item)) == 1
    )


def make_series(db, n=3, specials=1):
    with write(db):
        sid = store_series(db, {"title": "Serial", "year": 2020})
    eps = [add_item(db, "episode", 1500, sid, 1, e, f"e{e}") for e in range(1, n + 1)]
    sps = [add_item(db, "episode", 600, sid, 0, e, f"sp{e}") for e in range(1, specials + 1)]
    return sid, eps, sps


def test_next_episode_rewatch_aware(db):
    sid, eps, sps = make_series(db)
    me = profile_id(db)
    assert (lib.next_episode(db, me, sid)["id"], lib.next_episode(db, me, sid)["reason"]) == (
        eps[0],
        "start",
    )
    watch.record_progress(db, me, eps[0], 400, at="2026-01-01T10:00:00+00:00")
    assert lib.next_episode(db, me, sid)["reason"] == "resume"
    watch.record_progress(db, me, eps[0], 1500, at="2026-01-01T10:30:00+00:00")
    assert lib.next_episode(db, me, sid)["id"] == eps[1]
    watch.record_progress(
        db, me, sps[0], 600, at="2026-01-01T11:00:00+00:00"
    )  # a special: not in the order
    assert lib.next_episode(db, me, sid)["id"] == eps[1]
    for i, e in enumerate(eps[1:], start=1):
        watch.record_progress(db, me, e, 1500, at=f"2026-01-0{i + 1}T10:00:00+00:00")
    nxt = lib.next_episode(db, me, sid)
    assert (nxt["id"], nxt["reason"]) == (eps[0], "rewatch")
    watch.record_progress(db, me, eps[0], 100, at="2026-02-01T10:00:00+00:00")  # rewatch begins
    assert (lib.next_episode(db, me, sid)["id"], lib.next_episode(db, me, sid)["reason"]) == (
        eps[0],
        "resume",
    )
    watch.record_progress(db, me, eps[0], 1500, at="2026-02-01T10:30:00+00:00")
    assert (
        lib.next_episode(db, me, sid)["id"] == eps[1]
    )  # completed the first time round, next all the same
    assert watch.get_progress(db, me, eps[0]).times_completed == 2


def test_progress_command(tuneup_cmd, home, tmp_path):
    import shutil
    from pathlib import Path

    src = Path(__file__).parent.parent / "fixtures" / "video" / "episode.mp4"
    lib_dir = tmp_path / "lib"
    lib_dir.mkdir()
    video = lib_dir / "Fixture Show - S01E02.mp4"
    shutil.copyfile(src, video)
    tuneup_cmd("scan", lib_dir, "-q")
    state = json.loads(tuneup_cmd("progress", video, "--position", "0.5", "--json").stdout)
    assert (state["position_s"], state["completed"], state["event"]) == (0.5, False, "progress")
    [row] = json.loads(tuneup_cmd("progress", "--json").stdout)
    assert row["item_id"] == state["item_id"]
    done = json.loads(
        tuneup_cmd("progress", str(state["item_id"]), "--position", "0.95", "--json").stdout
    )
    assert done["completed"] and done["times_completed"] == 1 and len(done["history"]) == 1
    other = json.loads(
        tuneup_cmd("--profile", "kid", "progress", str(state["item_id"]), "--json").stdout
    )
    assert other["times_completed"] == 0
    bad = tuneup_cmd("progress", "/no/such/file.mkv", check=False)
    assert bad.returncode == 1 and "no such file in the library" in bad.stderr
