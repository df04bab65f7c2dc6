"""The presets of notebook 01, the layer-selection study (`studies.layer_selection`)."""
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

STUDY = "01_layer_selection"
PRESETS = {
    "smoke": {"data": "debian", "model": "minilm",
              "benchmark": benchmark_config(corpus_size=500, max_queries={"train": 60, "dev": 20, "test": 30},
                                            max_weak_pairs=100),
              "encode": SMOKE_ENCODE, "train": {**TRAIN, "steps": 3, "batch_size": 8},
              "m_sweep": [1, 2, 4, 6], "seeds": [0, 1], "curve": {"points": 2, "sample": None},
              "cosine_passages": 50},
    "laptop": {"data": "debian", "model": "minilm", "benchmark": LAPTOP_BENCHMARK,
               "encode": ENCODE, "train": LAPTOP_TRAIN, "m_sweep": [1, 2, 4, 6], "seeds": [0, 1, 2],
               "curve": LAPTOP_CURVE, "cosine_passages": 500},
    "paper": {"data": "squad", "model": "bert-base-uncased", "benchmark": None,
              "encode": PAPER_ENCODE_SQUAD,
              "train": {**TRAIN, "steps": 8000, "batch_size": 128, "hard_negatives": True, "lr": 2e-5,
                        "temperature": 1.0, "normalize": False, "bf16": False, "p_max_len": 256,
                        "q_max_len": 64, "grad_cache_chunk": 32},
              "m_sweep": [1, 2, 3, 4, 6, 8, 12], "seeds": [0, 1, 2], "curve": {"points": 4, "sample": 20_000},
              "cosine_passages": 2000},
}
