"""What a model costs, measured: index size, per-query latency, seconds per training step.

Timings interleave the systems compared (one query or step of each in turn) so that a
slow patch of the machine hits all of them alike; report ratios, not absolute times.
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import torch

from .experiment import encode_queries
from .search import MultiVectorIndex
from .training import batches, build_encoder, loss_for, train_step


def index_cost(passages: np.ndarray) -> dict:
    """Vectors stored and bytes of the serialised exact FAISS index."""
    index = MultiVectorIndex(passages)
    return {"vectors": index.n * index.m, "bytes": index.nbytes}


def query_latency(systems: dict, texts, enc: dict, k: int = 100) -> pd.DataFrame:
    """Per-query latency of encode-one-query + search, for each system in turn on each query.

    systems: {name: (encoder, cfg, passages [N, m, H])}. Returns one row per system with the
    median and 90th percentile in milliseconds and the median's ratio to the first system.
    """
    indexes = {name: MultiVectorIndex(p) for name, (_, _, p) in systems.items()}
    times = {name: [] for name in systems}
    for text in texts:
        for name, (encoder, cfg, _) in systems.items():
            start = time.perf_counter()
            indexes[name].search(encode_queries(encoder, [text], cfg, enc), k)
            times[name].append(time.perf_counter() - start)
    rows = [{"system": n, "median_ms": 1e3 * np.median(t), "p90_ms": 1e3 * np.quantile(t, 0.9)}
            for n, t in times.items()]
    table = pd.DataFrame(rows).set_index("system")
    return table.assign(ratio=table.median_ms / table.median_ms.iloc[0])


def train_step_seconds(cfgs: dict, pairs, steps: int = 3) -> pd.DataFrame:
    """Seconds per training step (forward, loss, backward, optimizer) of each config, on the
    same batches, after one warm-up step each; ratio to the first config."""
    models = {}
    for name, cfg in cfgs.items():
        encoder = build_encoder(cfg).train()
        models[name] = (encoder, torch.optim.AdamW(encoder.parameters(), lr=cfg["lr"]), loss_for(cfg))
    first = next(iter(cfgs.values()))
    plan = batches(pairs, [], {**first, "hard_negatives": False, "steps": steps + 1})
    times = {name: [] for name in cfgs}
    names = list(models)
    for i, (queries, passages) in enumerate(plan):
        for name in names[i % len(names):] + names[:i % len(names)]:  # rotate who goes first
            encoder, opt, loss_fn = models[name]
            start = time.perf_counter()
            train_step(encoder, queries, passages, cfgs[name], loss_fn)
            opt.step()
            opt.zero_grad(set_to_none=True)
            if i:  # step 0 warms up
                times[name].append(time.perf_counter() - start)
    table = pd.DataFrame({"seconds_per_step": {n: float(np.median(t)) for n, t in times.items()}})
    table.index.name = "system"
    return table.assign(ratio=table.seconds_per_step / table.seconds_per_step.iloc[0])
