"""Notebook 04, early cross-encoder layers as embeddings and DE-l (CE embeddings, arXiv 2502.03552;
docs/methods.md#ce-embeddings-and-de-l), as functions.

Every model here trains through `light_de.LightStep` on the same batches: the full DE
(MiniLM's L layers, contrastive only) and each DE-l (first l layers of the cross-encoder,
the full DE or the pre-trained model, with or without distillation).
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from mlrlib.evaluation.claims import Claim, claims_frame, premise_caveat
from mlrlib.evaluation.comparison import compare_runs
from mlrlib.evaluation.cost import encoding_flops, encoding_throughput, parameter_counts
from mlrlib.evaluation.experiment import TrainedModel, evaluated, reuse_or_make
from mlrlib.evaluation.learning_curve import tracked_curve
from mlrlib.training.batches import plan_rows
from mlrlib.training.config import TrainConfig
from mlrlib.training.light_de import build_light, light_config, light_key, light_train, light_trainer, train_light

FULL = "full DE"
OBJECTIVES = {"contrastive": (0, 0), "+ CE scores": (1, 0), "+ DE embeddings": (0, 1), "+ both": (1, 1)}


def full_de_config(model: str, L: int, train: dict, negatives: int, seed: int) -> dict:
    """The full dual encoder: the pre-trained model's L layers, contrastive only."""
    return light_config(model, L, "base", train, negatives=negatives, seed=seed)


def objective_configs(model: str, l: int, L: int, train: dict, weights: dict, lr: float,
                      seed: int, names=tuple(OBJECTIVES)) -> dict[str, TrainConfig]:
    """DE-l copied from the cross-encoder, trained with each objective of `names` (of `OBJECTIVES`): labels only,
    + the cross-encoder's scores (alpha), + the full DE's embeddings (beta), + both."""
    unknown = set(names) - set(OBJECTIVES)
    if unknown:
        raise ValueError(f"unknown DE-l objectives {sorted(unknown)}; use some of {list(OBJECTIVES)}")
    return {f"DE-{l} {name}": light_config(model, l, "ce", light_train(train, L, l, lr), alpha=a * weights["alpha"],
                                           beta=b * weights["beta"], kd_temperature=weights["kd_temperature"],
                                           negatives=weights["negatives"], seed=seed)
            for name, (a, b) in OBJECTIVES.items() if name in names}


def recipe_of(cfg: TrainConfig, layers: int, init: str, seed: int) -> TrainConfig:
    """`cfg`'s objective on another depth (steps scaled to keep the compute), source or seed."""
    steps = round(cfg.steps * cfg.light.layers / layers)
    return cfg.replace(doc_layers=[layers], query_layer=layers, seed=seed, steps=steps,
                       light=dataclasses.replace(cfg.light, layers=layers, init=init))


def scored_rows(n_pairs: int, configs) -> list[int]:
    """The training pairs whose candidates need teacher scores: those visited by a config with alpha > 0."""
    return plan_rows(n_pairs, [c for c in configs if c.distill.alpha > 0])


def train_models(data, configs: dict, negs, ranker, teacher_key, scores, full: TrainedModel | None, enc: dict,
                 trained: dict | None = None, progress=None, eval_data=None,
                 splits=("dev", "test")) -> dict[str, TrainedModel]:
    """Train (or load) and evaluate every config on `splits` of `eval_data` (default `data`); `full` is the
    reference DE (None while training it). A same-name, same-config model in `trained` is reused."""
    def make(name, cfg):
        return evaluated(name, *train_light(data.train_pairs, negs, cfg, ranker, teacher_key, scores,
                                            full.encoder if full else None, full.log["key"] if full else None,
                                            progress), cfg, eval_data or data, enc, splits)
    return reuse_or_make(configs, make, trained)


