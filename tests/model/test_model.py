"""The model: every recommender on a known answer, persistence, bans, cold start, reasons, exploration."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from tuneup.model import api
from tuneup.model.baselines import all_recommenders
from tuneup.model.dataset import FINISHED, Catalogue, Dataset, Events, Feedback
from tuneup.model.sources import item_tokens
from tuneup.store import utcnow, write
from tuneup.store.items import add_item

T0 = datetime(2026, 10, 1, tzinfo=timezone.utc)


def add_items(db, specs):
    """specs: list of (id, title, artist, album, genre)."""
    with write(db):
        for iid, title, artist, album, genre in specs:
            add_item(
                db, f"/m/{iid}.ogg", id=iid, title=title, artist=artist, album=album, genres=[genre]
            )


def add_listens(db, plays, profile=1):
    """plays: list of (item_id or None, datetime, end_reason[, artist])."""
    with write(db):
        for p in plays:
            iid, when, reason = p[:3]
            db.execute(
                "INSERT INTO listens (item_id, profile_id, started_at, ms_played, duration_ms, end_reason, "
                "skipped, source, artist, title) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    iid,
                    profile,
                    when.isoformat(timespec="seconds"),
                    200000 if reason == "finished" else 5000,
                    200000,
                    reason,
                    int(reason == "skipped"),
                    "test",
                    p[3] if len(p) > 3 else None,
                    "x",
                ],
            )


def library(db):
    """Four genres x 3 artists x 5 tracks: ids 1..60. Genre g = (id-1)//15."""
    genres = ["jazz", "techno", "folk", "metal"]
    specs = []
    for n in range(60):
        g, a = n // 15, (n % 15) // 5
        specs.append(
            (n + 1, f"Song {n + 1}", f"{genres[g]} band {a}", f"{genres[g]} album {a}", genres[g])
        )
    add_items(db, specs)


def sessions(items_per_session, start=T0, reason="finished"):
    plays, t = [], start
    for session in items_per_session:
        for iid in session:
            plays.append((iid, t, reason))
            t += timedelta(minutes=4)
        t += timedelta(hours=5)
    return plays


# ------------------------------------------------------------------------------ shared known-answer test


def known_answer_dataset() -> Dataset:
    """Items 1-5 are 'rock', 6-10 'jazz'. Nine profiles play all of 1-5 (item 5 the most popular of all);
    the test profile played 1-4 and should be offered 5 first by every model."""
    ids = np.arange(1, 11)
    genres = [["rock"]] * 5 + [["jazz"]] * 5
    cat = Catalogue(
        ids,
        ["track"] * 10,
        [f"t{i}" for i in ids],
        [""] * 10,
        [""] * 10,
        [item_tokens("track", genres=g) for g in genres],
        genres,
    )
    prof, item, when = [], [], []
    for p in range(1, 10):
        for k, i in enumerate([1, 2, 3, 4, 5] + ([6, 7] if p % 3 == 0 else [])):
            prof.append(p), item.append(i - 1), when.append(1000.0 * p + k)
    for p in range(20, 23):
        prof.append(p), item.append(4), when.append(50000.0 + p)
        prof.append(p), item.append(8), when.append(50001.0 + p)
    for k, i in enumerate([1, 2, 3, 4]):
        prof.append(100), item.append(i - 1), when.append(90000.0 + k)
    order = np.lexsort((np.asarray(item), np.asarray(when), np.asarray(prof)))
    n = len(prof)
    ev = Events(
        np.asarray(prof)[order],
        np.asarray(item, np.int64)[order],
        np.asarray(when)[order],
        np.full(n, FINISHED, np.int8),
        np.ones(n, np.float32),
        np.ones(n, np.float32),
    )
    return Dataset(cat, ev, Feedback.empty(), {}, {}, baskets="profile", as_of=float(max(when)))


@pytest.mark.parametrize("rec", all_recommenders(), ids=lambda r: r.name)
def test_every_model_finds_the_known_answer(rec):
    ds = known_answer_dataset()
    rec.fit(ds)
    scores = rec.scores(100).astype(float)
    scores[[0, 1, 2, 3]] = -np.inf  # seen
    assert int(np.argmax(scores)) == 4, f"{rec.name} ranked {np.argsort(-scores)[:3] + 1}"


# ------------------------------------------------------------------------------ store-backed model


