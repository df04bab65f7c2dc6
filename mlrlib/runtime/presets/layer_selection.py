"""The presets of notebook 01, the layer-selection study (`studies.layer_selection`)."""
from mlrlib.data.benchmark import benchmark_config
from mlrlib.runtime.presets.shared import (
    ENCODE,
    LAPTOP_BENCHMARK,
    LAPTOP_CLS_TRAIN,
    LAPTOP_CURVE,
    LAPTOP_TRAIN,
    PAPER_ENCODE_SQUAD,
    SMOKE_ENCODE,
    TRAIN,
)

STUDY = "01_layer_selection"


def _regimes(paper_train: dict, own_train: dict, paper_seeds: int, own_seeds: int, m_sweep, own_m_sweep=None) -> dict:
    """The study's two regimes (`studies.layer_selection.REGIMES`): the paper's ([CLS], trained to its dev plateau)
    and this model's own (mean pooling). `seeds`: how many of the preset's seeds train the headline pair."""
    return {"paper": {"pooling": "cls", "train": paper_train, "seeds": paper_seeds, "m_sweep": m_sweep},
            "own": {"pooling": "mean", "train": own_train, "seeds": own_seeds, "m_sweep": own_m_sweep or m_sweep}}


_PAPER_TRAIN = {**TRAIN, "steps": 8000, "batch_size": 128, "hard_negatives": True, "lr": 2e-5, "temperature": 1.0,
                "normalize": False, "bf16": False, "p_max_len": 256, "q_max_len": 64, "grad_cache_chunk": 32}
PRESETS = {
    "smoke": {"data": "debian", "model": "minilm",
              "benchmark": benchmark_config(corpus_size=500, max_queries={"train": 60, "dev": 20, "test": 30},
                                            max_weak_pairs=100),
              "encode": SMOKE_ENCODE,
              "regimes": _regimes({**TRAIN, "steps": 4, "batch_size": 8, "lr": LAPTOP_CLS_TRAIN["lr"]},
                                  {**TRAIN, "steps": 3, "batch_size": 8}, 2, 1, [1, 2, 4]),
              "seeds": [0, 1], "curve": {"points": 2, "sample": None}, "cosine_passages": 50},
    # this model's own regime: one seed and no last-6, to fit the hour; the paper's regime has three seeds and the
    # whole m sweep. Where the own regime's premise fails (lower layers win under 5% of the max-sim scores) more
    # seeds could not change its verdicts
    "laptop": {"data": "debian", "model": "minilm", "benchmark": LAPTOP_BENCHMARK, "encode": ENCODE,
               "regimes": _regimes(LAPTOP_CLS_TRAIN, LAPTOP_TRAIN, 3, 1, [1, 2, 4, 6], [1, 2, 4]),
               "seeds": [0, 1, 2], "curve": LAPTOP_CURVE, "cosine_passages": 500},
    "paper": {"data": "squad", "model": "bert-base-uncased", "benchmark": None,
              "encode": PAPER_ENCODE_SQUAD,
              "regimes": _regimes(_PAPER_TRAIN, _PAPER_TRAIN, 3, 1, [1, 2, 3, 4, 6, 8, 12]),
              "seeds": [0, 1, 2], "curve": {"points": 4, "sample": 20_000}, "cosine_passages": 2000},
}
