"""Model quality: MovieLens-100k offline metrics and the simulated listeners.

    python bench/quality.py [--skip-ml] [--skip-sim] [--seeds 6] [--weeks 4]

1. MovieLens-100k (fetched from PyPI inside the recbole wheel, never committed), each user's last 10
   ratings by time held out (ties broken by item id), every unseen item ranked: HR, Recall, NDCG @10 for
   tuneup's hybrid and every baseline.
2. Simulated listeners: the weekly discovery list (30 items, not played in 60 days) from each strategy,
   played by people with hidden tastes, averaged over ``--seeds`` people of two kinds ("genre" people,
   for whom genre and artist matter most, and "sound" people, for whom the sound does).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def movielens() -> list[dict]:
    import ml100k

    from tuneup.model.baselines import all_recommenders
    from tuneup.model.eval_holdout import evaluate, temporal_split
    from tuneup.model.sources import from_csv

    ds, _, _ = from_csv(ml100k.ensure())
    split = temporal_split(ds, 10)
    return [evaluate(rec, split, 10) for rec in all_recommenders()]


def simulated(seeds: int, weeks: int) -> dict:
    from tuneup.model.simulate import STRATEGIES, simulate

    rows: dict[tuple[str, int], list] = {}
    for seed in range(seeds):
        kind = "genre" if seed % 2 == 0 else "sound"
        with tempfile.TemporaryDirectory() as work:
            for r in simulate(Path(work), STRATEGIES, weeks=weeks, seed=100 + seed, person=kind):
                corr = r.extra.get("taste_corr")
                rows.setdefault((r.strategy, r.week), []).append(
                    (
                        r.skip_rate,
                        r.never_played,
                        r.distinct_artists,
                        r.expected_skip,
                        np.nan if corr is None else corr,
                    )
                )
    out = {}
    for (strategy, week), vals in sorted(rows.items()):
        v = np.asarray(vals)
        out.setdefault(strategy, []).append(
            {
                "week": week,
                "skip_rate": round(float(v[:, 0].mean()), 3),
                "never_played": round(float(v[:, 1].mean()), 3),
                "distinct_artists": round(float(v[:, 2].mean()), 1),
                "expected_skip": round(float(v[:, 3].mean()), 4),
                "taste_corr": None
                if np.isnan(v[:, 4]).all()
                else round(float(np.nanmean(v[:, 4])), 3),
            }
        )
    return out


def markdown(ml: list[dict] | None, sim: dict | None, seeds: int) -> str:
    lines = []
    if ml:
        lines += [
            "MovieLens-100k, last 10 per user held out, all unseen items ranked:",
            "",
            "| model | HR@10 | Recall@10 | NDCG@10 | fit s |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {r['model']} | {r['HR@10']:.3f} | {r['Recall@10']:.3f} | {r['NDCG@10']:.4f} | {r['fit_s']} |"
            for r in ml
        ]
        lines.append("")
    if sim:
        weeks = [w["week"] for w in next(iter(sim.values()))]
        lines += [
            f"Simulated listeners ({seeds} people, half genre-driven, half sound-driven), weekly list of 30, "
            "mean per week (skip rate / share never played / distinct artists):",
            "",
            "| strategy | " + " | ".join(f"week {w}" for w in weeks) + " |",
            "|---|" + "---|" * len(weeks),
        ]
        for strategy, rows in sim.items():
            cells = [
                f"{r['skip_rate']:.2f} / {r['never_played']:.2f} / {r['distinct_artists']:.0f}"
                for r in rows
            ]
            lines.append(f"| {strategy} | " + " | ".join(cells) + " |")
        last = {s: rows[-1] for s, rows in sim.items()}
        ratio = last["hybrid"]["skip_rate"] / max(last["random"]["skip_rate"], 1e-9)
        lines += [
            "",
            f"Week {weeks[-1]}: hybrid skip rate {last['hybrid']['skip_rate']:.2f} = {ratio:.2f}x random's "
            f"{last['random']['skip_rate']:.2f}; {last['hybrid']['never_played']:.0%} never played.",
        ]
        lines += [
            "",
            "The learned ranker in isolation (both without exploration), mean over people per week:",
            "",
            "| | " + " | ".join(f"week {w}" for w in weeks) + " |",
            "|---|" + "---|" * len(weeks),
        ]
        for label, key, fmt in (
            ("skip rate", "skip_rate", ".3f"),
            ("expected skip rate", "expected_skip", ".3f"),
            ("correlation of scores with the hidden taste", "taste_corr", ".3f"),
        ):
            for strategy in ("hybrid no exploration", "hybrid untrained"):
                name = "learned" if strategy == "hybrid no exploration" else "untrained"
                cells = [format(r[key], fmt) if r[key] is not None else "-" for r in sim[strategy]]
                lines.append(f"| {label}, {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-ml", action="store_true")
    ap.add_argument("--skip-sim", action="store_true")
    ap.add_argument("--seeds", type=int, default=6)
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    started = time.perf_counter()
    ml = None if args.skip_ml else movielens()
    sim = None if args.skip_sim else simulated(args.seeds, args.weeks)
    if args.json:
        print(json.dumps({"movielens": ml, "simulator": sim}, indent=2))
    else:
        print(markdown(ml, sim, args.seeds))
    print(f"\n({time.perf_counter() - started:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
