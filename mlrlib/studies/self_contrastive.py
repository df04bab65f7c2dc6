"""Notebook 02, single-vector MLR with self-contrastive pooling (MLR, arXiv 2509.23861, §3.2;
docs/methods.md#single-vector-mlr), as functions.

Every system is one `TrainConfig`; names say what differs from the dual encoder (DE). The study runs in notebook
01's two regimes (`evaluation.regimes`): the paper's ([CLS] pooling, trained to the DE's dev plateau) and this
model's own (mean pooling); a system of this model's own regime carries the suffix `SUFFIX["own"]`.
"""
from __future__ import annotations

import pandas as pd

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.evaluation import comparison
from mlrlib.evaluation.claims import Claim, Condition, Premise, Test, percent
from mlrlib.evaluation.experiment import encode_queries, encode_texts
from mlrlib.evaluation.per_query import PerQuery
from mlrlib.evaluation.premises import (
    CHANGED_LISTS_THRESHOLD,
    LOWER_LAYER_THRESHOLD,
    START_COSINE_THRESHOLD,
    changed_lists,
    lower_layer_share,
)
from mlrlib.evaluation.regimes import SUFFIX, TITLE, plateau_condition
from mlrlib.methods.layer_sets import paper_two_layer_set
from mlrlib.training.config import TrainConfig

DE = "DE"
READINGS = {"a": "query-anchored", "b": "self-anchored"}
POOLING_NAMES = {"average": "pool: average", "scalar-mix": "pool: scalar mix", "attention": "pool: attention"}


SETS = {"{L-1,L}": 1, "{L-2,L}": 2}  # the two-layer sets S = {L - k, L}, by label


def headline_configs(model: str, L: int, train: dict, lam: float, seed: int, sets=tuple(SETS),
                     readings=tuple(READINGS)) -> dict[str, TrainConfig]:
    """The dual encoder and single-vector MLR in each reading of `readings` (keys of READINGS) with each two-layer
    set of `sets` (labels of SETS)."""
    configs = {DE: TrainConfig(model=model, doc_layers=[L], query_layer=L, seed=seed, **train)}
    for key in readings:
        objective = READINGS[key]
        for label in sets:
            configs[f"SV-MLR ({key}) {label}"] = TrainConfig(
                model=model, doc_layers=[L - SETS[label], L], query_layer=L, objective=objective, lam=lam, seed=seed,
                **train)
    return configs


def reading_of(name: str) -> str:
    """The reading ("a" or "b") of a single-vector MLR system's name: "a" for "SV-MLR (a) {L-1,L}"."""
    return next(key for key in READINGS if name.startswith(f"SV-MLR ({key})"))


def other_set(name: str, cfg: TrainConfig) -> tuple[str, TrainConfig]:
    """The same single-vector model with the other two-layer set: ("SV-MLR (a) {L-2,L}", its config) for
    "SV-MLR (a) {L-1,L}"."""
    label = next(lab for lab in SETS if name.endswith(lab))
    other = next(lab for lab in SETS if lab != label)
    L = cfg.query_layer
    return name.replace(label, other), cfg.replace(doc_layers=(L - SETS[other], L))


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


SV_METRICS = ("Top-5", "Top-20")
PAPER_GAIN = {"Top-5": 0.0067}  # +0.67 Top-5 on NQ, the smaller of the paper's two gains (+3.70 on SQuAD)


def record(evidence: PerQuery, runs: dict, seed_runs: dict, qrels: dict, split: str, seeds, seed: int,
           extra_runs=(), suffix: str = "") -> None:
    """The systems of `runs` (seed `seed`), `seed_runs` (one run per seed) and `extra_runs` (BM25, unsuffixed) into
    `evidence`, each system's name with `suffix` (its regime's)."""
    for name, run in runs.items():
        evidence.add(name + suffix, run, qrels, split, (seed,))
    for name, per_seed in seed_runs.items():
        evidence.add(name + suffix, per_seed, qrels, split, seeds)
    for run in extra_runs:
        evidence.add(run.name, run, qrels, split, (0,))


def dev_lower_layer_share(model, data: RetrievalData, enc: dict) -> float:
    """For a model of reading (a): the share of the dev top-10 max-sim scores over its set S (each passage's
    vectors of S, the query's of L) won by a layer below L. Where it is near zero the regularizer's
    max over S is the DE's own score, and the reading has nothing to act with (`premises.lower_layer_share`)."""
    layers, L = list(model.cfg.doc_layers), model.cfg.query_layer
    passages = encode_texts(model.encoder, data.corpus_texts, layers, model.cfg, enc, "p")
    queries = encode_queries(model.encoder, data.split("dev").texts, model.cfg, enc)
    return lower_layer_share(queries, passages, layers, L)


