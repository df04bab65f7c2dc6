"""The measured properties a claim's premise rests on, read on dev before its test (docs/methods.md#premises).

- `lower_layer_share`: of the max-sim scores s(q, d) = max_l <v_L(q), v_l(d)> over each dev query's top 10, the
  share whose max is won by a layer other than L. Near 0, multi-vector MLR ranks as the dual encoder does: its
  other layers never decide a score, so no test of MLR against the DE can show what they add.
- `changed_lists`: the share of dev queries whose top-10 list (ids in rank order) differs between two systems.
  Near 0, a model trained with an extra loss retrieves exactly as the baseline: its test compares a system
  with itself.
- `pooler_start_cosine`: how close a layer pooler's untrained output is to the baseline's vector (does the pooler
  start where the baseline is?).
- `last_quarter_rise`: whether a learning curve has reached its plateau.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ranx import Run

from mlrlib.evaluation.experiment import encode_texts
from mlrlib.methods.search import search
from mlrlib.training.config import TrainConfig, inference_layers
from mlrlib.training.dual_encoder import build_encoder

LOWER_LAYER_THRESHOLD = 0.05  # below it a max over layers is, for retrieval, the last layer alone
CHANGED_LISTS_THRESHOLD = 0.05  # below it two systems retrieve the same lists
START_COSINE_THRESHOLD = 0.99  # below it a pooler starts elsewhere than the baseline it is compared with
PLATEAU_RISE = 0.01  # a dev curve that rose more than this (one point) over its last quarter is still learning
PREMISE_K = 10


def lower_layer_share(queries: np.ndarray, passages: np.ndarray, doc_layers: Sequence[int], last: int,
                      k: int = PREMISE_K) -> float:
    """Share of (query, passage) max-sim scores over each query's top k won by a layer other than `last`.
    queries [Q, H] (layer L), passages [N, m, H] with the m layers `doc_layers` in order."""
    if passages.ndim != 3 or passages.shape[1] != len(doc_layers):
        raise ValueError(f"passages must be [N, m, H] with m = {len(doc_layers)} layers, got {passages.shape}")
    _, hits = search(queries, passages, k)
    per_layer = np.einsum("qh,qkmh->qkm", queries, passages[hits])
    winner = np.asarray(doc_layers)[per_layer.argmax(-1)]
    return float((winner != last).mean())


def top_lists(run: Run, k: int = PREMISE_K) -> dict[str, tuple[str, ...]]:
    """{query: its top-k passage ids in rank order} (ties broken by id, as a sort of the scores would)."""
    return {q: tuple(p for p, _ in sorted(hits.items(), key=lambda x: (-x[1], x[0]))[:k])
            for q, hits in run.to_dict().items()}


def changed_lists(system: Run, baseline: Run, k: int = PREMISE_K) -> float:
    """Share of the baseline's queries whose top-k list differs in `system` (ids or order)."""
    a, b = top_lists(system, k), top_lists(baseline, k)
    return float(np.mean([a.get(q) != lists for q, lists in b.items()]))


def last_quarter_rise(curve, metric: str = "MRR@10") -> float:
    """How much a dev learning curve (rows step, `metric`) rose over the last quarter of its steps: under one point
    (0.01) the model has reached its plateau within its budget (docs/methods.md#premises)."""
    steps = curve.step.to_numpy()
    start = steps.max() - (steps.max() - steps.min()) / 4
    values = curve.set_index("step")[metric]
    before = values[values.index <= start]
    return float(values.iloc[-1] - (before.iloc[-1] if len(before) else values.iloc[0]))


def pooler_start_cosine(pooled: TrainConfig, baseline: TrainConfig, texts, enc: dict) -> float:
    """Mean cosine, over `texts`, between the passage vector of the untrained pooler of `pooled` (step 0) and the
    baseline's: near 1, the pooler starts where the baseline is, and training can only move it from there; far from
    1, a comparison after a short training measures the pooler's initialisation as much as the method."""
    def vectors(cfg):
        v = encode_texts(build_encoder(cfg), texts, inference_layers(cfg)[1], cfg, enc, "p")[:, 0]
        return v / np.linalg.norm(v, axis=-1, keepdims=True)
    return float((vectors(pooled) * vectors(baseline)).sum(-1).mean())
