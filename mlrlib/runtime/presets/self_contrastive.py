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


def _regime(train: dict, pooling: str, seeds: int, readings, other_set: bool, lambdas, poolings: dict) -> dict:
    """One of notebook 01's two regimes (`evaluation.regimes`) as notebook 02 runs it: its training (with its
    pooling); how many of the preset's seeds train the headline pair; which readings of single-vector MLR it trains
    and chooses from on dev ("a", "b"; None: only the reading chosen in the paper's regime); whether the chosen
    model is also trained with the other two-layer set; the lambdas of its sweep (the preset's `lam` is reused);
    its layer poolers (kind: the learning rate of its own parameters). A system that is not trained has no claim."""
    return {"train": {**train, "pooling": pooling}, "seeds": seeds, "readings": readings, "other_set": other_set,
            "lambdas": lambdas, "poolings": poolings}


_SMOKE_TRAIN = {**TRAIN, "steps": 2, "batch_size": 8}
_PAPER_TRAIN = {**TRAIN, "steps": 8000, "batch_size": 128, "hard_negatives": True, "lr": 2e-5, "temperature": 1.0,
                "normalize": False, "bf16": False, "p_max_len": 256, "q_max_len": 64, "grad_cache_chunk": 32}
_ATTENTION = {"attention": _POOLER_LR["attention"]}
PRESETS = {
    # smoke runs every code path: the paper's regime with everything, this model's own with the reduced plan
    "smoke": {"data": "debian", "model": "minilm",
              "benchmark": benchmark_config(corpus_size=300, max_queries={"train": 40, "dev": 20, "test": 30},
                                            max_weak_pairs=40),
              "encode": SMOKE_ENCODE,
              "regimes": {"paper": _regime({**_SMOKE_TRAIN, "lr": LAPTOP_CLS_TRAIN["lr"]}, "cls", 2, ["a", "b"], True,
                                           [1.0, 10.0], _POOLER_LR),
                          "own": _regime(_SMOKE_TRAIN, "mean", 1, None, False, [1.0], _ATTENTION)},
              "lam": 1.0, "seeds": [0, 1, 2], "cost_steps": 2,
              "curve": {"points": 2, "sample": None}, "latency_queries": 10},
    # Cut to fit the hour on 2 cores (a [CLS] model of 120 steps takes about 5.5 minutes to train and encode the
    # corpus, a mean-pooled one of 50 steps about 4): the paper's regime trains the DE and both readings (the choice
    # on dev), the chosen one and the DE with three seeds, and the attention pooler (its claim); this model's own
    # regime the DE and the reading chosen in the paper's regime, one seed. Cut, with the claims they alone would
    # test: the other two-layer set {L-2,L} (the set claim), lambda = 10 (the collapse claim), the scalar mix and
    # the average (no claim; `smoke` and `paper` train them), and the own regime's attention pooler.
    "laptop": {"data": "debian", "model": "minilm", "benchmark": LAPTOP_BENCHMARK, "encode": LAPTOP_ENCODE,
               "regimes": {"paper": _regime(LAPTOP_CLS_TRAIN, "cls", 3, ["a", "b"], False, [1.0], _ATTENTION),
                           "own": _regime(LAPTOP_TRAIN, "mean", 1, None, False, [1.0], {})},
               "lam": 1.0, "seeds": [0, 1, 2], "cost_steps": 3,
               "curve": LAPTOP_CURVE,
               "latency_queries": 200},
    "paper": {"data": "squad", "model": "bert-base-uncased", "benchmark": None, "encode": PAPER_ENCODE_SQUAD,
              "regimes": {r: _regime(_PAPER_TRAIN, pooling, seeds, ["a", "b"], True, [0.01, 0.1, 1.0, 10.0],
                                     _POOLER_LR) for r, pooling, seeds in (("paper", "cls", 3), ("own", "mean", 1))},
              "lam": 1.0, "seeds": [0, 1, 2], "cost_steps": 5,
              "curve": {"points": 4, "sample": 20_000}, "latency_queries": 1000},
}
