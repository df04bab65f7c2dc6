"""Seeded training batches: the same order for every model trained with the same seed."""
from __future__ import annotations

import random


def index_batches(n: int, batch_size: int, steps: int, seed: int) -> list[list[int]]:
    """`steps` batches of indices into n items: seeded shuffles, epoch after epoch (no partial batch)."""
    order = list(range(n))
    rng = random.Random(seed)
    out = []
    while len(out) < steps:
        rng.shuffle(order)
        out += [order[s:s + batch_size] for s in range(0, n - batch_size + 1, batch_size)]
    return out[:steps]


def batches(pairs, negatives, cfg):
    """Seeded order; each batch: (queries, positives followed by the hard negatives)."""
    out = []
    for idx in index_batches(len(pairs), cfg.batch_size, cfg.steps, cfg.seed):
        passages = [pairs[i]["positive"] for i in idx]
        if cfg.hard_negatives:
            passages += [negatives[i] for i in idx]
        out.append(([pairs[i]["query"] for i in idx], passages))
    return out


def plan_rows(n_pairs: int, cfgs) -> list[int]:
    """The training pairs the configs' batches will visit (their teacher scores are needed)."""
    return sorted({i for c in cfgs for b in index_batches(n_pairs, c.batch_size, c.steps, c.seed) for i in b})
