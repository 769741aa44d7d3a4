#!/usr/bin/env bash
# Installs tuneup (and mpv to play with) and opens it on a generated demo library.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
exec .venv/bin/tuneup demo "$@"
