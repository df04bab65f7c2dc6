"""Notebook 01, the layer-selection study (MLR, arXiv 2509.23861, §3 and §4.2.1; docs/methods.md#mlr),
as functions.

The study runs in two regimes, named as such (`evaluation.regimes`): *the paper's* ([CLS] pooling, an encoder whose
pooled token was never trained for retrieval, as BERT-base's was not, every model trained to the dual encoder's dev
plateau) and *this model's own* (mean pooling, all-MiniLM-L6-v2's training objective). In each, every compared
model trains the same steps on the same batches. Systems are named by their layer set, with the regime's suffix
(`SUFFIX`): "MLR last-4" in the paper's regime, "MLR last-4 (own regime)" in the other.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mlrlib.evaluation.claims import Claim, Condition, Premise, Test
from mlrlib.evaluation.per_query import PerQuery
from mlrlib.evaluation.premises import LOWER_LAYER_THRESHOLD, lower_layer_share
from mlrlib.evaluation.regimes import SUFFIX, TITLE, plateau_condition
from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.methods.layer_sets import last_few, paper_two_layer_set, uniform
from mlrlib.training.config import TrainConfig

DE = "DE (last layer)"
HEADLINE_MLR = "MLR last-4"  # the paper's choice of m, fixed in advance (never picked on test)
POOLINGS = ("cls", "mean")
POOLING_LABEL = {"cls": "[CLS]", "mean": "mean"}



def layer_sets(L: int, m_sweep, systems=None) -> dict[str, list[int]]:
    """Named layer sets S of the study: the dual encoder, 'last few', uniform, and the m sweep; only those named in
    `systems` (None: all)."""
    sets = {DE: [L], "MLR {L-1,L}": last_few(L, 2), "MLR {L-2,L}": [L - 2, L],
            HEADLINE_MLR: last_few(L, 4), "MLR uniform-4": uniform(L, 4)}
    for m in m_sweep:
        if last_few(L, m) not in sets.values():
            sets[f"MLR last-{m}"] = last_few(L, m)
    return sets if systems is None else {n: s for n, s in sets.items() if n in systems}


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


class RegimeRuns(NamedTuple):
    """The test runs one regime's claims rest on."""
    pooling: str          # "cls" or "mean"
    runs: dict            # {system: test Run} of the regime's layer sets, first seed
    seed_runs: dict       # {DE: [Run per seed], HEADLINE_MLR: [Run per seed]}
    seeds: tuple          # the seeds of seed_runs, the first one that of `runs`
    plateau_rise: float   # the DE's dev curve: how much it rose over its last quarter (`premises.last_quarter_rise`)


MLR_METRICS = ("Top-5", "Top-20")  # the metrics the paper reports (DPR-style Top-k)


def record(evidence: PerQuery, regime: str, rr: RegimeRuns, qrels: dict, extra_runs=()) -> None:
    """Every test system of one regime's claims into `evidence`, named with the regime's suffix: the layer sets
    (first seed), the headline pair per seed, and `extra_runs` (BM25, unsuffixed)."""
    suffix = SUFFIX[regime]
    for name, run in rr.runs.items():
        evidence.add(name + suffix, run, qrels, "test", rr.seeds[:1])
    for name, runs in rr.seed_runs.items():
        evidence.add(name + suffix, runs, qrels, "test", rr.seeds)
    for run in extra_runs:
        evidence.add(run.name, run, qrels, "test", (0,))


def dev_lower_layer_share(model, data, enc: dict, pooling: str, L: int) -> float:
    """`premises.lower_layer_share` of a trained multi-vector model on the dev queries (its own index)."""
    queries = encode_queries(model.encoder, data.split("dev").texts, L, enc, pooling)
    return lower_layer_share(queries, model.passages, list(model.cfg.doc_layers), L)


def _premise(share: float, name: str, rise: float) -> Premise:
    return Premise((Condition(f"share of dev top-10 max-sim scores of {name} won by a layer below L", share,
                              LOWER_LAYER_THRESHOLD), plateau_condition(rise)))


def regime_claims(regime: str, rr: RegimeRuns, sets: dict, L: int, shares: dict[str, float],
                  curve: dict[int, float]) -> list[Claim]:
    """The paper's claims in one regime on its metrics, each with its premise: a layer below L must win some dev
    max-sim scores (`shares`: {system: share}, unsuffixed), and the DE must have reached its dev plateau.
    curve: {m: test Top-20} of the last-m sets, shown beside the m claim. A claim whose layer sets the regime did not
    train is left out."""
    sfx, rise = SUFFIX[regime], rr.plateau_rise
    m_of = {n: len(sets[n]) for n in rr.runs if n in sets and sets[n] == last_few(L, len(sets[n]))}
    widest = max(m_of, key=m_of.get, default=HEADLINE_MLR)
    pair = ("MLR {L-1,L}", "MLR {L-2,L}")  # the paper's set scaled to depth first (paper_two_layer_set)
    paper_pair = pair if paper_two_layer_set(L)[0] == L - 1 else pair[::-1]
    where = f"{TITLE[regime]}: {POOLING_LABEL[rr.pooling]}"
    none = "the summary we cite reports no number for it"
    first = rr.seeds[:1]

    def claim(text, paper, system, baseline, metric, seeds, here=""):
        if system not in rr.runs or baseline not in rr.runs:
            return None  # a layer set this regime did not train (its preset says why)
        return Claim(f"{text} ({where}, {len(seeds)} seed{'s' * (len(seeds) > 1)})", paper, here,
                     Test(system + sfx, baseline + sfx, metric, seeds=tuple(seeds)), paper_effect_note=none,
                     premise=_premise(shares[system], system + sfx, rise))
    rows = [claim("multi-vector MLR beats the dual encoder", "yes (NQ, TQA, SQuAD; [CLS], BERT-base)",
                  HEADLINE_MLR, DE, metric, rr.seeds) for metric in MLR_METRICS]
    rows += [claim("last layers beat uniformly spread layers (m=4)", "last-4 > uniform-4", HEADLINE_MLR,
                   "MLR uniform-4", "Top-20", first),
             claim("S={10,12} (scaled to depth) is the best 2-vector set", "{10,12} best on BERT-base", *paper_pair,
                   "Top-20", first)]
    if widest != HEADLINE_MLR:
        rows.append(claim("accuracy peaks near m=4 and falls beyond", "best at m=4", HEADLINE_MLR, widest, "Top-20",
                          first, "Top-20 by m: " + ", ".join(f"{m}: {100 * a:.1f}" for m, a in sorted(curve.items()))))
    return [row for row in rows if row is not None]


def correlation_claim(cosine_ft: np.ndarray, L: int, pooling: str) -> Claim:
    """The paper's remark that layer vectors are highly correlated, measured on the last four layers."""
    top = L - 3
    off = cosine_ft[top:, top:][~np.eye(L + 1 - top, dtype=bool)]
    return Claim("layer vectors are highly correlated", "stated, not measured",
                 f"mean cosine among the last 4 layers' {POOLING_LABEL[pooling]} vectors (the paper's regime, "
                 f"fine-tuned last-4, held-out passages): {off.mean():.2f}")