def test_recommend_reasons_bans_and_similar(db, tmp_path):
    library(db)
    # jazz band 0 and 1 played together, finished; metal skipped.
    add_listens(db, sessions([[1, 2, 6, 7, 3]] * 6))
    add_listens(db, sessions([[46, 47]] * 3, start=T0 + timedelta(days=3), reason="skipped"))
    with write(db):
        db.execute(
            "INSERT INTO feedback (profile_id, item_id, kind, created_at) VALUES (1, 4, 'ban', ?)",
            [utcnow()],
        )
    model = api.fit(db, tmp_path / "models")
    recs = model.recommend(1, 10, unplayed=True, adventurousness=0, seed=1)
    ids = [r.item_id for r in recs]
    assert 4 not in ids and not set(ids) & {1, 2, 3, 6, 7, 46, 47}
    assert all(r.reason for r in recs)
    assert sum(1 for i in ids[:5] if i <= 15) >= 4, ids  # jazz first
    assert all(not (45 < i <= 60) for i in ids[:5])  # skipped metal last
    assert model.explain(1, 4).reason.startswith("you banned")
    similar = model.similar([1], 5, profile_id=1)
    assert (
        similar and 4 not in [r.item_id for r in similar] and 1 not in [r.item_id for r in similar]
    )
    assert any("alongside" in r.reason for r in similar)
    rec = model.explain(1, 8)
    assert (
        rec.reason
        and "features" in rec.evidence
        and set(rec.evidence["weights"]) >= {"collab", "content"}
    )


def test_artist_and_album_caps_and_near_duplicates(db, tmp_path):
    add_items(
        db,
        [
            (1, "Blue", "A", "X", "jazz"),
            (2, "Blue (Live)", "A", "Y", "jazz"),
            (3, "Blue - 2011 Remaster", "A", "Z", "jazz"),
        ]
        + [(10 + n, f"Song {n}", "A", "X", "jazz") for n in range(6)]
        + [(20 + n, f"Tune {n}", f"B{n}", "Q", "jazz") for n in range(6)]
        + [(40, "Seed", "S", "S", "jazz")],
    )
    add_listens(db, sessions([[40]] * 5))
    model = api.fit(db, tmp_path / "m")
    recs = model.recommend(1, 6, adventurousness=0, artist_cap=2, album_cap=None)
    ids = [r.item_id for r in recs]
    artists = [model.artists[model.row(i)] for i in ids]
    assert artists.count("A") <= 2
    assert len({1, 2, 3} & set(ids)) <= 1


