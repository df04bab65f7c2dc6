"""Notebook 05, the open questions of MLR (arXiv 2509.23861), MD2PR (arXiv 2312.16821) and CE embeddings
(arXiv 2502.03552), as functions (methods in docs/methods.md): the configs of each
experiment, the measurements that are not plain metric tables, and the closing summary (a verdict per question).

Each question is a small experiment on the models and data of notebooks 01-04:
1. symmetric search: multi-vector queries (`training` objectives "query-side", "both-sides");
2. multi-vector scaling with a decorrelation penalty (`losses.layer_decorrelation`);
3. causal attention and last-token pooling (`encoders.load_model(attention="causal")`);
4. MD2PR's teacher and student size, and static vs dynamic false-negative filtering;
5. how a cross-encoder's best embedding layer moves while it trains (`training.ranker`);
6. MLR on a task outside open-domain QA, through a BEIR folder (`beir_export`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from mlrlib.evaluation.claims import Claim, ClaimsTable, Condition, Premise, Test
from mlrlib.evaluation.comparison import evaluate
from mlrlib.evaluation.experiment import encode_queries
from mlrlib.evaluation.known_false_negatives import filter_sweep, planted_false_negatives  # noqa: F401 (notebook 05)
from mlrlib.evaluation.layer_analysis import layer_by_layer, layer_cosine, m_curve
from mlrlib.evaluation.per_query import TABLE_METRICS, PerQuery
from mlrlib.evaluation.premises import LOWER_LAYER_THRESHOLD, lower_layer_share
from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.methods.layer_sets import last_few
from mlrlib.runtime.cache import atomic_dir, cache_dir
from mlrlib.training.config import TrainConfig
from mlrlib.training.light_de import ce_embedder, light_config, light_train

DE = "m=1 (DE)"


# --- 1. symmetric search -------------------------------------------------------------------

def symmetric_configs(model: str, L: int, layers, train: dict, seed: int) -> dict[str, TrainConfig]:
    """MLR with the layer set S on the passage side (the paper's), on the query side, or on both."""
    base = {"model": model, "query_layer": L, "doc_layers": layers, "seed": seed, **train}
    return {"passage side (MLR)": TrainConfig(**base), "query side": TrainConfig(objective="query-side", **base),
            "both sides": TrainConfig(objective="both-sides", **base)}


# --- 2. multi-vector scaling -----------------------------------------------------------------

def m_configs(model: str, L: int, train: dict, m_sweep, penalties, seed: int) -> dict[str, TrainConfig]:
    """MLR on the last m layers for every m of `m_sweep` (m = 1: the DE), and with the decorrelation penalty for each
    (m, gamma) of `penalties`."""
    def cfg(m, gamma=0.0):
        return TrainConfig(model=model, doc_layers=last_few(L, m), query_layer=L, seed=seed, decorrelation=gamma,
                           **train)
    out = {(DE if m == 1 else f"m={m}"): cfg(m) for m in m_sweep}
    return out | {penalised(m, g): cfg(m, g) for m, g in penalties}


def gamma_sweep(m: int, gammas) -> list[tuple[int, float]]:
    """The penalties swept on dev: each weight of `gammas` at m vectors."""
    return [(m, float(g)) for g in gammas]


def penalised(m: int, gamma: float) -> str:
    return f"m={m} + decorrelation γ={gamma:g}"


def layer_correlation(passages: np.ndarray, rows) -> float:
    """Mean cosine between different layers' vectors of the same passage, over `rows` (nan for m = 1)."""
    m = passages.shape[1]
    if m < 2:
        return float("nan")
    cos = layer_cosine(passages[rows])
    return float(cos[~np.eye(m, dtype=bool)].mean())


def m_points(test: pd.DataFrame, models: dict, rows) -> pd.DataFrame:
    """One row per (model, metric): m, the penalty's weight gamma (0: none), the metric with its interval,
    and the model's measured layer correlation on the passages `rows`."""
    return pd.concat([test[test.system == name].assign(m=len(model.cfg.doc_layers),
                                                       gamma=float(model.cfg.decorrelation),
                                                       layer_correlation=layer_correlation(model.passages, rows))
                      for name, model in models.items()], ignore_index=True)


def falls_after_peak(points: pd.DataFrame, gamma: float, metric: str = "MRR@10") -> tuple[int, bool]:
    """(the m with the best `metric` on the curve at gamma, whether its largest m scores below that peak)."""
    d = m_curve(points, gamma, metric)
    return int(d.loc[d.value.idxmax(), "m"]), bool(d.value.iloc[-1] < d.value.max())


# --- 3. causal attention ---------------------------------------------------------------------

ATTENTIONS, POOLINGS = ("bidirectional", "causal"), ("mean", "last")


def causal_configs(model: str, L: int, layers, train: dict, seed: int, attention: str = "causal",
                   pooling: str = "last") -> dict[str, TrainConfig]:
    """The DE and MLR (layer set `layers`) with one attention mask and one pooling."""
    base = {"model": model, "query_layer": L, "seed": seed, **train, "pooling": pooling, "attention": attention}
    return {"causal DE": TrainConfig(doc_layers=[L], **base), "causal MLR": TrainConfig(doc_layers=layers, **base)}


def cell(attention: str, pooling: str, kind: str) -> str:
    """The name of one model of the 2 x 2 grid: e.g. "causal, last-token: MLR"."""
    return f"{attention}, {'last-token' if pooling == 'last' else pooling}: {kind}"


def attention_grid(model: str, L: int, layers, train: dict, seed: int,
                   attentions=ATTENTIONS) -> dict[str, TrainConfig]:
    """Question 3's 2 x 2 grid, {bidirectional, causal} x {mean, last-token}: the DE and MLR of each cell, all on the
    same training budget `train`, so that the mask's and the pooling's effects on MLR's gain are read apart."""
    out = {}
    for attention in attentions:
        for pooling in POOLINGS:
            pair = causal_configs(model, L, layers, train, seed, attention, pooling)
            out |= {cell(attention, pooling, "DE"): pair["causal DE"],
                    cell(attention, pooling, "MLR"): pair["causal MLR"]}
    return out


# --- 4. MD2PR: sizes and filtering -----------------------------------------------------------

def student_configs(model: str, L: int, small, train: dict, lr: float, weights: dict,
                    seed: int) -> dict[str, TrainConfig]:
    """Students of L and of each `small` number of layers (the pre-trained model truncated), with
    labels only or + the cross-encoder's scores. The L-layer labels-only student is notebook 04's full DE;
    a truncated student trains L/l times as many steps at `lr`, as DE-l does there."""
    out = {}
    for l in (L, *small):
        t = train if l == L else light_train(train, L, l, lr)
        out[f"{l}-layer student, labels"] = light_config(model, l, "base", t, negatives=weights["negatives"], seed=seed)
        out[f"{l}-layer student, + CE scores"] = light_config(model, l, "base", t, alpha=weights["alpha"],
                                                               kd_temperature=weights["kd_temperature"],
                                                               negatives=weights["negatives"], seed=seed)
    return out


def truncated_model(model: str, layers: int) -> str:
    """A folder holding the pre-trained `model` cut to its first `layers` layers (written once): the
    start of a smaller cross-encoder."""
    folder = cache_dir("truncated_models", {"model": model, "layers": layers})
    if not (folder / "config.json").exists():
        with atomic_dir(folder) as tmp:
            MultiLayerEncoder(model).truncated(layers).save(tmp)
    return str(folder)


# --- 5. the cross-encoder's best layer during its training -----------------------------------

def snapshot_layers(snapshots: dict, data, split: str, enc: dict, runs: dict | None = None) -> pd.DataFrame:
    """Every layer of each snapshot's single-text embedder as a zero-shot retriever (long table, with `step`).
    A `runs` dict given is filled with {(f"step {s}", pooling, layer): ranx Run}."""
    tables = [layer_by_layer({f"step {s}": ce_embedder(r)}, data, split, enc, runs).assign(step=s)
              for s, r in snapshots.items()]
    return pd.concat(tables, ignore_index=True)


def best_layers(table: pd.DataFrame, L: int, metric: str = "MRR@10", pooling: str = "mean") -> pd.DataFrame:
    """Per snapshot: the best layer, its score, the best of the early layers (1..L/2), layer L/2's and the last
    layer's."""
    d = table[(table.metric == metric) & (table.pooling == pooling)]
    mid = max(1, L // 2)
    rows = []
    for step, g in d.groupby("step"):
        v = g.set_index("layer").value
        early = v.loc[1:mid]
        rows.append({"step": step, "best layer": int(v.idxmax()), f"best {metric}": v.max(),
                     "best early layer": int(early.idxmax()), f"early {metric}": early.max(),
                     f"layer {mid} {metric}": v.loc[mid], f"layer {L} {metric}": v.loc[L]})
    return pd.DataFrame(rows).set_index("step")


# --- seeds and the closing summary -----------------------------------------------------------

def for_seeds(configs_of, seeds, names) -> dict[str, TrainConfig]:
    """The configs `names` of `configs_of(seed)` for every seed but the first (which the notebook already
    trained), named "<name>, seed <s>"."""
    return {f"{n}, seed {s}": cfg for s in seeds[1:] for n, cfg in configs_of(s).items() if n in names}


def seed_runs(models: dict, name: str, seeds, split: str = "test") -> list:
    """The `split` runs of model `name` over `seeds`: the first seed's under `name`, the others' as `for_seeds`
    named them (one run per seed, as `tested` records them)."""
    return [models[name if s == seeds[0] else f"{name}, seed {s}"].runs[split] for s in seeds]


def seed_table(eval_data, models: dict, baseline: str, other: str, seeds, split: str = "test") -> pd.DataFrame:
    """Long metric table of `other` against `baseline` for each seed (column `seed`), the input of
    `comparison.seed_summary`."""
    def named(n, s):
        return models[n if s == seeds[0] else f"{n}, seed {s}"]
    return pd.concat([evaluate(eval_data, {baseline: named(baseline, s), other: named(other, s)}, split,
                               baseline=baseline).assign(seed=s) for s in seeds], ignore_index=True)


def tested(evidence: PerQuery, qrels: dict, system: str, system_runs, baseline: str, baseline_runs,
           metric: str = "MRR@10", split: str = "test", seeds=(0,)) -> Test:
    """Record both systems' per-query values (one run, or one per seed) and return the `Test` comparing them."""
    metrics = tuple(dict.fromkeys((*TABLE_METRICS, metric)))
    evidence.add(system, system_runs, qrels, split, tuple(seeds), metrics)
    evidence.add(baseline, baseline_runs, qrels, split, tuple(seeds), metrics)
    return Test(system, baseline, metric, split, tuple(seeds))


def dev_share(model, dev_texts, enc: dict, L: int) -> float:
    """`premises.lower_layer_share` of a multi-vector model: the dev queries searched in its own index."""
    queries = encode_queries(model.encoder, dev_texts, model.cfg, enc)
    return lower_layer_share(queries, model.passages, list(model.cfg.doc_layers), L)


def share_premise(share: float, name: str) -> Premise:
    return Premise((Condition(f"share of dev top-10 max-sim scores of {name} won by a layer below L", share,
                              LOWER_LAYER_THRESHOLD),))


SUMMARY_COLUMNS = {"claim (paper)": "question", "paper": "hypothesis", "here": "what we found"}


def summary(findings: list[Claim]) -> ClaimsTable:
    """The closing table, `summary.md`: one row per question (its `Claim`: question, hypothesis, what we found, and
    the test), rebuilt from the per-query file by `python -m mlrlib claims`."""
    return ClaimsTable("summary.md", tuple(findings), SUMMARY_COLUMNS)
