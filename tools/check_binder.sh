#!/usr/bin/env bash
# What can be checked of Binder without Binder: repo2docker itself reads binder/ and writes the Dockerfile it would
# build (--no-build: no container daemon needed), which must pick Python 3.11 and install apt.txt's packages,
# binder/requirements.txt and postBuild; binder/requirements.txt installs into a fresh virtual environment, postBuild
# runs clean in it (building the offline data into a fresh cache), and a notebook then runs in that environment with
# mybinder.org's variables set, so under the preset Binder picks.   Usage: bash tools/check_binder.sh [NOTEBOOK, default 02]
# Not checked here: building that image (Ubuntu, its apt sources), mybinder's memory limit itself.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d -t binder-check.XXXX)
trap 'rm -rf "$WORK"' EXIT
python3 -m venv "$WORK/venv"
source "$WORK/venv/bin/activate"
for pkg in $(grep -v '^#' binder/apt.txt); do dpkg -s "$pkg" >/dev/null || { echo "apt.txt: $pkg is not installed"; exit 1; }; done
# no retries: where PyTorch's index is unreachable (as here) pip would retry it for every package
PIP_RETRIES=0 pip install -q --disable-pip-version-check -r binder/requirements.txt
pip install -q --disable-pip-version-check jupyter-repo2docker
repo2docker --no-build --no-run --debug . > "$WORK/Dockerfile.log" 2>&1
grep -q "python=3.11" "$WORK/Dockerfile.log" || { echo "repo2docker: not Python 3.11"; exit 1; }
for pkg in $(grep -v '^#' binder/apt.txt); do
  grep "apt-get install" "$WORK/Dockerfile.log" | grep -qw -- "$pkg" || { echo "repo2docker: apt.txt's $pkg not installed"; exit 1; }
done
grep -q 'pip install --no-cache-dir -r "binder/requirements.txt"' "$WORK/Dockerfile.log" \
  && grep -q "RUN ./binder/postBuild" "$WORK/Dockerfile.log" || { echo "repo2docker: requirements or postBuild missing"; exit 1; }
echo "repo2docker --no-build: Python 3.11, apt.txt, binder/requirements.txt and postBuild in its Dockerfile"
export MLRLIB_CACHE="$WORK/cache" MLRLIB_RESULTS="$WORK/results"
bash binder/postBuild > "$WORK/postBuild.log"
echo "postBuild: ok ($(python -c 'import mlrlib, torch; print(mlrlib.__file__, "torch", torch.__version__)'))"
# no preset given: the notebook picks Binder's own (smoke) from the variables mybinder.org sets
BINDER_LAUNCH_HOST=https://mybinder.org/ BINDER_REPO_URL=https://github.com/OWNER/REPO \
  python tools/run_notebooks.py --preset auto --only "${1:-02}" --out "$WORK/notebooks"
