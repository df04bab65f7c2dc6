"""Notebook 01, the layer-selection study (MLR, arXiv 2509.23861, §3 and §4.2.1; docs/methods.md#mlr),
as functions.

Every compared model trains the same steps on the same batches; the step count comes from the dual encoder's
learning curve (`evaluation.learning_curve`). Systems are named by their layer set and, outside the headline
pooling, by their pooling: "MLR last-4" in the headline pooling, "MLR last-4 [CLS]" in the other.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from mlrlib.evaluation.claims import Claim, claims_frame, percent
from mlrlib.evaluation.comparison import compare_runs
from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.methods.layer_sets import last_few, paper_two_layer_set, uniform
from mlrlib.training.config import TrainConfig

DE = "DE (last layer)"
HEADLINE_MLR = "MLR last-4"  # the paper's choice of m, fixed in advance (never picked on test)
POOLINGS = ("cls", "mean")
POOLING_LABEL = {"cls": "[CLS]", "mean": "mean"}


def layer_sets(L: int, m_sweep) -> dict[str, list[int]]:
    """Named layer sets S of the study: the dual encoder, 'last few', uniform, and the m sweep."""
    sets = {DE: [L], "MLR {L-1,L}": last_few(L, 2), "MLR {L-2,L}": [L - 2, L],
            HEADLINE_MLR: last_few(L, 4), "MLR uniform-4": uniform(L, 4)}
    for m in m_sweep:
        if last_few(L, m) not in sets.values():
            sets[f"MLR last-{m}"] = last_few(L, m)
    return sets


def configs(sets: dict, model: str, L: int, train: dict, pooling: str, seed: int,
            suffix: str = "") -> dict[str, TrainConfig]:
    """One config per layer set: the same steps, batches (seed) and learning rate; queries use layer L."""
    return {name + suffix: TrainConfig(model=model, doc_layers=layers, query_layer=L, pooling=pooling, seed=seed,
                                       **train) for name, layers in sets.items()}


def other(pooling: str) -> str:
    return POOLINGS[1 - POOLINGS.index(pooling)]


def encode_queries(encoder: MultiLayerEncoder, texts, layer, enc, pooling="cls", normalize=True) -> np.ndarray:
    return encoder.encode(texts, [layer], poolings=(pooling,), batch_size=enc["batch_size"],
                          max_length=enc["q_max_len"], bf16=enc["bf16"], normalize=normalize)[pooling][:, 0]


class Comparisons(NamedTuple):
    """The test runs the claims rest on."""
    runs: dict            # {system: test Run} of the headline pooling's layer sets (seed 0)
    seed_runs: dict       # {DE: [Run per seed], HEADLINE_MLR: [Run per seed]} in the headline pooling
    other_runs: dict      # {DE: Run, HEADLINE_MLR: Run} in the other pooling (seed 0)


def claims_table(test: pd.DataFrame, cmp: Comparisons, qrels: dict, sets: dict, pooling: str,
                 cosine_ft: np.ndarray, L: int) -> pd.DataFrame:
    """The paper's claims for this study, each tested by a paired comparison over the test queries and given a
    verdict with Holm over the notebook's claims. `test`: the headline pooling's seed-0 metric table."""
    v = test.pivot(index="system", columns="metric", values="value")
    m_of = {n: len(sets[n]) for n in v.index if n in sets and sets[n] == last_few(L, len(sets[n]))}
    curve = sorted((m, v.loc[n, "MRR@10"]) for n, m in m_of.items())
    widest = max(m_of, key=m_of.get)
    pair = ("MLR {L-1,L}", "MLR {L-2,L}")  # the paper's set scaled to depth first (paper_two_layer_set)
    top = L - 3
    off = cosine_ft[top:, top:][~np.eye(L + 1 - top, dtype=bool)]
    label, other_label = POOLING_LABEL[pooling], POOLING_LABEL[other(pooling)]

    def vs(system, baseline, metric="MRR@10"):
        here = f"{system} {percent(v.loc[system, metric])} vs {baseline} {percent(v.loc[baseline, metric])} ({metric})"
        return here, compare_runs(qrels, cmp.runs[system], cmp.runs[baseline], metric)

    seeds = len(cmp.seed_runs[DE])
    return claims_frame([
        Claim(f"multi-vector MLR beats the dual encoder ({label} pooling, {seeds} seeds)", "yes (NQ, TQA, SQuAD)",
              f"last-4 vs DE, MRR@10, per-query means over {seeds} seeds",
              compare_runs(qrels, cmp.seed_runs[HEADLINE_MLR], cmp.seed_runs[DE], "MRR@10")),
        Claim(f"multi-vector MLR beats the dual encoder ({other_label} pooling, 1 seed)", "yes ([CLS], BERT-base)",
              f"last-4 vs DE in {other_label} pooling, MRR@10",
              compare_runs(qrels, cmp.other_runs[HEADLINE_MLR], cmp.other_runs[DE], "MRR@10")),
        Claim("last layers beat uniformly spread layers (m=4)", "last-4 > uniform-4",
              *vs(HEADLINE_MLR, "MLR uniform-4")),
        Claim("S={10,12} (scaled to depth) is the best 2-vector set", "{10,12} best on BERT-base",
              *vs(*(pair if paper_two_layer_set(L)[0] == L - 1 else pair[::-1]))),
        Claim("accuracy peaks near m=4 and falls beyond", "best at m=4",
              "MRR@10 by m: " + ", ".join(f"{m}: {100 * a:.1f}" for m, a in curve) + f"; tested: last-4 vs {widest}",
              vs(HEADLINE_MLR, widest)[1] if widest != HEADLINE_MLR else None),
        Claim("layer vectors are highly correlated", "stated, not measured",
              f"mean cosine among the last 4 layers' {label} vectors (fine-tuned last-4, held-out passages): "
              f"{off.mean():.2f}"),
    ])
