"""Provenance of a result: preset, seed, commit, runtime, machine."""
from __future__ import annotations

import os
import platform
import subprocess
import time
from pathlib import Path

import torch

from mlrlib.runtime.cache import atomic_write_json
from mlrlib.runtime.paths import REPO_ROOT


def git_commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                               capture_output=True, text=True).stdout.strip()
        return sha + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> dict:
    # the device methods.device.default_device() picks (runtime's base may not import methods)
    device = torch.device(os.environ.get("MLRLIB_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu"))
    return {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(), "python": platform.python_version(),
            "torch": torch.__version__, "device": str(device),
            "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None}


class Provenance:
    """Start the clock at creation; `write(folder, **extra)` stores provenance.json."""

    def __init__(self, study: str, preset: str, seed: int, config: dict):
        self.study, self.preset, self.seed, self.config = study, preset, seed, config
        self.start = time.perf_counter()
        self.started_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        self.commit = git_commit()  # read at the start: the code that ran

    def record(self, **extra) -> dict:
        return {"study": self.study, "preset": self.preset, "seed": self.seed, "commit": self.commit,
                "started_at": self.started_at, "runtime_seconds": round(time.perf_counter() - self.start, 1),
                "machine": machine(), "config": self.config, **extra}

    def write(self, folder: Path, **extra) -> dict:
        rec = self.record(**extra)
        atomic_write_json(Path(folder) / "provenance.json", rec)
        return rec
