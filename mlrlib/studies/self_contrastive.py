"""Notebook 02, single-vector MLR with self-contrastive pooling (MLR, arXiv 2509.23861, §3.2;
docs/methods.md#single-vector-mlr), as functions.

Every system is one `TrainConfig`; names say what differs from the dual encoder (DE).
"""
from __future__ import annotations

import pandas as pd

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.evaluation import comparison
from mlrlib.evaluation.claims import Claim, claims_frame, percent
from mlrlib.evaluation.comparison import compare_runs, seed_deltas
from mlrlib.methods.layer_sets import paper_two_layer_set
from mlrlib.training.config import TrainConfig

DE = "DE"
READINGS = {"a": "query-anchored", "b": "self-anchored"}
POOLING_NAMES = {"average": "pool: average", "scalar-mix": "pool: scalar mix", "attention": "pool: attention"}


def headline_configs(model: str, L: int, train: dict, lam: float, seed: int) -> dict[str, TrainConfig]:
    """The dual encoder and single-vector MLR in both readings with S = {L-1, L} and {L-2, L}."""
    configs = {DE: TrainConfig(model=model, doc_layers=[L], query_layer=L, seed=seed, **train)}
    for key, objective in READINGS.items():
        for label, low in (("{L-1,L}", L - 1), ("{L-2,L}", L - 2)):
            configs[f"SV-MLR ({key}) {label}"] = TrainConfig(
                model=model, doc_layers=[low, L], query_layer=L, objective=objective, lam=lam, seed=seed, **train)
    return configs


def lambda_configs(base: TrainConfig, lambdas) -> dict[float, TrainConfig]:
    """`base` (a single-vector MLR config) at each regularizer weight lambda."""
    return {float(lam): base.replace(lam=float(lam)) for lam in lambdas}


def pooling_configs(model: str, L: int, train: dict, head_lrs: dict, seed: int) -> dict[str, TrainConfig]:
    """One model per pooler kind (the keys of head_lrs, with the learning rate of the pooler's
    own parameters) over all transformer layers 1..L, for queries and passages alike."""
    return {POOLING_NAMES[k]: TrainConfig(model=model, doc_layers=list(range(1, L + 1)), query_layer=L,
                                           layer_pooling=k, head_lr=lr, seed=seed, **train)
            for k, lr in head_lrs.items()}


def evaluate(data: RetrievalData, models: dict, split: str, extra_runs=(), baseline: str = DE) -> pd.DataFrame:
    """`comparison.evaluate` with the dual encoder as the baseline of the paired tests."""
    return comparison.evaluate(data, models, split, extra_runs, baseline)


def lambda_points(tables: dict[float, pd.DataFrame], name_of: dict[float, str]) -> pd.DataFrame:
    """Rows (lam, metric, value, ci_low, ci_high, significant) for the lambda sweep figure."""
    rows = [t[t.system == name_of[lam]].assign(lam=lam) for lam, t in tables.items()]
    return pd.concat(rows, ignore_index=True)


def claims_table(test: pd.DataFrame, best: str, per_seed: pd.DataFrame, lam_points: pd.DataFrame, cost: dict,
                 pool_test: pd.DataFrame, runs: dict, seed_runs: dict, qrels: dict, L: int) -> pd.DataFrame:
    """The paper's claims for this study, each tested by a paired comparison over the test queries and
    given a verdict (Holm over the notebook's claims).

    runs: {system: test Run} of the headline, λ-sweep (`"<best> λ=<lam>"`) and pooling models;
    seed_runs: {DE: [Run per seed], best: [Run per seed]}, compared on per-query means over seeds."""
    v = test.pivot(index="system", columns="metric", values="value")
    lam5 = lam_points[lam_points.metric == "Top-5"].set_index("lam").value
    pool = pool_test.pivot(index="system", columns="metric", values="value")
    attention, reading = POOLING_NAMES["attention"], best.split(" ")[1]
    high = f"{best} λ={lam5.index.max():g}"
    pair = (f"SV-MLR {reading} {{L-1,L}}", f"SV-MLR {reading} {{L-2,L}}")
    paper_set, other_set = pair if paper_two_layer_set(L)[0] == L - 1 else pair[::-1]
    deltas = seed_deltas(per_seed, DE, best, "Top-5")
    return claims_frame([
        Claim("single-vector MLR beats the dual encoder (Top-5)", "+3.70 SQuAD, +0.67 NQ",
              f"best on dev, {best}: {100 * deltas.mean():+.1f} ± {100 * deltas.std(ddof=1):.1f} over "
              f"{len(deltas)} seeds (per-query means over seeds tested)",
              compare_runs(qrels, seed_runs[best], seed_runs[DE], "Top-5")),
        Claim("S={10,12} (scaled to depth) is the better 2-layer set", "{10,12} on BERT-base",
              "Top-5: " + ", ".join(f"{n.split(' ', 1)[1]} {percent(v.loc[n, 'Top-5'])}"
                                    for n in v.index if n.startswith("SV-MLR")) + f"; tested: reading {reading}",
              compare_runs(qrels, runs[paper_set], runs[other_set], "Top-5")),
        Claim("too large a lambda collapses", "failure signature at high lambda",
              "Top-5 by lambda: " + ", ".join(f"{lam:g}: {percent(x)}" for lam, x in lam5.items())
              + f"; DE {percent(v.loc[DE, 'Top-5'])}; tested: λ={lam5.index.max():g} vs DE",
              compare_runs(qrels, runs[high], runs[DE], "Top-5"), direction="less"),
        Claim("single-vector MLR costs the same as DE at search", "same index, same speed",
              f"index {cost['sv_bytes'] / cost['de_bytes']:.2f}x DE's bytes; "
              f"query latency {cost['latency_ratio']:.2f}x"),
        Claim("the regularizer adds training cost", "overhead, not quantified",
              f"seconds per training step: {cost['train_ratio']:.2f}x DE's"),
        Claim("multi-layer attention pooling beats last-layer pooling (retrieval)",
              "Pooling And Attention (arXiv 2409.02727), LLM embedders",
              f"{attention} Top-5 {percent(pool.loc[attention, 'Top-5'])} vs DE {percent(pool.loc[DE, 'Top-5'])}",
              compare_runs(qrels, runs[attention], runs[DE], "Top-5")),
    ])
