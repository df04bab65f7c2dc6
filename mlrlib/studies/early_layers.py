"""Notebook 04, early cross-encoder layers as embeddings and DE-l (CE embeddings, arXiv 2502.03552;
docs/methods.md#ce-embeddings-and-de-l), as functions.

Every model here trains through `light_de.LightStep` on the same batches: the full DE
(MiniLM's L layers, contrastive only) and each DE-l (first l layers of the cross-encoder,
the full DE or the pre-trained model, with or without distillation).
"""
from __future__ import annotations

import dataclasses

import pandas as pd

from mlrlib.evaluation.claims import Claim, Condition, Premise, Test
from mlrlib.evaluation.cost import encoding_flops, encoding_throughput, parameter_counts
from mlrlib.evaluation.experiment import TrainedModel, evaluated, reuse_or_make
from mlrlib.evaluation.learning_curve import tracked_curve
from mlrlib.evaluation.per_query import PerQuery
from mlrlib.evaluation.premises import PLATEAU_RISE
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
                                           negatives=weights["negatives"], seed=seed,
                                           unlabelled=b * weights.get("unlabelled", 0))
            for name, (a, b) in OBJECTIVES.items() if name in names}


def unlabelled_pool(data) -> list[str]:
    """The texts DE-l's embedding term may read beyond its batches: every corpus passage and training question."""
    return [*map(str, data.corpus_texts), *dict.fromkeys(p["query"] for p in data.train_pairs)]


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
                                            progress, unlabelled_pool(data) if cfg.light.unlabelled else None),
                         cfg, eval_data or data, enc, splits)
    return reuse_or_make(configs, make, trained)


def light_curve(data, cfg: TrainConfig, at_steps, negs, ranker, teacher_key, scores, full: TrainedModel | None,
                enc: dict, eval_data=None, metric: str = "MRR@10") -> pd.DataFrame:
    """DE-l's learning curve (`learning_curve.tracked_curve`): `cfg` trained for max(at_steps) steps, `metric`
    on the dev split of `eval_data` (default `data`) before training and after each step of `at_steps`. The
    run is stored as the checkpoint of `cfg` at that step count, so `train_models` reuses it."""
    cfg = cfg.replace(steps=max(at_steps))
    full_de, full_key = (full.encoder, full.log["key"]) if full else (None, None)
    pool = unlabelled_pool(data) if cfg.light.unlabelled else None
    key = light_key(cfg, data.train_pairs, negs, teacher_key, full_key, pool)
    train = light_trainer(data.train_pairs, negs, cfg, ranker, scores, full_de, pool=pool)
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


CE = "cross-encoder"
PRETRAINED = "MiniLM (pre-trained)"
RERANKED_FULL = f"{FULL} + rerank"


# The claims read centred vectors (each layer's corpus mean subtracted, `layer_analysis.centred`): raw cosine on an
# early layer, where any two passages sit at cosine ~0.75, counts the direction all share as similarity (even the
# embedding layer scores). The raw numbers are recorded and shown beside them.
TESTED_VECTORS = "centred"


def early(name: str, upto: int, vectors: str = TESTED_VECTORS) -> str:
    """The system of a model's layers 1..upto (mean pooling), each query's mean over those layers."""
    return f"{name} layers 1-{upto} (mean{', centred' if vectors == 'centred' else ''})"


def one_layer(name: str, layer: int, vectors: str = TESTED_VECTORS) -> str:
    """The system of a model's layer `layer` alone (mean pooling)."""
    return f"{name} layer {layer} (mean{', centred' if vectors == 'centred' else ''})"


def record_layers(evidence: PerQuery, layer_runs: dict, models, upto: int, qrels: dict, split: str,
                  seed: int) -> None:
    """Each of `models`' layers 1..upto (mean pooling) as one system (`early`), and layer 2 alone, from raw and
    from centred vectors (`layer_analysis.layer_by_layer(centre=True)`'s runs)."""
    for name in models:
        for vectors, tail in (("raw", ()), ("centred", ("centred",))):
            evidence.add_mean(early(name, upto, vectors),
                              [layer_runs[(name, "mean", l, *tail)] for l in range(1, upto + 1)], qrels, split, seed)
            evidence.add(one_layer(name, min(2, upto), vectors), layer_runs[(name, "mean", min(2, upto), *tail)],
                         qrels, split, (seed,))


