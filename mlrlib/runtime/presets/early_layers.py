"""The presets of notebook 04, early cross-encoder layers and DE-l (`studies.early_layers`)."""
from mlrlib.data.benchmark import benchmark_config
from mlrlib.runtime.presets.md2pr_ablation import LAPTOP_TEACHER, TEACHER
from mlrlib.runtime.presets.shared import LAPTOP_ENCODE, PAPER_ENCODE, SMOKE_ENCODE, TRAIN

# Early cross-encoder layers and DE-l (notebook 04). Same corpus, teacher and batches as notebook 03 (its cached
# teacher is reused); mean pooling throughout, the pooling of the paper's per-layer CE embeddings.
_OBJECTIVES = ("contrastive", "+ CE scores", "+ DE embeddings", "+ both")  # studies.early_layers.OBJECTIVES
# unlabelled: the texts a step (corpus passages and training questions, beyond the batch) on which an objective with
# the embedding term (beta > 0) also distils the full DE's vectors: 16 a step over DE-2's 150 steps read 2,400 of
# the 10,485 (7,000 passages, 3,485 questions) under `laptop`
LIGHT = {"alpha": 1.0, "beta": 1.0, "kd_temperature": 1.0, "negatives": 3, "unlabelled": 16}
_LIGHT_TRAIN = {**TRAIN, "steps": 30, "batch_size": 8, "hard_negatives": True, "pooling": "mean"}
# `laptop`: the full DE trains 50 steps (where notebook 01's DE flattened); DE-l trains L/l times as many (the same
# transformer-layer compute: DE-2 150). DE-2 does not flatten within any budget this notebook can afford:
# `python tools/learning_curve.py --study 04_early_layer_ce --light 2 --steps 600 --at 50 100 200 400 600` (DE-2 from
# MiniLM, contrastive, lr 3e-4; dev MRR@10 on the 2,000-passage dev sample): 6.2 / 39.1 / 41.9 / 46.6 / 49.4 / 51.0
# at steps 0 / 50 / 100 / 200 / 400 / 600, against about 83 for the full DE on the same sample (notebook 01).
# On a GPU (`benchmarks/de_l_convergence`, results/benchmarks/de_l_convergence.json), DE-2 trained 6,000 steps peaks at
# 47.6 (step 350) and stays within 42-46 to the end, DE-3 ends at 50.6 after 4,000, and the full DE peaks at 81.7
# (step 77) and falls to 76.5 by 2,000: the light models level off far below the full DE on these 3,485 pairs.
_LAPTOP_LIGHT_TRAIN = {**_LIGHT_TRAIN, "steps": 50, "bf16": False}  # float32: presets/shared.py says why
_CE_EMBEDDINGS_PAPER = {"de2_gap_percent": 1, "de2_speedup": 5.15}

STUDY = "04_early_layer_ce"
PRESETS = {
    "smoke": {"data": "debian", "model": "minilm",
              "benchmark": benchmark_config(corpus_size=300, max_queries={"train": 40, "dev": 20, "test": 30},
                                            max_weak_pairs=40),
              "encode": SMOKE_ENCODE, "teacher": {**TEACHER, "steps": 2, "batch_size": 4, "negatives": 2},
              "train": {**_LIGHT_TRAIN, "steps": 2, "batch_size": 4},
              "light": {**LIGHT, "negatives": 2, "unlabelled": 4},
              "light_lr": 3e-4, "objectives": list(_OBJECTIVES), "sources": ["de", "base"],
              "layers": [1, 2, 3], "seeds": [0, 1], "rerank_depth": 10, "curve": {"points": 2, "sample": None},
              "speed": {"passages": 64, "repeats": 2, "queries": 4}, "paper": _CE_EMBEDDINGS_PAPER},
    "laptop": {"data": "debian", "model": "minilm",
               "benchmark": benchmark_config(corpus_size=7000, max_weak_pairs=2000),
               "encode": LAPTOP_ENCODE, "teacher": LAPTOP_TEACHER, "train": _LAPTOP_LIGHT_TRAIN, "light": LIGHT,
               "light_lr": 3e-4,
               # DE-2's objectives, from the cross-encoder, then the best one's other sources (the full DE, MiniLM),
               # all compared on dev: the recipe is the best of the six
               "objectives": list(_OBJECTIVES), "sources": ["de", "base"],
               "layers": [1, 2, 3], "seeds": [0, 1, 2], "rerank_depth": 10, "curve": {"points": 2, "sample": 2000},
               "speed": {"passages": 500, "repeats": 5, "queries": 20}, "paper": _CE_EMBEDDINGS_PAPER},
    # our choice of hub models, not taken from arXiv 2502.03552: a 12-layer MS MARCO cross-encoder and a
    # 12-layer MiniLM dual encoder with the same vocabulary and width
    "paper": {"data": "msmarco", "model": "sentence-transformers/all-MiniLM-L12-v2", "benchmark": None,
              "encode": PAPER_ENCODE,
              "teacher": {**TEACHER, "model": "cross-encoder/ms-marco-MiniLM-L-12-v2", "kind": "classifier",
                          "steps": 0, "negatives": 7, "p_max_len": 256, "bf16": False},  # negatives: the student's
              "train": {**_LIGHT_TRAIN, "steps": 20000, "batch_size": 64, "lr": 2e-5, "bf16": False, "p_max_len": 256},
              # no unlabelled texts: MS MARCO's 500k training pairs already reach most passages, and hashing the
              # 8.8M-passage pool into every DE-l's cache key would cost minutes a model
              "light": {**LIGHT, "negatives": 7, "unlabelled": 0}, "light_lr": 1e-4, "layers": [1, 2, 3],
              "seeds": [0, 1, 2],
              "objectives": list(_OBJECTIVES), "sources": ["de", "base"], "curve": {"points": 4, "sample": 20_000},
              "rerank_depth": 100,
              "speed": {"passages": 5000, "repeats": 5, "queries": 100}, "paper": _CE_EMBEDDINGS_PAPER},
}
