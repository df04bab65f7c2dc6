"""Notebook 01, the layer-selection study (MLR, arXiv 2509.23861, §3 and §4.2.1; docs/methods.md#mlr),
as functions."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.evaluation.claims import Claim, claims_frame, percent
from mlrlib.evaluation.comparison import compare_runs
from mlrlib.evaluation.experiment import LazyEncoders, train_all
from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.methods.layer_sets import last_few, paper_two_layer_set, uniform
from mlrlib.training.config import TrainConfig


def layer_sets(L: int, m_sweep) -> dict[str, list[int]]:
    """Named layer sets S of the study: the dual encoder, 'last few', uniform, and the m sweep."""
    sets = {"DE (last layer)": [L], "MLR {L-1,L}": last_few(L, 2), "MLR {L-2,L}": [L - 2, L],
            "MLR last-4": last_few(L, 4), "MLR uniform-4": uniform(L, 4)}
    for m in m_sweep:
        if last_few(L, m) not in sets.values():
            sets[f"MLR last-{m}"] = last_few(L, m)
    return sets


def encode_queries(encoder: MultiLayerEncoder, texts, layer, enc, pooling="cls", normalize=True) -> np.ndarray:
    return encoder.encode(texts, [layer], poolings=(pooling,), batch_size=enc["batch_size"],
                          max_length=enc["q_max_len"], bf16=enc["bf16"], normalize=normalize)[pooling][:, 0]


class LayerSetModels(NamedTuple):
    """One fine-tuned model per layer set; encoders and vectors are kept so that later cells can inspect
    them without re-encoding."""
    runs: dict[str, list]            # {split: [ranx Run of each model]}
    logs: dict[str, dict]            # {name: training log}
    encoders: LazyEncoders           # {name: encoder}, each loaded from its checkpoint when looked up
    vectors: dict[str, np.ndarray]   # {name: corpus vectors [N, m, H]}


def fine_tune_layer_sets(data: RetrievalData, sets: dict, model: str, num_layers: int, train: dict, enc: dict,
                         seed: int, splits=("dev", "test"), progress=None) -> LayerSetModels:
    """Train one model per layer set S and evaluate its multi-vector (max-sim) search."""
    configs = {name: TrainConfig(model=model, doc_layers=layers, query_layer=num_layers, seed=seed, **train)
               for name, layers in sets.items()}
    trained = train_all(data, configs, enc, splits=splits, progress=progress)
    runs = {s: [m.runs[s] for m in trained.values()] for s in splits}
    return LayerSetModels(runs, {n: m.log for n, m in trained.items()}, LazyEncoders(trained),
                          {n: m.passages for n, m in trained.items()})


def claims_table(test: pd.DataFrame, runs: dict, qrels: dict, sets: dict, cosine_ft: np.ndarray,
                 L: int) -> pd.DataFrame:
    """The paper's claims for this study, each tested by a paired comparison over the test queries
    (`runs`: {system: test Run}) and given a verdict with Holm over the notebook's claims. The
    systems compared are fixed in advance (last-4 is the paper's choice of m), never picked on test."""
    v = test.pivot(index="system", columns="metric", values="value")
    m_of = {n: len(sets[n]) for n in v.index if n in sets and sets[n] == last_few(L, len(sets[n]))}
    curve = sorted((m, v.loc[n, "Top-20"]) for n, m in m_of.items())
    widest = max(m_of, key=m_of.get)
    pair = ("MLR {L-1,L}", "MLR {L-2,L}")  # the paper's set scaled to depth first (paper_two_layer_set)
    top = L - 3
    off = cosine_ft[top:, top:][~np.eye(L + 1 - top, dtype=bool)]

    def vs(system, baseline, metric="Top-20"):
        here = f"{system} {percent(v.loc[system, metric])} vs {baseline} {percent(v.loc[baseline, metric])} ({metric})"
        return here, compare_runs(qrels, runs[system], runs[baseline], metric)

    return claims_frame([
        Claim("multi-vector MLR beats the dual encoder", "yes (NQ, TQA, SQuAD)",
              *vs("MLR last-4", "DE (last layer)")),
        Claim("last layers beat uniformly spread layers (m=4)", "last-4 > uniform-4",
              *vs("MLR last-4", "MLR uniform-4")),
        Claim("S={10,12} (scaled to depth) is the best 2-vector set", "{10,12} best on BERT-base",
              *vs(*(pair if paper_two_layer_set(L)[0] == L - 1 else pair[::-1]))),
        Claim("accuracy peaks near m=4 and falls beyond", "best at m=4",
              "Top-20 by m: " + ", ".join(f"{m}: {100 * a:.1f}" for m, a in curve) + f"; tested: last-4 vs {widest}",
              vs("MLR last-4", widest)[1] if widest != "MLR last-4" else None),
        Claim("layer [CLS] vectors are highly correlated", "stated, not measured",
              f"mean cosine among the last 4 layers (fine-tuned, held-out passages): {off.mean():.2f}"),
    ])
