"""Where results go: `results/<study>/` for the default preset, `results/<study>/<preset>/`
otherwise (so a smoke run never overwrites the committed laptop results)."""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_PRESET = "laptop"


def results_root() -> Path:
    root = os.environ.get("MLRLIB_RESULTS")
    return Path(root) if root else Path(__file__).resolve().parent.parent / "results"


def results_dir(study: str, preset: str) -> Path:
    folder = results_root() / study
    if preset != DEFAULT_PRESET:
        folder = folder / preset
    folder.mkdir(parents=True, exist_ok=True)
    return folder
