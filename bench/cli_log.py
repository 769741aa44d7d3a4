"""`tuneup log` start-up: what a player hook pays on every track.

    python bench/cli_log.py [--runs 10]

Runs `python -m tuneup --home TMP log FILE --played 30` ``--runs`` times in a fresh home (the first run,
which creates the store, is not counted) and prints the median wall time and the median CPU time
(user + sys of the child, which the machine's load barely changes), beside `python -c pass` and
`tuneup log --help` (the Typer path), with the load average. The CPU figure is the one to compare
across runs on a loaded machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd: list[str], runs: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        before = os.times()
        started = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
        after = os.times()
        cpus.append(
            (after.children_user - before.children_user)
            + (after.children_system - before.children_system)
        )
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as home:
        song = os.path.join(home, "not-in-the-library.ogg")
        log = [py, "-m", "tuneup", "--home", home, "log", song, "--played", "30"]
        subprocess.run(log, check=True)  # creates the store
        cases = {
            "python -c pass": [py, "-c", "pass"],
            "tuneup log FILE --played 30": log,
            "tuneup log --help (Typer)": [py, "-m", "tuneup", "log", "--help"],
        }
        print(f"load average {os.getloadavg()[0]:.1f}, {args.runs} runs each, medians")
        for name, cmd in cases.items():
            wall, cpu = timed(cmd, args.runs)
            print(f"  {name:32s} wall {wall:6.3f} s   cpu {cpu:6.3f} s")


if __name__ == "__main__":
    main()
