"""The presets of notebook 02, single-vector MLR with self-contrastive pooling (`studies.self_contrastive`)."""
from mlrlib.data.benchmark import benchmark_config
from mlrlib.runtime.presets.shared import (
    ENCODE,
    LAPTOP_BENCHMARK,
    LAPTOP_CURVE,
    LAPTOP_TRAIN,
    PAPER_ENCODE_SQUAD,
    SMOKE_ENCODE,
    TRAIN,
)

# Learning rate of each pooler's own parameters. The scalar mix's 7 numbers are softmax logits and a
# scale: Adam moves a parameter by about lr per step, so with 1e-3 they would barely leave the plain
# average in 30 steps. The attention pooler's matrices train at the usual rate for a fresh head.
# The average has no parameters (its value is unused).
_POOLER_LR = {"average": 1e-3, "scalar-mix": 5e-2, "attention": 1e-3}

STUDY = "02_self_contrastive_mlr"
PRESETS = {
    "smoke": {"data": "debian", "model": "minilm",
              "benchmark": benchmark_config(corpus_size=300, max_queries={"train": 40, "dev": 20, "test": 30},
                                            max_weak_pairs=40),
              "encode": SMOKE_ENCODE, "train": {**TRAIN, "steps": 2, "batch_size": 8, "pooling": "mean"},
              "lam": 1.0, "lambdas": [0.1, 1.0, 10.0], "poolings": _POOLER_LR,
              "seeds": [0, 1, 2], "cost_steps": 2, "curve": {"points": 2, "sample": None}, "latency_queries": 10},
    # mean pooling: notebook 01 (same corpus, same training) found this model's mean-pooled DE the stronger on dev
    "laptop": {"data": "debian", "model": "minilm", "benchmark": LAPTOP_BENCHMARK,
               "encode": ENCODE, "train": {**LAPTOP_TRAIN, "pooling": "mean"},
               "lam": 1.0, "lambdas": [0.1, 1.0, 10.0], "poolings": _POOLER_LR,
               "seeds": [0, 1, 2], "cost_steps": 3, "curve": LAPTOP_CURVE, "latency_queries": 200},
    "paper": {"data": "squad", "model": "bert-base-uncased", "benchmark": None,
              "encode": PAPER_ENCODE_SQUAD,
              "train": {**TRAIN, "steps": 8000, "batch_size": 128, "hard_negatives": True, "lr": 2e-5,
                        "temperature": 1.0, "normalize": False, "bf16": False, "p_max_len": 256,
                        "q_max_len": 64, "grad_cache_chunk": 32, "pooling": "cls"},
              "lam": 1.0, "lambdas": [0.01, 0.1, 1.0, 10.0], "poolings": _POOLER_LR,
              "seeds": [0, 1, 2], "cost_steps": 5, "curve": {"points": 4, "sample": 20_000},
              "latency_queries": 1000},
}
