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


def interleaved_step_seconds(steppers: dict, plan) -> pd.DataFrame:
    """Median seconds of `stepper(batch)` for each system on the same batches, the systems in
    rotating order on each batch; the first batch warms up and is not timed. Ratio to the first."""
    times = {name: [] for name in steppers}
    names = list(steppers)
    for i, batch in enumerate(plan):
        for name in names[i % len(names):] + names[:i % len(names)]:  # rotate who goes first
            start = time.perf_counter()
            steppers[name](batch)
            if i:
                times[name].append(time.perf_counter() - start)
    table = pd.DataFrame({"seconds_per_step": {n: float(np.median(t)) for n, t in times.items()}})
    table.index.name = "system"
    return table.assign(ratio=table.seconds_per_step / table.seconds_per_step.iloc[0])


def optimizer_step(step, params, lr: float):
    """A stepper for `interleaved_step_seconds`: step(batch) (forward and backward), then AdamW."""
    opt = torch.optim.AdamW(params, lr=lr)

    def run(batch):
        step(batch)
        opt.step()
        opt.zero_grad(set_to_none=True)
    return run


def train_step_seconds(cfgs: dict, pairs, steps: int = 3) -> pd.DataFrame:
    """Seconds per training step (forward, loss, backward, optimizer) of each config, on the
    same batches, after one warm-up step each; ratio to the first config."""
    steppers = {}
    for name, cfg in cfgs.items():
        encoder, loss_fn = build_encoder(cfg).train(), loss_for(cfg)
        steppers[name] = optimizer_step(lambda b, e=encoder, c=cfg, f=loss_fn: train_step(e, *b, c, f),
                                        encoder.parameters(), cfg["lr"])
    first = next(iter(cfgs.values()))
    return interleaved_step_seconds(steppers, batches(pairs, [], {**first, "hard_negatives": False, "steps": steps + 1}))