def light_curve(data, cfg: TrainConfig, at_steps, negs, ranker, teacher_key, scores, full: TrainedModel | None,
                enc: dict, eval_data=None, metric: str = "MRR@10") -> pd.DataFrame:
    """DE-l's learning curve (`learning_curve.tracked_curve`): `cfg` trained for max(at_steps) steps, `metric`
    on the dev split of `eval_data` (default `data`) before training and after each step of `at_steps`. The
    run is stored as the checkpoint of `cfg` at that step count, so `train_models` reuses it."""
    cfg = cfg.replace(steps=max(at_steps))
    full_de, full_key = (full.encoder, full.log["key"]) if full else (None, None)
    key = light_key(cfg, data.train_pairs, negs, teacher_key, full_key)
    train = light_trainer(data.train_pairs, negs, cfg, ranker, scores, full_de)
    return tracked_curve(key, cfg, lambda: build_light(cfg, ranker, full_de), train, at_steps,
                         data if eval_data is None else eval_data, enc, metric)


def early_layer_gaps(layers: pd.DataFrame, a: str, b: str, upto: int, metric="MRR@10", pooling="mean") -> pd.Series:
    """Per layer 1..upto: metric of model a minus model b (mean pooling)."""
    d = layers[(layers.metric == metric) & (layers.pooling == pooling) & layers.layer.between(1, upto)]
    v = d.pivot(index="layer", columns="model", values="value")
    return v[a] - v[b]


def measure_speed(models: dict, sample, enc: dict, repeats: int) -> pd.DataFrame:
    """`speed_table` of {name: (TrainedModel, layer)} on the passages `sample`: FLOPs (`cost.encoding_flops`),
    throughput (`cost.encoding_throughput`, interleaved) and parameters. The encoders are loaded for this call
    only: kept in the notebook, the four held 318 MiB for the rest of its run (Binder's kernel has about 2 GB)."""
    encoders = {name: (model.encoder, layer) for name, (model, layer) in models.items()}
    flops = {name: encoding_flops(e, layer, sample, enc) for name, (e, layer) in encoders.items()}
    throughput = encoding_throughput(encoders, sample, enc, repeats)
    return speed_table(throughput, flops, parameter_counts({name: e for name, (e, _) in encoders.items()}))


def speed_table(throughput: pd.DataFrame, flops: dict, params: pd.DataFrame) -> pd.DataFrame:
    """Measured speedup beside the FLOP ratio (both against the first row), and their quotient."""
    base = flops[throughput.index[0]]
    t = throughput.join(params)
    t["GFLOPs"] = [flops[n] / 1e9 for n in t.index]
    t["FLOP ratio"] = [base / flops[n] for n in t.index]
    return t.assign(**{"speedup / FLOP ratio": t.speedup / t["FLOP ratio"]})


def relative_gap(test: pd.DataFrame, system: str, baseline: str, metric: str) -> float:
    """(system - baseline) / baseline on `metric`."""
    v = test[test.metric == metric].set_index("system").value
    return float((v[system] - v[baseline]) / v[baseline])