def test_cold_start_is_a_diverse_sample_that_says_so(db, tmp_path):
    library(db)
    model = api.fit(db, tmp_path / "m")
    recs = model.recommend(1, 8, seed=3)
    assert len(recs) == 8
    assert all(r.evidence.get("cold_start") and "knows nothing" in r.reason for r in recs)
    genres = {(r.item_id - 1) // 15 for r in recs}
    assert genres == {0, 1, 2, 3}


def test_taste_seeds_and_unmatched_imports_count_as_signal(db, tmp_path):
    library(db)
    with write(db):
        db.execute(
            "INSERT INTO taste_seeds (profile_id, kind, value, created_at) VALUES (1, 'genre', 'Folk', ?)",
            [utcnow()],
        )
    model = api.fit(db, tmp_path / "m")
    recs = model.recommend(1, 5, adventurousness=0)
    assert all(31 <= r.item_id <= 45 for r in recs), [r.item_id for r in recs]
    assert any("picked" in r.reason for r in recs)
    # another profile with only imported, unmatched listens of "techno band 2"
    with write(db):
        db.execute("INSERT INTO profiles (id, name, created_at) VALUES (2, 'kid', ?)", [utcnow()])
    add_listens(
        db,
        [(None, T0 + timedelta(hours=h), "finished", "Techno Band 2") for h in range(10)],
        profile=2,
    )
    model = api.load_or_fit(db, tmp_path / "m")
    top = [
        r.item_id for r in model.recommend(2, 5, adventurousness=0, artist_cap=None, album_cap=None)
    ]
    assert set(top) <= set(range(16, 31)) and len(set(top) & set(range(26, 31))) >= 3, top


def test_exploration_is_flagged_and_follows_adventurousness(db, tmp_path):
    library(db)
    add_listens(db, sessions([[1, 2, 3, 6, 7, 8]] * 5))
    model = api.fit(db, tmp_path / "m")
    bold = model.recommend(1, 12, unplayed=True, adventurousness=100, seed=0)
    explored = [r for r in bold if r.exploration]
    assert len(explored) >= 4 and all(r.reason.startswith("exploration") for r in explored)
    assert all(r.item_id > 15 for r in explored)  # outside the comfort zone
    assert not any(
        r.exploration for r in model.recommend(1, 12, unplayed=True, adventurousness=0, seed=0)
    )


def test_taste_clusters_split_two_tastes(db, tmp_path):
    library(db)
    add_listens(
        db, sessions([[1, 2, 3, 4, 5, 6, 7, 8]] * 3 + [[46, 47, 48, 49, 50, 51, 52, 53]] * 3)
    )
    taste = api.fit(db, tmp_path / "m").taste(1, n_clusters=2)
    assert {g for g, _ in taste.top_genres[:2]} == {"jazz", "metal"}
    assert len(taste.clusters) == 2
    groups = [{(i - 1) // 15 for i in c.item_ids} for c in taste.clusters]
    assert sorted(map(sorted, groups)) == [[0], [3]]
    assert all(c.name for c in taste.clusters)


# ------------------------------------------------------------------------------ persistence


def test_persistence_fresh_stale_corrupt_old_version(db, tmp_path):
    library(db)
    add_listens(db, sessions([[1, 2, 3]] * 3))
    path = tmp_path / "m" / api.FILE_NAME
    first = api.load_or_fit(db, tmp_path / "m")
    assert path.exists()
    again = api.load_or_fit(db, tmp_path / "m")
    assert again.meta["fitted_at"] == first.meta["fitted_at"]  # loaded, not refitted
    assert [r.item_id for r in again.recommend(1, 5, seed=1)] == [
        r.item_id for r in first.recommend(1, 5, seed=1)
    ]
    # only new listens and a ban: added to the saved model without a full fit, and saved
    add_listens(db, sessions([[20]], start=T0 + timedelta(days=9)))
    top = first.recommend(1, 1, adventurousness=0)[0].item_id
    with write(db):
        db.execute(
            "INSERT INTO feedback (profile_id, item_id, kind, created_at) VALUES (1, ?, 'ban', ?)",
            [top, utcnow()],
        )
    refreshed = api.load_or_fit(db, tmp_path / "m")
    assert (
        refreshed.meta["fitted_at"] == first.meta["fitted_at"] and "refreshed_at" in refreshed.meta
    )
    assert refreshed.state(1).plays[refreshed.row(20)] == 1
    assert top not in [r.item_id for r in refreshed.recommend(1, 10, adventurousness=0)]
    assert api.load(path).meta.get("refreshed_at") == refreshed.meta["refreshed_at"]
    # the library changed: a full fit
    add_items(db, [(61, "New", "New Band", "New Album", "jazz")])
    stale = api.load_or_fit(db, tmp_path / "m")
    assert stale.meta["fitted_at"] > first.meta["fitted_at"] and stale.n_items == 61
    path.write_bytes(b"PK\x03\x04 not a zip at all")
    with pytest.raises(api.StaleModel):
        api.load(path)
    assert api.load_or_fit(db, tmp_path / "m").n_items == 61
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays["meta"]))
    meta["version"] = api.MODEL_VERSION - 1
    arrays["meta"] = np.asarray(json.dumps(meta))
    np.savez(path, **arrays)
    with pytest.raises(api.StaleModel, match="version"):
        api.load(path)
    assert api.load(api.fit(db, tmp_path / "m") and path).meta["version"] == api.MODEL_VERSION


def test_context_morning_differs_from_evening(db, tmp_path):
    library(db)
    plays = []
    for day in range(10):
        morning = datetime(
            2026, 10, 1 + day, 8, 0
        ).astimezone()  # local time, as the person lives it
        evening = datetime(2026, 10, 1 + day, 21, 0).astimezone()
        plays += [
            (1 + (day + k) % 5, morning + timedelta(minutes=4 * k), "finished") for k in range(3)
        ]
        plays += [
            (46 + (day + k) % 5, evening + timedelta(minutes=4 * k), "finished") for k in range(3)
        ]
    add_listens(db, plays)
    model = api.fit(db, tmp_path / "m")
    am = model.recommend(
        1, 4, unplayed=True, adventurousness=0, context=datetime(2026, 10, 20, 8, 30)
    )
    pm = model.recommend(
        1, 4, unplayed=True, adventurousness=0, context=datetime(2026, 10, 20, 21, 30)
    )
    assert all(r.item_id <= 15 for r in am), [r.item_id for r in am]  # jazz in the morning
    assert all(r.item_id > 45 for r in pm), [r.item_id for r in pm]  # metal in the evening
    assert any("morning" in r.reason for r in am) or any("evening" in r.reason for r in pm)


def test_exploration_learns_from_how_its_picks_fared(db, tmp_path):
    """Thompson sampling: a genre whose picks were skipped is explored less than one never tried."""
    library(db)
    add_listens(db, sessions([[1, 2, 3, 6, 7, 8, 11, 12]] * 5))
    add_listens(
        db, sessions([[16, 17, 18, 19, 20]] * 3, start=T0 + timedelta(days=5), reason="skipped")
    )
    model = api.fit(db, tmp_path / "m")
    techno = metal = 0
    for seed in range(20):
        for r in model.recommend(1, 12, unplayed=True, adventurousness=100, seed=seed):
            if r.exploration:
                techno += 16 <= r.item_id <= 30
                metal += 46 <= r.item_id <= 60
    assert metal > 2 * techno, (metal, techno)


def test_movies_are_similar_by_people_genres_and_plot(db, tmp_path):
    movies = [
        (
            1,
            "Heat",
            {
                "cast": ["Al Pacino", "Robert De Niro"],
                "directors": ["Michael Mann"],
                "genres": ["Crime"],
            },
            "A detective hunts a crew of bank robbers in Los Angeles.",
        ),
        (
            2,
            "Collateral",
            {
                "cast": ["Tom Cruise"],
                "directors": ["Michael Mann"],
                "genres": ["Crime", "Thriller"],
            },
            "A taxi driver is forced to drive a hitman around Los Angeles.",
        ),
        (
            3,
            "Up",
            {"cast": ["Ed Asner"], "directors": ["Pete Docter"], "genres": ["Animation"]},
            "An old man ties balloons to his house and flies to South America.",
        ),
        (
            4,
            "Cars",
            {"cast": ["Owen Wilson"], "directors": ["John Lasseter"], "genres": ["Animation"]},
            "A race car gets lost in a small town on Route 66.",
        ),
    ]
    with write(db):
        for iid, title, extra, plot in movies:
            add_item(
                db,
                f"/v/{iid}.mkv",
                id=iid,
                kind="movie",
                title=title,
                extra=extra,
                description=plot,
            )
    model = api.fit(db, tmp_path / "m")
    recs = model.similar([1], 3, kinds="movie")
    assert recs[0].item_id == 2 and recs[0].reason == "also directed by Michael Mann"
    assert model.similar([3], 1)[0].item_id == 4


def test_empty_library_and_unknown_items(db, tmp_path):
    model = api.fit(db, tmp_path / "m")
    assert model.recommend(1, 5) == [] and model.similar([1], 5) == []
    assert model.taste(1).clusters == []
    assert api.load_or_fit(db, tmp_path / "m").n_items == 0
    library(db)
    model = api.load_or_fit(db, tmp_path / "m")  # the library changed: refitted
    assert model.n_items == 60
    from tuneup.errors import NotFoundError

    with pytest.raises(NotFoundError, match="item 999"):
        model.explain(1, 999)


def test_refresh_only_when_rows_were_only_added():
    from tuneup.model.refresh import can_refresh

    base = "10/10;2/3;60/t1;0/None;0/None;1/1;0/0/0"
    assert can_refresh(base, "12/12;2/3;60/t1;0/None;0/None;1/1;0/0/0")  # two listens added
    assert can_refresh(base, "10/10;3/4;60/t1;0/None;0/None;1/1;0/0/0")  # a like added
    assert not can_refresh(base, base)  # nothing new
    assert not can_refresh(base, "9/10;2/3;60/t1;0/None;0/None;1/1;0/0/0")  # a listen deleted
    assert not can_refresh(base, "10/12;2/3;60/t1;0/None;0/None;1/1;0/0/0")  # replaced, not added
    assert not can_refresh(base, "12/12;2/3;61/t2;0/None;0/None;1/1;0/0/0")  # the library changed
    assert not can_refresh(base, "12/12;2/3;60/t1;0/None;0/None;1/1;1/1/1")  # an exclusion rule


def test_fit_in_child_saves_what_load_or_fit_then_trusts(db, tmp_path):
    """The app's fit runs in a child process; the parent loads the saved result and refits nothing."""
    from tuneup.model.api import fit_in_child, load_or_fit

    library(db)
    add_listens(db, sessions([[1, 2, 3], [16, 17]]))
    model = load_or_fit(db, tmp_path / "models", fitter=fit_in_child)
    assert (tmp_path / "models" / "model.npz").exists()
    assert len(model.item_ids) == db.execute("SELECT count(*) FROM items").fetchone()[0]

    def must_not_fit(*args, **kwargs):
        raise AssertionError("a fresh saved model was refitted")

    again = load_or_fit(db, tmp_path / "models", fitter=must_not_fit)
    assert list(again.item_ids) == list(model.item_ids)
