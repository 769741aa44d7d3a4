"""Model speed at scale: 100,000 items and 1,000,000 listens generated straight into SQLite.

    python bench/model.py [--items 100000] [--listens 1000000]

Reports the full fit (store -> saved .npz), load, recommend 50 in-process, peak RSS, and the peak RSS
of the same fit in a child process (``fit_in_child``, what the TUI runs).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def generate(db, n_items: int, n_listens: int, seed: int = 0) -> None:
    from tuneup.store import utcnow, write

    rng = np.random.default_rng(seed)
    genres = [f"genre {g}" for g in range(60)]
    n_artists = max(n_items // 12, 1)
    artist_genre = rng.integers(0, len(genres), n_artists)
    item_artist = rng.integers(0, n_artists, n_items)
    now = utcnow()
    with write(db):
        db.conn.executemany(
            "INSERT INTO items (id, path_raw, path, kind, size, mtime_ns, added_at, updated_at, title, artist, album, "
            "genres, year) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                (
                    i + 1,
                    f"/lib/{i}.flac".encode(),
                    f"/lib/{i}.flac",
                    "track",
                    1,
                    1,
                    now,
                    now,
                    f"Track {i}",
                    f"Artist {item_artist[i]}",
                    f"Album {item_artist[i]}-{i % 3}",
                    json.dumps([genres[artist_genre[item_artist[i]]]]),
                    1960 + i % 60,
                )
                for i in range(n_items)
            ),
        )
        vec = rng.normal(0, 1, (n_items, 16)).astype(np.float32)
        vec /= np.linalg.norm(vec, axis=1, keepdims=True)
        db.conn.executemany(
            "INSERT INTO features (item_id, version, computed_at, status, data, vector) VALUES (?,?,?,?,?,?)",
            ((i + 1, 1, now, "ok", None, vec[i].tobytes()) for i in range(n_items)),
        )
    # listening: Zipf-ish item popularity, sessions of ~15 plays by genre, 3 profiles, 4 years
    pop = 1.0 / np.arange(1, n_items + 1) ** 0.8
    pop /= pop.sum()
    items = rng.choice(n_items, n_listens, p=pop)
    start = datetime(2022, 1, 1, tzinfo=timezone.utc)
    span = 4 * 365 * 86400
    t = np.sort(rng.integers(0, span, n_listens))
    reasons = np.where(rng.random(n_listens) < 0.2, "skipped", "finished")
    profiles = rng.integers(1, 4, n_listens)
    with write(db):
        for pid in (2, 3):
            db.execute(
                "INSERT OR IGNORE INTO profiles (id, name, created_at) VALUES (?,?,?)",
                [pid, f"p{pid}", now],
            )
        db.conn.executemany(
            "INSERT INTO listens (item_id, profile_id, started_at, ms_played, duration_ms, end_reason,"
            " skipped, source) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (
                (
                    int(items[k]) + 1,
                    int(profiles[k]),
                    (start + timedelta(seconds=int(t[k]))).isoformat(timespec="seconds"),
                    200000 if reasons[k] == "finished" else 9000,
                    200000,
                    str(reasons[k]),
                    int(reasons[k] == "skipped"),
                    "bench",
                )
                for k in range(n_listens)
            ),
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--listens", type=int, default=1_000_000)
    ap.add_argument(
        "--reuse", type=Path, help="an earlier run's home: time recommend and the weekly mix only"
    )
    args = ap.parse_args()
    if args.reuse:
        print(json.dumps(_reuse(args.reuse), indent=2))
        return
    from tuneup.model.api import fit, fit_in_child, load_or_fit
    from tuneup.paths import get_paths
    from tuneup.store import open_db

    work = Path(tempfile.mkdtemp(prefix="tuneup-bench-model-"))
    paths = get_paths(work).ensure()  # the app's own layout, so `tuneup mix` finds it
    db = open_db(paths.db_file)
    t = time.perf_counter()
    generate(db, args.items, args.listens)
    gen_s = time.perf_counter() - t
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    fit(db, paths.model_dir)
    fit_s = time.perf_counter() - t
    rss_fit = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    model = load_or_fit(db, paths.model_dir)
    load_s = time.perf_counter() - t
    model.recommend(1, 50, not_played_days=60, seed=0)  # warm the profile state
    times = []
    for n in range(5):
        t = time.perf_counter()
        recs = model.recommend(1, 50, not_played_days=60, seed=n)
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    model.similar([recs[0].item_id], 50)
    sim_s = time.perf_counter() - t
    del model
    cold = load_or_fit(db, paths.model_dir)
    t = time.perf_counter()
    cold.recommend(2, 50, seed=0)
    cold_s = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    fit_in_child(
        db, work / "models-child"
    )  # what the TUI does: the fit's peak lives in a child process
    child_s = time.perf_counter() - t
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    weekly_s = _weekly_cli(work)
    print(
        json.dumps(
            {
                "items": args.items,
                "listens": args.listens,
                "generate_s": round(gen_s, 1),
                "fit_s": round(fit_s, 2),
                "load_s": round(load_s, 2),
                "recommend50_s_median": round(float(np.median(times)), 4),
                "recommend50_first_call_s": round(cold_s, 3),
                "similar50_s": round(sim_s, 4),
                "peak_rss_mb": round(rss),
                "rss_before_fit_mb": round(rss_before),
                "rss_after_fit_mb": round(rss_fit),
                "fit_in_child_s": round(child_s, 2),
                "fit_in_child_peak_rss_mb": round(child_rss),
                "model_file_mb": round(
                    paths.model_dir.joinpath("model.npz").stat().st_size / 2**20, 1
                ),
                "tuneup_mix_weekly_s": weekly_s,
            },
            indent=2,
        )
    )


def _reuse(home: Path) -> dict:
    """Against an earlier run's store and saved model: load, the first and later recommend-50, and
    `tuneup mix --weekly` end to end."""
    from tuneup.model.api import load_or_fit
    from tuneup.paths import get_paths
    from tuneup.store import open_db

    paths = get_paths(home)
    db = open_db(paths.db_file)
    t = time.perf_counter()
    model = load_or_fit(db, paths.model_dir, max_age=None)
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    model.recommend(1, 50, not_played_days=60, seed=0)
    first_s = time.perf_counter() - t
    times = []
    for n in range(5):
        t = time.perf_counter()
        model.recommend(1, 50, not_played_days=60, seed=n)
        times.append(time.perf_counter() - t)
    return {
        "home": str(home),
        "load_s": round(load_s, 2),
        "recommend50_first_call_s": round(first_s, 3),
        "recommend50_s_median": round(float(np.median(times)), 4),
        "tuneup_mix_weekly_s": _weekly_cli(home),
    }


def _weekly_cli(home: Path) -> list[float]:
    """`tuneup mix --weekly --refresh --json`, end to end (a fresh process each time; the saved
    model is fresh, so this is load + the person's model + the mix), three times."""
    import os
    import subprocess

    exe = str(Path(sys.executable).with_name("tuneup"))
    env = dict(os.environ, TUNEUP_HOME=str(home))
    out = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(
            [exe, "mix", "--weekly", "--refresh", "--json"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        out.append(round(time.perf_counter() - t, 2))
    return out


if __name__ == "__main__":
    main()
