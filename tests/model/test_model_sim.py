"""Simulated listeners: tuneup's weekly list must beat a random one for a person with a hidden taste."""

from __future__ import annotations

import numpy as np

from tuneup.model.simulate import simulate, table


def test_hybrid_beats_random_and_still_discovers(tmp_path):
    results = simulate(tmp_path, ("hybrid", "random"), weeks=2, history_weeks=6, seed=7)
    by = {(r.strategy, r.week): r for r in results}
    for week in (1, 2):
        assert by[("hybrid", week)].skip_rate <= 0.7 * by[("random", week)].skip_rate, table(
            results
        )
    assert np.mean([by[("hybrid", w)].never_played for w in (1, 2)]) >= 0.3, table(results)
    assert all(
        by[("hybrid", w)].distinct_artists >= 10 for w in (1, 2)
    )  # artist cap 2 over 30 items
    assert "| hybrid | 2 |" in table(results)
