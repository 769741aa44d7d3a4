"""Line coverage per tuneup package, and of the core (everything but the front ends tui/ and cli/).

Reads the combined coverage data (run after ``coverage combine``). Exits 1 when the core is under
``--fail-under`` percent. Usage: python scripts/coverage_packages.py [--fail-under 85]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

FRONT_ENDS = ("tui", "cli")


def package_of(path: str) -> str:
    parts = Path(path).parts
    i = len(parts) - 1 - parts[::-1].index("tuneup")
    rest = parts[i + 1 :]
    return rest[0] if len(rest) > 1 else "(top level)"


def main() -> int:
    import coverage

    parser = argparse.ArgumentParser()
    parser.add_argument("--fail-under", type=float, default=0.0)
    args = parser.parse_args()
    cov = coverage.Coverage()
    cov.load()
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    root = Path(__file__).resolve().parent.parent / "tuneup"
    for filename in sorted(
        root.rglob("*.py")
    ):  # files no test imported count as 0%, as in the report
        _, statements, _, missing, _ = cov.analysis2(str(filename))
        total = totals[package_of(filename)]
        total[0] += len(statements)
        total[1] += len(statements) - len(missing)
    core = [0, 0]
    print(f"{'package':<14}{'lines':>8}{'covered':>9}{'cover':>8}")
    for name in sorted(totals):
        lines, hit = totals[name]
        print(f"{name:<14}{lines:>8}{hit:>9}{100 * hit / max(lines, 1):>7.1f}%")
        if name not in FRONT_ENDS:
            core[0] += lines
            core[1] += hit
    percent = 100 * core[1] / max(core[0], 1)
    print(
        f"{'CORE':<14}{core[0]:>8}{core[1]:>9}{percent:>7.1f}%  (tuneup/ without {' and '.join(FRONT_ENDS)})"
    )
    if percent < args.fail_under:
        print(f"core line coverage {percent:.1f}% is under {args.fail_under:g}%", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
