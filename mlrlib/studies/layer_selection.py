"""Notebook 01, the layer-selection study (MLR, arXiv 2509.23861, §3 and §4.2.1; docs/methods.md#mlr),
as functions.

Every compared model trains the same steps on the same batches; the step count comes from the dual encoder's
learning curve (`evaluation.learning_curve`). Systems are named by their layer set and, outside the headline
pooling, by their pooling: "MLR last-4" in the headline pooling, "MLR last-4 [CLS]" in the other.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mlrlib.evaluation.claims import Claim, Condition, Premise, Test
from mlrlib.evaluation.per_query import PerQuery
from mlrlib.evaluation.premises import LOWER_LAYER_THRESHOLD, lower_layer_share
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


OTHER = " (other pooling)"  # the suffix of the other pooling's systems in the per-query file
MLR_METRICS = ("Top-5", "Top-20")  # the metrics the paper reports (DPR-style Top-k)


def record(evidence: PerQuery, cmp: Comparisons, qrels: dict, seeds, seed: int, extra_runs=()) -> None:
    """Every test system of the claims into `evidence`: seed 0's layer sets, the headline pair per seed, the other
    pooling's pair (suffixed `OTHER`) and `extra_runs` (BM25)."""
    for name, run in cmp.runs.items():
        evidence.add(name, run, qrels, "test", (seed,))
    for name, runs in cmp.seed_runs.items():
        evidence.add(name, runs, qrels, "test", seeds)
    for name, run in cmp.other_runs.items():
        evidence.add(name + OTHER, run, qrels, "test", (seed,))
    for run in extra_runs:
        evidence.add(run.name, run, qrels, "test", (0,))


def dev_lower_layer_share(model, data, enc: dict, pooling: str, L: int) -> float:
    """`premises.lower_layer_share` of a trained multi-vector model on the dev queries (its own index)."""
    queries = encode_queries(model.encoder, data.split("dev").texts, L, enc, pooling)
    return lower_layer_share(queries, model.passages, list(model.cfg.doc_layers), L)


def _mlr_premise(share: float, name: str) -> Premise:
    return Premise((Condition(f"share of dev top-10 max-sim scores of {name} won by a layer below L", share,
                              LOWER_LAYER_THRESHOLD),))


def claims(cmp: Comparisons, sets: dict, pooling: str, cosine_ft: np.ndarray, L: int, seeds,
           shares: dict[str, float], curve: dict[int, float]) -> list[Claim]:
    """The paper's claims for this study on its metrics (Top-5, Top-20), each with its premise: the share of dev
    max-sim scores won by a layer below L (`shares`, by system; `OTHER`-suffixed for the other pooling).
    curve: {m: test Top-20} of the last-m sets, shown beside the m claim."""
    m_of = {n: len(sets[n]) for n in cmp.runs if n in sets and sets[n] == last_few(L, len(sets[n]))}
    widest = max(m_of, key=m_of.get)
    pair = ("MLR {L-1,L}", "MLR {L-2,L}")  # the paper's set scaled to depth first (paper_two_layer_set)
    paper_pair = pair if paper_two_layer_set(L)[0] == L - 1 else pair[::-1]
    top = L - 3
    off = cosine_ft[top:, top:][~np.eye(L + 1 - top, dtype=bool)]
    label, other_label = POOLING_LABEL[pooling], POOLING_LABEL[other(pooling)]
    none = "the summary we cite reports no number for it"
    rows = []
    for metric in MLR_METRICS:
        rows += [
            Claim(f"multi-vector MLR beats the dual encoder ({label} pooling, {len(seeds)} seeds)",
                  "yes (NQ, TQA, SQuAD)", "", Test(HEADLINE_MLR, DE, metric, seeds=tuple(seeds)),
                  paper_effect_note=none, premise=_mlr_premise(shares[HEADLINE_MLR], HEADLINE_MLR)),
            Claim(f"multi-vector MLR beats the dual encoder ({other_label} pooling, 1 seed)", "yes ([CLS], BERT-base)",
                  "", Test(HEADLINE_MLR + OTHER, DE + OTHER, metric, seeds=(seeds[0],)), paper_effect_note=none,
                  premise=_mlr_premise(shares[HEADLINE_MLR + OTHER], f"{HEADLINE_MLR} {other_label}"))]
    rows += [
        Claim("last layers beat uniformly spread layers (m=4)", "last-4 > uniform-4", "",
              Test(HEADLINE_MLR, "MLR uniform-4", "Top-20", seeds=(seeds[0],)), paper_effect_note=none,
              premise=_mlr_premise(shares[HEADLINE_MLR], HEADLINE_MLR)),
        Claim("S={10,12} (scaled to depth) is the best 2-vector set", "{10,12} best on BERT-base", "",
              Test(*paper_pair, "Top-20", seeds=(seeds[0],)), paper_effect_note=none,
              premise=_mlr_premise(shares[paper_pair[0]], paper_pair[0]))]
    if widest != HEADLINE_MLR:
        rows.append(Claim("accuracy peaks near m=4 and falls beyond", "best at m=4",
                          "Top-20 by m: " + ", ".join(f"{m}: {100 * a:.1f}" for m, a in sorted(curve.items())),
                          Test(HEADLINE_MLR, widest, "Top-20", seeds=(seeds[0],)), paper_effect_note=none,
                          premise=_mlr_premise(shares[widest], widest)))
    rows.append(Claim("layer vectors are highly correlated", "stated, not measured",
                      f"mean cosine among the last 4 layers' {label} vectors (fine-tuned last-4, held-out passages): "
                      f"{off.mean():.2f}"))
    return rows
