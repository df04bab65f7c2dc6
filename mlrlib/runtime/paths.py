"""The repository's folders: its root (ONE definition, used for `.cache/`, `results/` and the commit), and
where results go: `results/<study>/` for the default preset, `results/<study>/<preset>/` otherwise (so a
smoke run never overwrites the committed laptop results)."""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_PRESET = "laptop"
# mlrlib/runtime/paths.py -> the repository root; checked against pyproject.toml by a unit test
REPO_ROOT = Path(__file__).resolve().parents[2]


def results_root() -> Path:
    root = os.environ.get("MLRLIB_RESULTS")
    return Path(root) if root else REPO_ROOT / "results"


def results_dir(study: str, preset: str) -> Path:
    folder = results_root() / study
    if preset != DEFAULT_PRESET:
        folder = folder / preset
    folder.mkdir(parents=True, exist_ok=True)
    return folder
