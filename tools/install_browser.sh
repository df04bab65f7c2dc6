#!/usr/bin/env bash
# Debian's Chromium for the site's browser check (make site-check), installed only where it is missing.
# Playwright drives it by path: no browser is downloaded by a test tool.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
fi
chromium --version
