"""What size of effect a test split can decide, measured before any training (a pilot).

Two pairs of zero-shot systems on the split, each compared query by query (`compare_runs`):
- the model's last layer against the mean of its last two layers' vectors for passages (queries
  from the last layer in both): two closely related systems, like the studies' variants of one
  model, whose per-query results mostly agree;
- the model's last layer against BM25: unrelated systems, whose results disagree often (an upper
  bound on the MDE of a comparison).
The MDE of each (80% power, α = 0.05) is what a reader should hold every verdict's gap against.
"""
from __future__ import annotations

import json
import time

import numpy as np

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.evaluation.comparison import compare_runs
from mlrlib.evaluation.layer_analysis import encode_corpus
from mlrlib.evaluation.metrics import bm25_run, run_of
from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.runtime.cache import atomic_write_json, cache_dir, config_hash

PILOT_METRICS = ("Top-5", "MRR@10")


def pilot_power(data: RetrievalData, model: str, enc: dict, split: str = "test") -> dict:
    """{"queries", "pairs": [{"pair", "metric", "difference", "mde"}], "seconds"} (differences and MDEs
    in [0, 1] units)."""
    start = time.perf_counter()
    encoder = MultiLayerEncoder(model)
    L = encoder.num_layers
    ids, texts, qrels = data.split(split)
    corpus = encode_corpus(encoder, data, [L - 1, L], enc, ("mean",))["mean"]
    queries = encoder.encode(texts, [L - 1, L], poolings=("mean",), batch_size=enc["batch_size"],
                             max_length=enc["q_max_len"], bf16=enc["bf16"], normalize=True)["mean"]
    last = run_of(f"layer {L}", data, split, queries[:, 1], corpus[:, 1])
    two = corpus.mean(1)
    two /= np.linalg.norm(two, axis=-1, keepdims=True)
    mixed = run_of(f"layers {L - 1}-{L} averaged", data, split, queries[:, 1], two)
    pairs = {f"layer {L} vs layers {L - 1}-{L} averaged (related systems)": (last, mixed),
             f"layer {L} vs BM25 (unrelated systems)": (last, bm25_run(data, split))}
    rows = []
    for name, (a, b) in pairs.items():
        for metric in PILOT_METRICS:
            c = compare_runs(qrels, a, b, metric)
            rows.append({"pair": name, "metric": metric, "difference": round(c.difference, 4),
                         "mde": None if c.mde != c.mde else round(c.mde, 4)})  # None: the two never differ
    return {"split": split, "queries": len(ids), "model": model, "pairs": rows,
            "seconds": round(time.perf_counter() - start, 1)}


def cached_pilot_power(data: RetrievalData, data_key: dict, model: str, enc: dict, split: str = "test") -> dict:
    """`pilot_power`, computed once per (benchmark config, model, encoding, split)."""
    key = {"data": config_hash(data_key), "model": model, "encode": enc, "split": split}
    path = cache_dir("power", key) / "power.json"
    if path.exists():
        return json.loads(path.read_text())
    result = pilot_power(data, model, enc, split)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(path, result)
    return result