def _ranks_differently(dev_runs: dict, system: str, baseline: str) -> Premise:
    share = changed_lists(dev_runs[system], dev_runs[baseline])
    return Premise((Condition(f"share of dev top-10 lists of {system} that differ from {baseline}'s", share,
                              CHANGED_LISTS_THRESHOLD),))


def regime_claims(regime: str, best: str, lam5: pd.Series, dev_runs: dict, seeds, L: int, start_cosine: float | None,
                  rise: float, pooling: str, shares: dict[str, float] | None = None) -> list[Claim]:
    """The paper's claims in one regime on its metrics (Top-5, Top-20), each with its premise: a single-vector
    model trained with the regularizer must rank differently from what it is compared with (`dev_runs`: {system:
    dev Run}, names with the regime's suffix), or its test compares the DE with itself; the regime's DE must have
    reached its dev plateau (`rise`); the attention pooler must also start where the DE is (`start_cosine`,
    `premises.pooler_start_cosine`; None where no attention pooler was trained). `best` (unsuffixed) is the
    single-vector model chosen on dev, `lam5` its test Top-5 by lambda (shown beside the collapse claim). A model of
    reading (a) must also have a layer below L win some of its dev max-sim scores over S (`shares`: {system,
    unsuffixed: `dev_lower_layer_share`}), or its regularizer is the DE's loss again. A claim whose systems were not
    trained in the regime (not in `dev_runs`) is left out."""
    sfx = SUFFIX[regime]
    attention, reading = POOLING_NAMES["attention"], f"({reading_of(best)})"
    high = f"{best} λ={lam5.index.max():g}"
    pair = (f"SV-MLR {reading} {{L-1,L}}", f"SV-MLR {reading} {{L-2,L}}")
    paper_set, other_set = pair if paper_two_layer_set(L)[0] == L - 1 else pair[::-1]
    where, first = f"{TITLE[regime]}: {'[CLS]' if pooling == 'cls' else pooling}", tuple(seeds[:1])

    def premise(system, baseline, *more):
        changed = _ranks_differently(dev_runs, system + sfx, baseline + sfx).conditions
        lower = () if system not in (shares or {}) else (Condition(
            f"share of dev top-10 max-sim scores over S of {system + sfx} won by a layer below L", shares[system],
            LOWER_LAYER_THRESHOLD),)
        return Premise((*changed, *lower, plateau_condition(rise), *more))
    rows = [Claim(f"single-vector MLR beats the dual encoder ({where}, {len(seeds)} seed{'s' * (len(seeds) > 1)})",
                  "+3.70 Top-5 SQuAD, +0.67 NQ", f"best on dev: {best}",
                  Test(best + sfx, DE + sfx, metric, seeds=tuple(seeds)), paper_effect=PAPER_GAIN.get(metric),
                  paper_effect_note="NQ, the smaller gain" if metric in PAPER_GAIN else
                  "the paper reports Top-5 gains", premise=premise(best, DE))
            for metric in SV_METRICS]
    if {paper_set + sfx, other_set + sfx} <= set(dev_runs):
        rows.append(Claim(f"S={{10,12}} (scaled to depth) is the better 2-layer set ({where})", "{10,12} on BERT-base",
                          f"reading {reading}", Test(paper_set + sfx, other_set + sfx, "Top-5", seeds=first),
                          premise=premise(paper_set, other_set)))
    if high + sfx in dev_runs and len(lam5) > 1:
        rows.append(Claim(f"too large a lambda collapses ({where})", "failure signature at high lambda",
                          "Top-5 by lambda: " + ", ".join(f"{lam:g}: {percent(x)}" for lam, x in lam5.items()),
                          Test(high + sfx, DE + sfx, "Top-5", seeds=first), direction="less",
                          premise=Premise(none_needed="a collapse is the loss's own failure, whatever the layers "
                                                      "hold")))
    if attention + sfx in dev_runs:
        rows.append(Claim(f"multi-layer attention pooling beats last-layer pooling ({where})",
                          "Pooling And Attention (arXiv 2409.02727), LLM embedders", "",
                          Test(attention + sfx, DE + sfx, "Top-5", seeds=first),
                          premise=premise(attention, DE, Condition(
                              "mean cosine of the untrained pooler's passage vector to the DE's (step 0)", start_cosine,
                              START_COSINE_THRESHOLD, percent=False))))
    return rows


def cost_claims(cost: dict) -> list[Claim]:
    """What single-vector MLR costs, measured (the same in either regime: one vector per passage)."""
    return [Claim("single-vector MLR costs the same as DE at search", "same index, same speed",
                  f"index {cost['sv_bytes'] / cost['de_bytes']:.2f}x DE's bytes; "
                  f"query latency {cost['latency_ratio']:.2f}x"),
            Claim("the regularizer adds training cost", "overhead, not quantified",
                  f"seconds per training step: {cost['train_ratio']:.2f}x DE's")]
