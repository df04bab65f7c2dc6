"""The presets of notebook 02, single-vector MLR with self-contrastive pooling (`studies.self_contrastive`)."""
from mlrlib.data.benchmark import benchmark_config
from mlrlib.runtime.presets.shared import (
    LAPTOP_BENCHMARK,
    LAPTOP_CLS_TRAIN,
    LAPTOP_CURVE,
    LAPTOP_ENCODE,
    LAPTOP_TRAIN,
    PAPER_ENCODE_SQUAD,
    SMOKE_ENCODE,
    TRAIN,
)

# Learning rate of each pooler's own parameters. Both trained poolers start at the last layer (the DE;
# `methods.layer_pooling`). The scalar mix's numbers are softmax logits and a scale: Adam moves a parameter by about
# lr per step, and the last layer's logit starts about 8.5 above the others, so at 1e-3 the mix could not leave the
# last layer in a hundred steps. The attention pooler's matrices train at the usual rate for a fresh head.
# The average has no parameters (its value is unused). These rates were not searched on dev.
_POOLER_LR = {"average": 1e-3, "scalar-mix": 5e-2, "attention": 1e-3}

STUDY = "02_self_contrastive_mlr"


def _regimes(paper_train: dict, own_train: dict, paper_seeds: int, own_seeds: int, paper_pools: dict,
             own_pools: dict) -> dict:
    """Notebook 01's two regimes (`evaluation.regimes`): each its training (with its pooling), how many of the
    preset's seeds train the headline pair, and its layer poolers (kind: the learning rate of its parameters)."""
    return {"paper": {"train": {**paper_train, "pooling": "cls"}, "seeds": paper_seeds, "poolings": paper_pools},
            "own": {"train": {**own_train, "pooling": "mean"}, "seeds": own_seeds, "poolings": own_pools}}


_SMOKE_TRAIN = {**TRAIN, "steps": 2, "batch_size": 8}
_PAPER_TRAIN = {**TRAIN, "steps": 8000, "batch_size": 128, "hard_negatives": True, "lr": 2e-5, "temperature": 1.0,
                "normalize": False, "bf16": False, "p_max_len": 256, "q_max_len": 64, "grad_cache_chunk": 32}
_ATTENTION = {"attention": _POOLER_LR["attention"]}
PRESETS = {
    "smoke": {"data": "debian", "model": "minilm",
              "benchmark": benchmark_config(corpus_size=300, max_queries={"train": 40, "dev": 20, "test": 30},
                                            max_weak_pairs=40),
              "encode": SMOKE_ENCODE,
              "regimes": _regimes({**_SMOKE_TRAIN, "lr": LAPTOP_CLS_TRAIN["lr"]}, _SMOKE_TRAIN, 2, 1, _POOLER_LR,
                                  _ATTENTION),
              "lam": 1.0, "lambdas": [1.0, 10.0], "seeds": [0, 1, 2], "cost_steps": 2,
              "curve": {"points": 2, "sample": None}, "latency_queries": 10},
    # the paper's regime: every pooler, three seeds; this model's own: the attention pooler (the only pooler a claim
    # tests) and one seed, to fit the hour
    "laptop": {"data": "debian", "model": "minilm", "benchmark": LAPTOP_BENCHMARK, "encode": LAPTOP_ENCODE,
               "regimes": _regimes(LAPTOP_CLS_TRAIN, LAPTOP_TRAIN, 3, 1, _POOLER_LR, _ATTENTION),
               "lam": 1.0, "lambdas": [1.0, 10.0], "seeds": [0, 1, 2], "cost_steps": 3,
               "curve": LAPTOP_CURVE,
               "latency_queries": 200},
    "paper": {"data": "squad", "model": "bert-base-uncased", "benchmark": None, "encode": PAPER_ENCODE_SQUAD,
              "regimes": _regimes(_PAPER_TRAIN, _PAPER_TRAIN, 3, 1, _POOLER_LR, _POOLER_LR),
              "lam": 1.0, "lambdas": [0.01, 0.1, 1.0, 10.0], "seeds": [0, 1, 2], "cost_steps": 5,
              "curve": {"points": 4, "sample": 20_000}, "latency_queries": 1000},
}
