#!/usr/bin/env bash
# Debian packages tuneup uses at run time and in tests:
#   mpv (the player), ffmpeg (decodes what libsndfile cannot), mpd (MPD integration tests), tmux (terminal smoke test),
#   and python3-venv where Python cannot make a virtualenv yet (stock Debian/Ubuntu lack ensurepip).
# Installs only what is missing; needs root or sudo when something is.
set -euo pipefail
want=(mpv ffmpeg mpd tmux)
missing=()
for cmd in "${want[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  v=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  missing+=("python$v-venv")
fi
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing Debian packages: ${missing[*]}" >&2
$SUDO apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