def claims_table(layers: pd.DataFrame, per_seed: pd.DataFrame, speed: pd.DataFrame, pipeline: pd.DataFrame,
                 latency: pd.DataFrame, de2: str, bm25: dict, paper: dict, runs: dict, seed_runs: dict,
                 layer_runs: dict, qrels: dict, ce: str = "cross-encoder", de: str = FULL,
                 de2_training: str = "") -> pd.DataFrame:
    """The paper's claims, each tested by a paired comparison over the test queries (MRR@10) and given a
    verdict (Holm over the notebook's directional claims).

    runs: {system: test Run} with "BM25", the full DE and the pipeline's systems ("<name> + rerank");
    de2_training: how far DE-2's training got (its learning curve, in words), set beside its claim.
    seed_runs: {de: [Run per seed], de2: [Run per seed]}; layer_runs: {(model, pooling, layer): Run}
    of `layer_by_layer`. "Within the paper's gap" claims are equivalence claims: supported when the
    95% interval of the difference lies within ±(paper's gap) x the full system's MRR@10."""
    L = int(layers.layer.max())
    upto = max(1, L // 2)
    gaps = early_layer_gaps(layers, ce, de, upto)
    mean = layers[(layers.metric == "MRR@10") & (layers.pooling == "mean")].set_index(["model", "layer"]).value
    rel = {m: [relative_gap(per_seed[per_seed.seed == s], de2, de, m) for s in sorted(per_seed.seed.unique())]
           for m in ("MRR@10", "Top-20")}
    v = pipeline.pivot(index="system", columns="metric", values="value")
    rr_small, rr_full = f"{de2} + rerank", f"{FULL} + rerank"
    early = range(1, upto + 1)
    probe = min(2, L)  # the depth of DE-2, fixed in advance rather than the best layer on test
    gap = paper["de2_gap_percent"] / 100
    full_mrr = float(per_seed[(per_seed.system == de) & (per_seed.metric == "MRR@10")].value.mean())
    premise = compare_runs(qrels, runs[rr_full], runs[de], "MRR@10")
    caveat = premise_caveat(premise, "the cross-encoder does not re-rank the full DE significantly better: a "
                                     "re-ranker this weak is not what the paper pairs DE-2 with")
    return claims_frame([
        Claim("early CE layers carry more retrieval signal than early DE layers", "yes",
              "MRR@10, CE − DE, mean pooling, layers 1–" + f"{upto}: " + ", ".join(f"{100 * g:+.1f}" for g in gaps)
              + "; tested: per-query mean over those layers",
              compare_runs(qrels, [layer_runs[(ce, "mean", l)] for l in early],
                           [layer_runs[(de, "mean", l)] for l in early], "MRR@10")),
        Claim("CE embeddings are usable for first-stage retrieval", "yes",
              f"CE layer {probe} (mean): MRR@10 {100 * mean[(ce, probe)]:.1f} vs BM25 {100 * bm25['MRR@10']:.1f}",
              compare_runs(qrels, layer_runs[(ce, "mean", probe)], runs["BM25"], "MRR@10")),
        Claim("DE-2 is within about 1% of the full DE", f"about {paper['de2_gap_percent']}%",
              f"relative gap over {len(rel['MRR@10'])} seeds: MRR@10 {100 * np.mean(rel['MRR@10']):+.1f}%, "
              f"Top-20 {100 * np.mean(rel['Top-20']):+.1f}%; equivalence margin ±{100 * gap * full_mrr:.1f} points"
              + (f"; DE-2's dev curve: {de2_training}" if de2_training else ""),
              compare_runs(qrels, seed_runs[de2], seed_runs[de], "MRR@10"), "equivalent", gap * full_mrr),
        Claim("DE-2 encodes several times faster", f"{paper['de2_speedup']}x (12-layer model)",
              f"{speed.loc[de2, 'speedup']:.2f}x measured, {speed.loc[de2, 'FLOP ratio']:.2f}x by FLOPs "
              f"({L}-layer model: {L}/2 = {L / 2:.0f}x of the layer FLOPs at most)"),
        Claim("the cross-encoder re-ranks the full DE's top k better (premise of re-ranking)", "a trained ranker",
              f"MRR@10 {100 * (v.loc[rr_full, 'MRR@10'] - premise.difference):.1f} -> "
              f"{100 * v.loc[rr_full, 'MRR@10']:.1f}",
              premise),
        Claim("DE-2 + rerank matches full DE + rerank", "DE-2 as the first stage",
              f"MRR@10 {100 * v.loc[rr_small, 'MRR@10']:.1f} vs {100 * v.loc[rr_full, 'MRR@10']:.1f}; per-query "
              f"latency {latency.loc[rr_small, 'median_ms']:.0f} vs {latency.loc[rr_full, 'median_ms']:.0f} ms; "
              f"equivalence margin ±{100 * gap * v.loc[rr_full, 'MRR@10']:.1f} points" + caveat,
              compare_runs(qrels, runs[rr_small], runs[rr_full], "MRR@10"), "equivalent",
              gap * float(v.loc[rr_full, "MRR@10"])),
    ])
