"""How long `tuneup demo --no-tui` takes to build the full demo library from nothing, and a re-run.

    python bench/demo.py [--tracks 320] [--workers 0]

Runs the real CLI in a fresh temporary TUNEUP_HOME and reports wall time, the CPU time of the
command and its worker processes, the per-stage seconds from its --json summary, and the load
average (the machine may be shared: CPU seconds / cores is what an idle machine would need).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def run(home: str, tracks: int, workers: int) -> tuple[float, float, dict]:
    env = dict(os.environ, TUNEUP_HOME=home)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tuneup",
            "demo",
            "--no-tui",
            "--json",
            "--tracks",
            str(tracks),
            "--workers",
            str(workers),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode:
        sys.exit(f"tuneup demo failed ({proc.returncode}):\n{proc.stderr}")
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=320)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    cores = os.cpu_count()
    with tempfile.TemporaryDirectory(prefix="tuneup-demo-bench-") as home:
        load = os.getloadavg()[0]
        wall, cpu, summary = run(home, args.tracks, args.workers)
        size = _size(summary["dir"])
        rewall, recpu, again = run(home, args.tracks, args.workers)
    print(f"machine: {cores} cores, load average at start {load:.2f}")
    print(
        f"library: {summary['tracks']} tracks, {summary['genres']} genres, {summary['artists']} artists, "
        f"{summary['albums']} albums, {summary['untagged']} untagged, "
        + ", ".join(f"{k} {v}" for k, v in summary["formats"].items())
        + f"; {size / 1e6:.0f} MB"
    )
    print(
        f"history: {summary['history']['listens']} listens, {summary['history']['feedback']} feedback"
    )
    print(
        f"first build: {wall:.1f} s wall, {cpu:.1f} s CPU (= {cpu / cores:.1f} s on {cores} idle cores); "
        f"stages (wall): files {summary['files']['seconds']:.1f} s, scan {summary['scan']['seconds']:.1f} s, "
        f"history {summary['history']['seconds']:.1f} s"
    )
    print(
        f"re-run: {rewall:.1f} s wall, {recpu:.1f} s CPU, {again['files']['written']} files written, "
        f"{again['history']['listens']} listens added"
    )


def _size(path: str) -> int:
    total = 0
    for dirpath, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    return total


if __name__ == "__main__":
    main()
