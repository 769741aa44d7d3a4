"""Simulated listeners: a person with a hidden taste lives with tuneup's weekly mix, through the app's
code path (onboard, log_play, set_feedback, fit, weekly), beside a random list."""

from __future__ import annotations

import numpy as np

from tuneup.simulate import KINDS, live, make_listener, make_world, run_tuneup


def test_tuneup_beats_random_and_still_discovers(tmp_path):
    mine = run_tuneup("genre-loyal", 3, tmp_path, weeks=2)
    world = make_world("genre-loyal", 3)
    rng = np.random.default_rng(0)

    def random_list(w, now, k):
        return [(int(r), False) for r in rng.choice(w.lib.n, k, replace=False)]

    rand = live(world, "random", random_list, weeks=2)
    for a, b in zip(mine, rand):
        assert a.expected_skip <= 0.7 * b.expected_skip, (a, b)
        assert a.never_played >= 0.3
        assert a.distinct_artists >= 10  # artist cap 2 over 30 items
        assert len(a.items) == 30


def test_every_kind_of_listener_is_distinct_and_answers_onboarding():
    world = make_world("genre-loyal", 0)
    lib = world.lib
    for kind in KINDS:
        p = make_listener(lib, kind, 11)
        assert p.onboarding_genres and p.onboarding_artists
        assert len(p.known) > 20
        u = p.p_finish(lib, np.arange(lib.n), 8)
        assert 0.05 < u.mean() < 0.7, kind  # some things they like, most they skip
    tod = make_listener(lib, "time-of-day", 11)
    assert not np.allclose(
        tod.utility(lib, np.arange(lib.n), 8), tod.utility(lib, np.arange(lib.n), 20)
    )
    drift = make_listener(lib, "drifting", 11)
    before = drift.genre_aff.copy()
    drift.apply_drift()
    fade, grow = drift.drift
    assert drift.genre_aff[fade] < before[fade] - 2 and drift.genre_aff[grow] > before[grow] + 2
