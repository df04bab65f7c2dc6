"""Notebook 02, single-vector MLR with self-contrastive pooling (MLR, arXiv 2509.23861, §3.2;
docs/methods.md#single-vector-mlr), as functions.

Every system is one `TrainConfig`; names say what differs from the dual encoder (DE).
"""
from __future__ import annotations

import pandas as pd

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.evaluation import comparison
from mlrlib.evaluation.claims import claim_row, percent, significance
from mlrlib.evaluation.comparison import seed_deltas
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


def claims_table(test: pd.DataFrame, best: str, per_seed: pd.DataFrame, lam_points: pd.DataFrame,
                 cost: dict, pool_test: pd.DataFrame) -> pd.DataFrame:
    """The paper's claims for this study, each checked against what was measured here."""
    v = test.pivot(index="system", columns="metric", values="value")
    lam5 = lam_points[lam_points.metric == "Top-5"].set_index("lam").value
    pool = pool_test.pivot(index="system", columns="metric", values="value")
    pool_sig = pool_test.pivot(index="system", columns="metric", values="significant")
    attention = POOLING_NAMES["attention"]

    deltas = seed_deltas(per_seed, DE, best, "Top-5")
    mean, std = 100 * deltas.mean(), 100 * deltas.std(ddof=1)
    n_sig = int(per_seed[(per_seed.system == best) & (per_seed.metric == "Top-5")].significant.sum())
    return pd.DataFrame([
        claim_row("single-vector MLR beats the dual encoder (Top-5)", "+3.70 SQuAD, +0.67 NQ",
            f"best on dev, {best}: {mean:+.1f} ± {std:.1f} over {len(deltas)} seeds, "
            f"significant (p < 0.05) in {n_sig} of {len(deltas)}",
            mean > 0 and 2 * n_sig > len(deltas)),
        claim_row("S={L-1,L} is the better 2-layer set", "{10,12} on BERT-base",
            "Top-5: " + ", ".join(f"{n.split(' ', 1)[1]} {percent(v.loc[n, 'Top-5'])}"
                                  for n in v.index if n.startswith("SV-MLR")),
            all(v.loc[f"SV-MLR ({r}) {{L-1,L}}", "Top-5"] >= v.loc[f"SV-MLR ({r}) {{L-2,L}}", "Top-5"]
                for r in READINGS)),
        claim_row("too large a lambda collapses", "failure signature at high lambda",
            "Top-5 by lambda: " + ", ".join(f"{lam:g}: {percent(x)}" for lam, x in lam5.items())
            + f"; DE {percent(v.loc[DE, 'Top-5'])}",
            lam5[lam5.index.max()] < v.loc[DE, "Top-5"] and lam5[lam5.index.max()] < lam5.max()),
        claim_row("single-vector MLR costs the same as DE at search", "same index, same speed",
            f"index {cost['sv_bytes'] / cost['de_bytes']:.2f}x DE's bytes; query latency {cost['latency_ratio']:.2f}x",
            cost["sv_bytes"] == cost["de_bytes"] and abs(cost["latency_ratio"] - 1) < 0.15),
        claim_row("the regularizer adds training cost (more than 5%)", "overhead, not quantified",
            f"seconds per training step: {cost['train_ratio']:.2f}x DE's", cost["train_ratio"] > 1.05),
        claim_row("multi-layer attention pooling beats last-layer pooling (retrieval)",
            "Pooling And Attention (arXiv 2409.02727), LLM embedders",
            f"{attention} Top-5 {percent(pool.loc[attention, 'Top-5'])} vs DE {percent(pool.loc[DE, 'Top-5'])}"
            f" ({significance(pool_sig.loc[attention, 'Top-5'])})",
            pool.loc[attention, "Top-5"] > pool.loc[DE, "Top-5"]),
    ])