def ce_premises(upto: int) -> tuple[Condition, Condition]:
    """What "the cross-encoder" must be for its claims to speak to the paper: a re-ranker better than the DE it
    re-ranks (dev), and early layers that differ as retrievers from the pre-trained model's (dev)."""
    return (Condition("dev MRR@10, the CE re-ranking the full DE's top k − the full DE",
                      test=Test(RERANKED_FULL, FULL, "MRR@10", "dev")),
            Condition(f"dev MRR@10, CE layers 1-{upto} − pre-trained layers 1-{upto} (centred)",
                      test=Test(early(CE, upto), early(PRETRAINED, upto), "MRR@10", "dev"), direction="different"))


def claims(speed: pd.DataFrame, latency: pd.DataFrame, paper: dict, full_mrr: float, rerank_mrr: float, L: int,
           seeds, de2_rise: float | None, de2: str = "DE-2") -> list[Claim]:
    """The paper's claims on MRR@10, each with its premise (`ce_premises`; DE-2 trained to its dev plateau,
    `de2_rise` the rise of its curve's last quarter, None when it has none). "Within the paper's gap" claims are
    equivalence claims: within ±(paper's gap) x the full system's MRR@10 (`full_mrr`, `rerank_mrr`)."""
    upto = max(1, L // 2)
    probe = min(2, L)  # the depth of DE-2, fixed in advance rather than the best layer on test
    gap = paper["de2_gap_percent"] / 100
    reranker, differs = ce_premises(upto)
    plateau = () if de2_rise is None else (Condition("DE-2's dev MRR@10 rise over the last quarter of its learning "
                                                     "curve", de2_rise, PLATEAU_RISE, at_most=True),)
    none = "the summary we cite gives no number"
    return [
        Claim("early CE layers carry more retrieval signal than early DE layers", "yes",
              "per-query mean over layers, centred vectors",
              Test(early(CE, upto), early(FULL, upto), "MRR@10"), paper_effect_note=none,
              premise=Premise((reranker, differs))),
        Claim("CE embeddings are usable for first-stage retrieval", "yes", f"CE layer {probe} (centred) vs BM25",
              Test(one_layer(CE, probe), "BM25", "MRR@10"), paper_effect_note=none,
              premise=Premise((reranker, differs))),
        Claim("DE-2 is within about 1% of the full DE", f"about {paper['de2_gap_percent']}%",
              f"{len(seeds)} seeds", Test(de2, FULL, "MRR@10", seeds=tuple(seeds)), "equivalent", gap * full_mrr,
              premise=Premise(plateau) if plateau else None),
        Claim("DE-2 encodes several times faster", f"{paper['de2_speedup']}x (12-layer model)",
              f"{speed.loc[de2, 'speedup']:.2f}x measured, {speed.loc[de2, 'FLOP ratio']:.2f}x by FLOPs "
              f"({L}-layer model: {L}/2 = {L / 2:.0f}x of the layer FLOPs at most)"),
        Claim("the cross-encoder re-ranks the full DE's top k better (premise of re-ranking)", "a trained ranker",
              "test split", Test(RERANKED_FULL, FULL, "MRR@10"),
              premise=Premise(none_needed="it is the re-ranking claims' premise, tested on test as well")),
        Claim("DE-2 + rerank matches full DE + rerank", "DE-2 as the first stage",
              f"per-query latency {latency.loc[f'{de2} + rerank', 'median_ms']:.0f} vs "
              f"{latency.loc[RERANKED_FULL, 'median_ms']:.0f} ms",
              Test(f"{de2} + rerank", RERANKED_FULL, "MRR@10"), "equivalent", gap * rerank_mrr,
              premise=Premise((reranker,))),
    ]
