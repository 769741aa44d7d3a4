#!/usr/bin/env bash
# Installs everything the tests need (Debian packages, a virtualenv with tuneup[test]) and runs them
# under coverage: the report is printed at the end, per file and per package. A full run (no arguments)
# fails when the core (tuneup/ without tui/ and cli/) is under 85% line coverage.
# Extra arguments go to pytest: bash scripts/test.sh tests/test_scan.py -k moved
# TUNEUP_COVERAGE=0 runs the tests without coverage.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
VENV="${TUNEUP_VENV:-.venv}"  # TUNEUP_VENV: use an existing virtualenv instead
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PY="$VENV/bin/python"
"$PY" -m pip install -q --disable-pip-version-check -e '.[test]'
# Style and layering first: a formatting slip fails in seconds, not after the whole suite.
"$VENV/bin/ruff" format --check --quiet . || { echo "ruff format: run \`ruff format .\`" >&2; exit 1; }
"$VENV/bin/ruff" check --quiet .
"$VENV/bin/lint-imports" --no-cache --no-logo  # the layers in pyproject.toml [tool.importlinter]
if [ "${TUNEUP_COVERAGE:-1}" = 0 ]; then
  exec "$PY" -m pytest -q -p no:cacheprovider "$@"
fi
CORE_MIN=85
# Every process writes its data file here: an absolute path (CLI subprocesses change folder) in a folder
# anyone may write to (some tests run tuneup as another user, with setpriv).
data_dir=$(mktemp -d "${TMPDIR:-/tmp}/tuneup-coverage.XXXXXX")
trap 'rm -rf "$data_dir"' EXIT
chmod 1777 "$data_dir"
export COVERAGE_FILE="$data_dir/.coverage"
status=0
"$PY" -m coverage run -m pytest -q -p no:cacheprovider "$@" || status=$?
"$PY" -m coverage combine -q || true
cp "$COVERAGE_FILE" .coverage 2>/dev/null || true  # kept for `coverage html` / `coverage report -m`
"$PY" -m coverage report || true
fail_under=0
[ $# -eq 0 ] && fail_under=$CORE_MIN  # a partial run cannot reach the whole suite's coverage
"$PY" scripts/coverage_packages.py --fail-under "$fail_under" || { [ $status -ne 0 ] || status=1; }
exit $status
