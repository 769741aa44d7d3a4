"""Wall time of the commands a person or a player hook runs often (issue 17), side by side in one run.

    python bench/cli_latency.py [--runs 9]

`tuneup log` takes a fast path without Typer (tuneup.cli.quick); the same report through Typer is
measured beside it (`--home=DIR`, an option form the fast parser leaves to Typer), with a bare
`python -c pass` for the interpreter's own start. A fresh home with one generated track.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _time(cmd: list[str], env: dict, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=False)
        out.append(time.perf_counter() - start)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    home = Path(tempfile.mkdtemp(prefix="tuneup-latency-"))
    env = dict(os.environ, TUNEUP_HOME=str(home))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from history_support import tone

    track = tone(home / "music" / "a.ogg", 1.0)
    tuneup = [sys.executable, "-m", "tuneup"]
    subprocess.run([*tuneup, "scan", str(home / "music")], env=env, capture_output=True)
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "tuneup log (fast path)": [*tuneup, "log", str(track), "--played", "1"],
        "tuneup log (through Typer)": [
            *tuneup,
            f"--home={home}",
            "log",
            str(track),
            "--played",
            "1",
        ],
        "tuneup --version": [*tuneup, "--version"],
        "tuneup history": [*tuneup, "history"],
    }
    load = os.getloadavg()
    print(
        f"{runs} runs each, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n"
    )
    print("| command | median s | min s | max s |\n|---|---|---|---|")
    for name, cmd in cases.items():
        times = _time(cmd, env, runs)
        print(
            f"| `{name}` | {statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
