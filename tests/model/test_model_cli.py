"""`tuneup eval`, `fit`, `recommend`, `why`, `taste` as a person or a script runs them."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta, timezone

from test_model import add_listens, library, sessions


def write_dataset(d):
    """Two camps of 15 profiles: items 1-6 and 7-12; each profile played its camp in order, by time."""
    d.mkdir()
    with open(d / "interactions.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["profile", "item", "timestamp"])
        for p in range(30):
            camp = range(1, 7) if p < 15 else range(7, 13)
            for k, item in enumerate(camp):
                w.writerow([f"u{p}", item, 1000 + k])  # same time for all: ties break by item id
    with open(d / "items.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["item", "title", "creator", "genres", "year"])
        for i in range(1, 14):
            w.writerow([i, f"Film {i}", "", "Drama|Crime" if i < 7 else "Comedy", 1990 + i])


def test_eval_reports_every_model_and_recommend_only(tmp_path, tuneup_cmd, home):
    d = tmp_path / "ds"
    write_dataset(d)
    out = tuneup_cmd("eval", d, "--holdout", "1", "--k", "3", "--json").stdout
    data = json.loads(out)
    names = [r["model"] for r in data["results"]]
    assert names == ["popularity", "content only", "item-kNN", "ALS", "EASE", "tuneup hybrid"]
    for r in data["results"]:
        assert r["profiles"] == 30 and {"HR@3", "Recall@3", "NDCG@3"} <= set(r)
    hybrid = data["results"][-1]
    assert hybrid["HR@3"] == 1.0  # the held-out item (6 or 12) is the only unseen one of the camp
    table = tuneup_cmd("eval", d, "--holdout", "1", "--models", "popularity,hybrid").stdout
    assert "tuneup hybrid" in table and "NDCG@10" in table
    recs = tmp_path / "recs.csv"
    tuneup_cmd("eval", d, "--recommend-only", "--k", "2", "--recs-out", recs)
    rows = list(csv.DictReader(open(recs)))
    assert len(rows) == 60 and set(rows[0]) == {"profile", "item", "rank", "score"}
    for r in rows:
        camp = range(1, 7) if int(r["profile"][1:]) < 15 else range(7, 13)
        assert int(r["item"]) not in camp  # seen items are excluded
    bad = tuneup_cmd("eval", tmp_path / "nowhere", check=False)
    assert bad.returncode == 1 and "interactions.csv: cannot read" in bad.stderr.replace("\n", "")


def test_fit_recommend_why_taste_and_self_eval(tuneup_cmd, home, env):
    db = env.db
    library(db)
    now = datetime.now(timezone.utc)
    add_listens(db, sessions([[1, 2, 3, 6, 7]] * 4, start=now - timedelta(days=20)))
    add_listens(db, sessions([[8, 9, 11]] * 2, start=now - timedelta(days=3)))
    env.close()
    fit = json.loads(tuneup_cmd("fit", "--json").stdout)
    assert fit["items"] == 60 and fit["profiles"] == 1
    recs = json.loads(
        tuneup_cmd("recommend", "-k", "5", "--unplayed", "--json", "--seed", "1").stdout
    )
    assert len(recs) == 5 and all(r["reason"] and r["path"] for r in recs)
    assert not {r["item_id"] for r in recs} & {1, 2, 3, 6, 7, 8, 9, 11}
    why = tuneup_cmd("why", "12").stdout
    assert "content" in why and "collab" in why
    taste = json.loads(tuneup_cmd("taste", "--json").stdout)
    assert taste["top_genres"][0][0] == "jazz" and taste["clusters"]
    me = json.loads(tuneup_cmd("eval", "--self", "--json").stdout)
    assert me["targets"] == 3 and me["hybrid"]["profiles"] == 1
    assert (
        me["hybrid"]["HR@10"] == 1.0
    )  # 8, 9, 11 are jazz, co-listened: last week's model sees them coming
