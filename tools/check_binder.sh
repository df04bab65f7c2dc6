#!/usr/bin/env bash
# What can be checked of Binder without Binder: binder/requirements.txt installs into a fresh virtual
# environment, postBuild runs clean in it (building the offline data into a fresh cache), and a smoke
# notebook then runs in that environment.   Usage: bash tools/check_binder.sh [NOTEBOOK, default 02]
# Not checked here: repo2docker's own image (Ubuntu, its apt sources and Python), mybinder's 2 GB limit.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d -t binder-check.XXXX)
trap 'rm -rf "$WORK"' EXIT
python3 -m venv "$WORK/venv"
source "$WORK/venv/bin/activate"
for pkg in $(grep -v '^#' binder/apt.txt); do dpkg -s "$pkg" >/dev/null || { echo "apt.txt: $pkg is not installed"; exit 1; }; done
# no retries: where PyTorch's index is unreachable (as here) pip would retry it for every package
PIP_RETRIES=0 pip install -q --disable-pip-version-check -r binder/requirements.txt
export MLRLIB_CACHE="$WORK/cache" MLRLIB_RESULTS="$WORK/results"
bash binder/postBuild > "$WORK/postBuild.log"
echo "postBuild: ok ($(python -c 'import mlrlib, torch; print(mlrlib.__file__, "torch", torch.__version__)'))"
python tools/run_notebooks.py --preset smoke --only "${1:-02}" --out "$WORK/notebooks"
