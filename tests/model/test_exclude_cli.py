"""`tuneup exclude` as a person or a script runs it: add, list, undo, did-you-mean, and the rules
shown by `tuneup taste` and carried in `export-data`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from test_model import add_listens, library, sessions


def test_exclude_list_undo_taste_and_export(tuneup_cmd, home, env):
    db = env.db
    library(db)  # jazz/techno/folk/metal band 0-2, ids 1..60
    now = datetime.now(timezone.utc)
    add_listens(db, sessions([[1, 2, 3, 6, 7]] * 4, start=now - timedelta(days=20)))
    add_listens(db, sessions([[46, 47, 48]] * 4, start=now - timedelta(days=6)))
    env.close()
    before = json.loads(tuneup_cmd("taste", "--json").stdout)
    assert any(g == "metal" for g, _ in before["top_genres"])

    rule = json.loads(tuneup_cmd("exclude", "genre", "Metal", "--json").stdout)
    assert rule["kind"] == "genre" and rule["value"] == "metal" and rule["effect"] == "taste"
    party = tuneup_cmd(
        "exclude", "window", (now - timedelta(days=7)).date().isoformat(), now.date().isoformat()
    )
    assert "left out of your taste" in party.stderr and "--undo" in party.stderr
    xmas = json.loads(
        tuneup_cmd("exclude", "genre", "folk", "--only", "12-01..12-26", "--json").stdout
    )
    assert xmas["season"] == "12-01..12-26" and xmas["effect"] == "season"
    listed = json.loads(tuneup_cmd("exclude", "--json").stdout)
    assert [r["id"] for r in listed] == [rule["id"], rule["id"] + 1, xmas["id"]]
    assert "genre metal: left out of your taste" in tuneup_cmd("exclude").stdout

    after = json.loads(tuneup_cmd("taste", "--json").stdout)  # refits: the rules changed the stamp
    assert not any(g == "metal" for g, _ in after["top_genres"])
    assert [r["id"] for r in after["exclusions"]] == [r["id"] for r in listed]
    assert "excluded" in tuneup_cmd("taste").stdout
    export = json.loads(tuneup_cmd("export-data").stdout)
    assert [r["kind"] for r in export["taste_exclusions"]] == ["genre", "window", "genre"]

    undone = json.loads(tuneup_cmd("exclude", "--undo", str(rule["id"]), "--json").stdout)
    assert undone["undone"]["id"] == rule["id"]
    again = tuneup_cmd("exclude", "--undo", str(rule["id"]), check=False)
    assert again.returncode == 1 and "no such rule" in again.stderr


def test_exclude_refuses_what_names_nothing_with_did_you_mean(tuneup_cmd, home, env):
    library(env.db)
    env.close()
    bad = tuneup_cmd("exclude", "genre", "jaz", check=False)
    assert bad.returncode == 1 and "did you mean 'jazz'" in bad.stderr
    bad = tuneup_cmd("exclude", "artist", "jazz band 9", check=False)
    assert bad.returncode == 1 and "no artist" in bad.stderr and "did you mean" in bad.stderr
    bad = tuneup_cmd("exclude", "genre", "jazz", "--only", "December", check=False)
    assert bad.returncode == 1 and "MM-DD..MM-DD" in bad.stderr
    bad = tuneup_cmd("exclude", "mood", "sad", check=False)
    assert bad.returncode == 1 and "cannot exclude" in bad.stderr


def test_forget_a_cluster_of_the_taste(tuneup_cmd, home, env):
    db = env.db
    library(db)
    now = datetime.now(timezone.utc)
    add_listens(db, sessions([[1, 2, 3, 6, 7]] * 4, start=now - timedelta(days=20)))
    add_listens(db, sessions([[16, 17, 21, 22]] * 4, start=now - timedelta(days=10)))  # techno
    env.close()
    taste = json.loads(tuneup_cmd("taste", "--json").stdout)
    assert taste["clusters"]
    first = taste["clusters"][0]
    rule = json.loads(tuneup_cmd("taste", "--forget-cluster", "1", "--json").stdout)
    assert rule["kind"] == "playlist" and rule["label"].startswith("cluster 1:")
    after = json.loads(tuneup_cmd("taste", "--json").stdout)
    kept = {i for c in after["clusters"] for i in c["item_ids"]}
    played = {1, 2, 3, 6, 7, 16, 17, 21, 22}
    assert set(first["item_ids"]) & played  # the cluster was made of what was played
    assert not (set(first["item_ids"]) & played & kept)  # what it held no longer shapes the taste
    assert not after["top_genres"] or after["top_genres"] != taste["top_genres"]
    bad = tuneup_cmd("taste", "--forget-cluster", "99", check=False)
    assert bad.returncode == 1 and "clusters" in bad.stderr
