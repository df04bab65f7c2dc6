#!/usr/bin/env bash
# Installs what the project needs, only what is missing: Debian's documentation packages
# (the offline benchmark) and the Python packages (torch pinned to the CPU build).
set -euo pipefail
PY=${PY:-python3}
if ! dpkg -s python3-doc perl-doc debian-faq >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-doc perl-doc debian-faq >/dev/null
fi
$PY -m pip install -q --disable-pip-version-check torch==2.13.0
$PY -m pip install -q --disable-pip-version-check -r requirements.txt
$PY -m pip install -q --disable-pip-version-check --no-deps -e .
