"""Trained models stored under a hash of (config, data): reused when present, written atomically."""
from __future__ import annotations

import json
import time
from pathlib import Path

from mlrlib.methods.encoders import MultiLayerEncoder, load_encoder
from mlrlib.runtime.cache import atomic_dir, atomic_write_json, cache_dir, config_hash


def data_fingerprint(pairs, negatives) -> str:
    return config_hash({"pairs": [(p["query"], p["positive"]) for p in pairs], "negatives": negatives})


def checkpoint_folder(key: dict) -> Path:
    """Where `cached_training` stores the model trained under `key` (it may not exist yet)."""
    return cache_dir("checkpoints", key) / "model"


def cached_training(key: dict, train) -> tuple[MultiLayerEncoder, dict]:
    """Load the checkpoint stored under the hash of `key`, or run `train()` -> (encoder, log),
    timing it, and store both atomically. The log gains train_seconds and the key."""
    model = checkpoint_folder(key)
    folder = model.parent
    if (folder / "train_log.json").exists():
        return load_encoder(model), json.loads((folder / "train_log.json").read_text())
    start = time.perf_counter()
    encoder, log = train()
    log = {**log, "train_seconds": time.perf_counter() - start, "key": key, "cached": False}
    with atomic_dir(folder) as tmp:
        encoder.save(tmp / model.name)
        atomic_write_json(tmp / "train_log.json", {**log, "cached": True})
    return encoder, log
