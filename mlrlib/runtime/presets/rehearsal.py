"""The `rehearsal` presets: a `paper` preset's code path on local stand-ins of its models and data (`rehearsal_of`)."""
from __future__ import annotations

import copy

from mlrlib.data.benchmark import benchmark_config

# The `rehearsal` presets: every `paper` preset run end to end on this machine, so its code path (12- and 24-layer
# models, a ranker loaded as is, the width projection, gradient caching, the hub data formats) is exercised before
# a GPU ever runs it. Only what cannot be had offline or on 2 cores is swapped: the hub models and datasets for
# local stand-ins of the same shape (`runtime.standins`), and the sizes below. Each size applies only where the
# paper preset has the key; everything else (layer sets, model kinds, loss weights, layer map, filters) is the
# paper's. Seeds: the first two (the seed tables need more than one).
REHEARSAL = "rehearsal"
_REHEARSAL_SIZES = {
    "encode": {"batch_size": 16},
    # grad_cache_chunk below the batch, so gradient caching really splits it
    "train": {"steps": 2, "batch_size": 4, "grad_cache_chunk": 2},
    "teacher": {"batch_size": 4, "negatives": 3},  # the students' negatives: the teacher scores theirs
    "distill": {"negatives": 3}, "light": {"negatives": 3},
    "cost_steps": 1, "rerank_depth": 20, "speed": {"passages": 64, "repeats": 2, "queries": 4},
}
_REHEARSAL_TEACHER_STEPS = 4  # a teacher trained here (not loaded as is); one snapshot per step, as many as the paper's
_REHEARSAL_SEEDS = 2
# the symmetric task of notebook 05 is the offline benchmark under every preset: the smoke slice of it
_REHEARSAL_SYMMETRIC = benchmark_config(corpus_size=300, max_queries={"train": 40, "dev": 20, "test": 30},
                                        max_weak_pairs=40)


def _resized(paper: dict, sizes: dict) -> dict:
    """`paper` with each value of `sizes` put in where `paper` has that key (nested dicts merged)."""
    out = copy.deepcopy(paper)
    for key, value in sizes.items():
        if key not in out:
            continue
        out[key] = _resized(out[key], value) if isinstance(value, dict) and isinstance(out[key], dict) else value
    return out


def rehearsal_of(paper: dict, models: dict[str, str], data: dict[str, str]) -> dict:
    """The rehearsal of a `paper` preset: its hub model ids replaced by the stand-ins' folders (`models`: hub id ->
    folder), its hub data by local folders of the same format (`data`: dataset -> folder), smaller sizes."""
    cfg = _resized(paper, _REHEARSAL_SIZES)
    for part in (cfg, cfg.get("teacher"), cfg.get("causal")):
        if part is not None:
            part["model"] = models[part["model"]]
    cfg["data"] = f"{cfg['data']}:{data[cfg['data']]}"
    if "seeds" in cfg:
        cfg["seeds"] = cfg["seeds"][:_REHEARSAL_SEEDS]
    for regime in cfg.get("regimes", {}).values():  # notebook 01's regimes: each has its own training
        regime["train"] = _resized(regime["train"], _REHEARSAL_SIZES["train"])
        regime["seeds"] = min(regime["seeds"], _REHEARSAL_SEEDS)
    if cfg.get("teacher", {}).get("steps"):
        cfg["teacher"]["steps"] = _REHEARSAL_TEACHER_STEPS
    if "snapshots" in cfg:
        cfg["snapshots"] = _snapshots(len(cfg["snapshots"]), cfg["teacher"]["steps"])
    if cfg.get("beir_folder"):
        cfg["beir_folder"] = data["scifact"]
    if cfg.get("symmetric_data"):
        cfg["symmetric_data"] = {**cfg["symmetric_data"], "benchmark": _REHEARSAL_SYMMETRIC}
    return cfg


def _snapshots(n: int, steps: int) -> list[int]:
    """n snapshot steps from 0 to `steps` (the paper's list shape on a short run)."""
    return sorted({round(i * steps / (n - 1)) for i in range(n)}) if n > 1 else [steps]
