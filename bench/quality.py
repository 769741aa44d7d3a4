"""Model quality, one command: MovieLens-100k under four protocols and a family of simulated listeners,
tuneup beside every baseline in the same run, every row side by side, the targets checked.

    nice python bench/quality.py [--sim-seeds 3] [--weeks 8] [--ml-seeds 3] [--skip-ml] [--skip-sim]
                                 [--kinds genre-loyal,drifting] [--cli-check] [--out FILE]

1. MovieLens-100k (``bench/ml100k.py`` fetches it; never committed): temporal last-10, temporal
   last-1, random 80/20 (``--ml-seeds`` seeds, mean +- standard error over seeds) and a global time
   split; every model's hyperparameters chosen on a validation split carved from the training data
   (``bench/ml_protocols.py``), never from the test split.
2. Simulated listeners (``tuneup/simulate.py``): 8 kinds x ``--sim-seeds`` people, each living
   ``--weeks`` weeks with tuneup through the app's code path (onboard, weekly mix, plays logged,
   likes, bans) and, separately, with each baseline (``bench/sim_baselines.py``) and the oracle.
   The figure is the weekly mix's expected skip rate under the hidden taste (no sampling noise).
3. ``--cli-check``: two listeners live 3 weeks through the `tuneup` command itself (under faketime)
   and, with the same seeds, in process; the weekly lists must be the same.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
os.environ["TZ"] = (
    "UTC"  # the simulated listeners live in UTC; the model's day parts follow local time
)
time.tzset()

ASKED_EXPLORATION = 0.15  # adventurousness 30 (the default) x 0.5 at the maximum


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------- MovieLens


def movielens(seeds: int, protocols=None) -> dict[str, list]:
    import ml100k
    from ml_protocols import PROTOCOLS, summarise, tune_and_test

    from tuneup.model.sources import from_csv

    ds, _, _ = from_csv(ml100k.ensure())
    out = {}
    for protocol in protocols or PROTOCOLS:
        n = seeds if protocol == "random-80/20" else 1
        runs = [tune_and_test(ds, protocol, s, log) for s in range(n)]
        out[protocol] = summarise(runs)
    return out


def ml_markdown(ml: dict[str, list], seeds: int) -> list[str]:
    models = [r.model for r in next(iter(ml.values()))]
    lines = [
        "MovieLens-100k, NDCG@10 (HR@10 below), every unseen item ranked; +- is the standard error "
        f"(over {seeds} seeds for random 80/20, over users otherwise); settings chosen on validation "
        "from the training data:",
        "",
        "| model | " + " | ".join(ml) + " |",
        "|---|" + "---|" * len(ml),
    ]
    for m in models:
        cells = []
        for rows in ml.values():
            r = next(x for x in rows if x.model == m)
            cells.append(f"{r.ndcg:.4f} +- {r.ndcg_se:.4f} (HR {r.hr:.3f})")
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    lines += ["", "Settings picked on validation, and fit time on the full training data:", ""]
    for protocol, rows in ml.items():
        lines.append(
            f"- {protocol}: " + "; ".join(f"{r.model} {r.setting} ({r.fit_s:.1f} s)" for r in rows)
        )
    lines += [
        "",
        "tuneup minus each baseline, NDCG@10, paired over users (and seeds), +- standard error:",
        "",
        "| baseline | " + " | ".join(ml) + " |",
        "|---|" + "---|" * len(ml),
    ]
    for m in models:
        if m == "tuneup":
            continue
        cells = []
        for rows in ml.values():
            r = next(x for x in rows if x.model == m)
            mark = "win" if r.diff > r.diff_se else ("loss" if r.diff < -r.diff_se else "tie")
            cells.append(f"{r.diff:+.4f} +- {r.diff_se:.4f} {mark}")
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    return lines


# ---------------------------------------------------------------------------------- simulator


def simulated(kinds, seeds: int, weeks: int, work: Path) -> list:
    from sim_baselines import BASELINES

    from tuneup.simulate import live, make_world, run_tuneup

    results = []
    for kind in kinds:
        for seed in range(seeds):
            started = time.perf_counter()
            results += run_tuneup(kind, seed, work, weeks=weeks)
            for name, choose in BASELINES.items():
                results += live(make_world(kind, seed), name, choose, weeks=weeks)
            log(f"simulated {kind} seed {seed}: {time.perf_counter() - started:.0f} s")
    return results


def _by(results, strategy, kind=None):
    """week -> list of expected skip rates (over people)."""
    out: dict[int, list[float]] = {}
    for r in results:
        if r.strategy == strategy and (kind is None or r.kind == kind):
            out.setdefault(r.week, []).append(r.expected_skip)
    return out


def sim_markdown(results, kinds, seeds: int, weeks: int) -> tuple[list[str], dict]:
    from sim_baselines import SIMPLE

    strategies = ["tuneup"] + [
        s for s in dict.fromkeys(r.strategy for r in results) if s != "tuneup"
    ]
    checks: dict[str, bool] = {}
    w4 = min(4, weeks)
    lines = [
        f"Simulated listeners: {len(kinds)} kinds x {seeds} people, weekly mix of 30, {weeks} weeks; "
        f"expected skip rate of the week-{w4} mix (mean over people; lower is better):",
        "",
        "| kind | " + " | ".join(strategies) + " | tuneup / best simple | tuneup week 4 / week 1 |",
        "|---|" + "---|" * (len(strategies) + 2),
    ]
    ratios_b, ratios_1 = [], []
    for kind in list(kinds) + ["all kinds"]:
        k = None if kind == "all kinds" else kind
        vals = {s: float(np.mean(_by(results, s, k)[w4])) for s in strategies}
        best = min(SIMPLE, key=lambda s: vals[s])
        rb = vals["tuneup"] / vals[best]
        r1 = vals["tuneup"] / float(np.mean(_by(results, "tuneup", k)[1]))
        if k is not None:
            ratios_b.append(rb)
            ratios_1.append(r1)
        cells = " | ".join(f"{vals[s]:.3f}" for s in strategies)
        lines.append(f"| {kind} | {cells} | {rb:.2f}x ({best}) | {r1:.2f}x |")
    avg_b = _ratio_all(results, SIMPLE, w4)
    checks["week 4 <= 0.85x the best simple baseline, every kind"] = max(ratios_b) <= 0.85
    checks["week 4 <= 0.85x the best simple baseline, on average"] = avg_b <= 0.85
    checks["week 4 <= 0.8x its own week 1, every kind"] = max(ratios_1) <= 0.8
    lines += [
        "",
        "Expected skip rate per week, mean over every kind and person:",
        "",
        "| strategy | " + " | ".join(f"w{w}" for w in range(1, weeks + 1)) + " |",
        "|---|" + "---|" * weeks,
    ]
    for s in strategies:
        by = _by(results, s)
        lines.append(
            f"| {s} | " + " | ".join(f"{np.mean(by[w]):.3f}" for w in range(1, weeks + 1)) + " |"
        )
    if "drifting" in kinds and weeks >= 7:
        from tuneup.simulate import DRIFT_WEEK

        lines += [
            "",
            f"The drifting listener (a liked genre fades and a disliked one grows from week {DRIFT_WEEK}):",
            "",
            "| strategy | "
            + " | ".join(f"w{w}" for w in range(DRIFT_WEEK - 1, weeks + 1))
            + " | back within 10% by |",
            "|---|" + "---|" * (weeks - DRIFT_WEEK + 3),
        ]
        for s in strategies:
            by = _by(results, s, "drifting")
            pre = np.mean(by[DRIFT_WEEK - 1])
            back = next(
                (w for w in range(DRIFT_WEEK, weeks + 1) if np.mean(by[w]) <= 1.1 * pre), None
            )
            cells = " | ".join(f"{np.mean(by[w]):.3f}" for w in range(DRIFT_WEEK - 1, weeks + 1))
            lines.append(f"| {s} | {cells} | {'w%d' % back if back else 'not yet'} |")
            if s == "tuneup":
                checks["after the drift, within 10% of before within 2 mixes"] = (
                    back is not None and back <= DRIFT_WEEK + 2
                )
    mine = [r for r in results if r.strategy == "tuneup"]
    never = float(np.mean([r.never_played for r in mine]))
    explore = float(np.mean([r.exploration for r in mine]))
    checks["at least 30% never-played items"] = never >= 0.3
    checks["exploration within 5 points of what adventurousness asks"] = (
        abs(explore - ASKED_EXPLORATION) <= 0.05
    )
    lines += [
        "",
        f"tuneup's weekly mixes: {never:.0%} never played before; {explore:.1%} flagged exploration "
        f"(adventurousness 30 asks for {ASKED_EXPLORATION:.0%}); average ratio to the best simple "
        f"baseline at week {w4}: {avg_b:.2f}x.",
    ]
    return lines, checks


def _ratio_all(results, simple, week) -> float:
    vals = {s: float(np.mean(_by(results, s)[week])) for s in list(simple) + ["tuneup"]}
    return vals["tuneup"] / min(vals[s] for s in simple)


def cli_check(work: Path) -> list[str]:
    """Two listeners, 3 weeks each, through `tuneup` itself and in process: the lists must agree."""
    from tuneup.simulate import run_tuneup

    exe = str(Path(sys.executable).with_name("tuneup"))
    lines = [
        "",
        "The `tuneup` command and the in-process path, same listeners and seeds (3 weeks, mix of 10):",
        "",
    ]
    agree = True
    for kind, seed in (("genre-loyal", 0), ("drifting", 1)):
        started = time.perf_counter()
        a = run_tuneup(kind, seed, work, weeks=3, k=10, small=True)
        b = run_tuneup(kind, seed, work, weeks=3, k=10, small=True, cli=exe)
        same = [x.items == y.items for x, y in zip(a, b)]
        agree &= all(same)
        lines.append(
            f"- {kind} seed {seed}: weekly lists identical in {sum(same)}/{len(same)} weeks; expected "
            f"skip in process {[x.expected_skip for x in a]}, via the command "
            f"{[y.expected_skip for y in b]} ({time.perf_counter() - started:.0f} s)"
        )
    lines.append(f"- the two paths agree: {'yes' if agree else 'NO'}")
    return lines


# ---------------------------------------------------------------------------------- main


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} cores ({cpu}), {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, load average "
        f"{load[0]:.1f} at the start"
    )


def main() -> None:
    from tuneup.simulate import KINDS

    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-ml", action="store_true")
    ap.add_argument("--skip-sim", action="store_true")
    ap.add_argument("--sim-seeds", type=int, default=3)
    ap.add_argument("--ml-seeds", type=int, default=3)
    ap.add_argument("--weeks", type=int, default=8)
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--protocols", help="some of last-10,last-1,random-80/20,global-time")
    ap.add_argument("--cli-check", action="store_true")
    ap.add_argument("--out", type=Path, help="also write the markdown here")
    ap.add_argument("--json", type=Path, help="also write the raw simulator rows here")
    args = ap.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    started = time.perf_counter()
    lines = [f"Machine: {machine()}. Commit {_commit()}.", ""]
    checks: dict[str, bool] = {}
    if not args.skip_ml:
        ml = movielens(args.ml_seeds, args.protocols.split(",") if args.protocols else None)
        lines += ml_markdown(ml, args.ml_seeds) + [""]
        for protocol, rows in ml.items():
            checks[f"ML-100k {protocol}: above every baseline by > 1 SE"] = all(
                r.diff > r.diff_se for r in rows if r.model != "tuneup"
            )
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_sim:
            results = simulated(kinds, args.sim_seeds, args.weeks, Path(tmp))
            sim_lines, sim_checks = sim_markdown(results, kinds, args.sim_seeds, args.weeks)
            lines += sim_lines
            checks.update(sim_checks)
            if args.json:
                args.json.write_text(json.dumps([r.__dict__ for r in results]))
        if args.cli_check:
            lines += cli_check(Path(tmp))
    lines += ["", "Targets:", ""]
    lines += [f"- {'met' if ok else 'NOT met'}: {name}" for name, ok in checks.items()]
    lines.append(
        f"\n({time.perf_counter() - started:.0f} s, load average {os.getloadavg()[0]:.1f} at the end)"
    )
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        )
        return out.stdout.strip() or "?"
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
