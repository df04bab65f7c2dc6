"""Presets of each study: `smoke` (CI, about a minute), `laptop` (default, 2 CPU cores,
under 30 minutes), `paper` (the papers' model and data, for a GPU and the hub) and `rehearsal` (the `paper`
preset's code path on local stand-ins of its models and data, a few steps: `rehearsal_of`)."""
from __future__ import annotations

import copy
from typing import NamedTuple

from mlrlib.data.benchmark import benchmark_config
from mlrlib.runtime.binder import binder_variable

DEFAULT_PRESET = "laptop"
# Binder (mybinder.org) gives a kernel about 2 GB and a share of slow cores: `laptop` trains for up to 45 minutes and
# goes well above 2 GB; `smoke` runs in a minute or two (its peak per kernel: benchmarks/memory.py --binder)
BINDER_PRESET = "smoke"

_ENCODE = {"batch_size": 64, "q_max_len": 32, "p_max_len": 128, "bf16": True}
# smoke is also Binder's preset: batches of 16 keep an every-layer encoding pass's activations small
_SMOKE_ENCODE = {**_ENCODE, "batch_size": 16}
# the paper presets stream each corpus into a float16 store on disk (MS MARCO's 8.8M passages do not fit in
# memory at several layers); search reads it block by block
_PAPER_ENCODE = {"batch_size": 128, "q_max_len": 32, "p_max_len": 256, "bf16": False, "store": "float16"}
_PAPER_ENCODE_SQUAD = {**_PAPER_ENCODE, "q_max_len": 64}
_TRAIN = {"steps": 50, "batch_size": 32, "hard_negatives": False, "lr": 5e-5, "temperature": 0.05,
          "normalize": True, "bf16": True, "q_max_len": 32, "p_max_len": 128}

# Notebooks 01 and 02 under `laptop`: the corpus of notebooks 03-05, and the step count where the dual encoder's
# dev curve flattened. `python tools/learning_curve.py` (200 steps of batch 16, lr 5e-5; dev MRR@10 on the 2,000-passage
# dev sample at steps 0/25/50/100/150/200): mean pooling 81.2/82.7/83.2/82.7/83.8/83.3, flat (within one point) from
# step 50; [CLS] 60.8/71.2/71.4/73.2/73.6/74.7, still rising at 200. A step of 16 pairs: about 1.1 s on 2 cores.
_LAPTOP_BENCHMARK = benchmark_config(corpus_size=7000, max_weak_pairs=2000)
_LAPTOP_TRAIN = {**_TRAIN, "steps": 50, "batch_size": 16}
# the learning curve: `points` evaluations up to the step count, each on a dev corpus of `sample` passages (every
# dev-judged passage plus random others; None: the whole corpus)
_LAPTOP_CURVE = {"points": 4, "sample": 2000}

# Learning rate of each pooler's own parameters. The scalar mix's 7 numbers are softmax logits and a
# scale: Adam moves a parameter by about lr per step, so with 1e-3 they would barely leave the plain
# average in 30 steps. The attention pooler's matrices train at the usual rate for a fresh head.
# The average has no parameters (its value is unused).
_POOLER_LR = {"average": 1e-3, "scalar-mix": 5e-2, "attention": 1e-3}

PRESETS = {
    "01_layer_selection": {
        "smoke": {"data": "debian", "model": "minilm",
                  "benchmark": benchmark_config(corpus_size=500, max_queries={"train": 60, "dev": 20, "test": 30},
                                                max_weak_pairs=100),
                  "encode": _SMOKE_ENCODE, "train": {**_TRAIN, "steps": 3, "batch_size": 8},
                  "m_sweep": [1, 2, 4, 6], "seeds": [0, 1], "curve": {"points": 2, "sample": None},
                  "cosine_passages": 50},
        "laptop": {"data": "debian", "model": "minilm", "benchmark": _LAPTOP_BENCHMARK,
                   "encode": _ENCODE, "train": _LAPTOP_TRAIN, "m_sweep": [1, 2, 4, 6], "seeds": [0, 1, 2],
                   "curve": _LAPTOP_CURVE, "cosine_passages": 500},
        "paper": {"data": "squad", "model": "bert-base-uncased", "benchmark": None,
                  "encode": _PAPER_ENCODE_SQUAD,
                  "train": {**_TRAIN, "steps": 8000, "batch_size": 128, "hard_negatives": True, "lr": 2e-5,
                            "temperature": 1.0, "normalize": False, "bf16": False, "p_max_len": 256,
                            "q_max_len": 64, "grad_cache_chunk": 32},
                  "m_sweep": [1, 2, 3, 4, 6, 8, 12], "seeds": [0, 1, 2], "curve": {"points": 4, "sample": 20_000},
                  "cosine_passages": 2000},
    },
    "02_self_contrastive_mlr": {
        "smoke": {"data": "debian", "model": "minilm",
                  "benchmark": benchmark_config(corpus_size=300, max_queries={"train": 40, "dev": 20, "test": 30},
                                                max_weak_pairs=40),
                  "encode": _SMOKE_ENCODE, "train": {**_TRAIN, "steps": 2, "batch_size": 8, "pooling": "mean"},
                  "lam": 1.0, "lambdas": [0.1, 1.0, 10.0], "poolings": _POOLER_LR,
                  "seeds": [0, 1, 2], "cost_steps": 2, "curve": {"points": 2, "sample": None}, "latency_queries": 10},
        # mean pooling: notebook 01 (same corpus, same training) found this model's mean-pooled DE the stronger on dev
        "laptop": {"data": "debian", "model": "minilm", "benchmark": _LAPTOP_BENCHMARK,
                   "encode": _ENCODE, "train": {**_LAPTOP_TRAIN, "pooling": "mean"},
                   "lam": 1.0, "lambdas": [0.1, 1.0, 10.0], "poolings": _POOLER_LR,
                   "seeds": [0, 1, 2], "cost_steps": 3, "curve": _LAPTOP_CURVE, "latency_queries": 200},
        "paper": {"data": "squad", "model": "bert-base-uncased", "benchmark": None,
                  "encode": _PAPER_ENCODE_SQUAD,
                  "train": {**_TRAIN, "steps": 8000, "batch_size": 128, "hard_negatives": True, "lr": 2e-5,
                            "temperature": 1.0, "normalize": False, "bf16": False, "p_max_len": 256,
                            "q_max_len": 64, "grad_cache_chunk": 32, "pooling": "cls"},
                  "lam": 1.0, "lambdas": [0.01, 0.1, 1.0, 10.0], "poolings": _POOLER_LR,
                  "seeds": [0, 1, 2], "cost_steps": 5, "curve": {"points": 4, "sample": 20_000},
                  "latency_queries": 1000},
    },
}


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
_TEACHER = {"model": "minilm", "kind": "gated", "steps": 50, "batch_size": 8, "negatives": 3, "lr": 2e-5,
            "head_lr": 5e-2, "q_max_len": 32, "p_max_len": 128, "bf16": True}
PRESETS["03_md2pr_distillation"] = {
    "smoke": {"data": "debian", "model": "minilm",
              "benchmark": benchmark_config(corpus_size=300, max_queries={"train": 40, "dev": 20, "test": 30},
                                            max_weak_pairs=40),
              "encode": _SMOKE_ENCODE, "teacher": {**_TEACHER, "steps": 2, "batch_size": 4, "negatives": 2},
              "teacher_points": 2, "train": {**_TRAIN, "steps": 2, "batch_size": 4, "hard_negatives": True,
                                              "pooling": "mean"},
              "curve": {"points": 2, "sample": None},
              "distill": {**_DISTILL, "negatives": 2}, "rerank_depth": 10, "seeds": [0, 1, 2], "cost_steps": 1,
              "paper": {"mrr10_msmarco": 0.362, "r100_nq": 0.912}},
    "laptop": {"data": "debian", "model": "minilm",
               "benchmark": benchmark_config(corpus_size=7000, max_weak_pairs=2000),
               "encode": _ENCODE, "teacher": _TEACHER, "teacher_points": 2,
               # 8 queries x (positive + 3 negatives) = 32 passages a step, the cost of notebook 02's DE step; mean
               # pooling and 50 steps: notebook 01's dev choice and its DE's plateau (checked by this notebook's curve)
               "train": {**_TRAIN, "steps": 50, "batch_size": 8, "hard_negatives": True, "pooling": "mean"},
               "curve": {"points": 2, "sample": 2000},
               # top 10: a re-ranking of 1,243 test queries' top 100 would take ~30 minutes on 2 cores
               "distill": _DISTILL, "rerank_depth": 10, "seeds": [0, 1, 2], "cost_steps": 2,
               "paper": {"mrr10_msmarco": 0.362, "r100_nq": 0.912}},
    "paper": {"data": "msmarco", "model": "bert-base-uncased", "benchmark": None,
              "encode": _PAPER_ENCODE,
              # a trained MS MARCO ranker with bert-base-uncased's vocabulary, loaded as is (steps 0)
              # negatives: as many as the student's (the teacher scores each pair's positive and the student's
              # negatives; 3 here against the student's 7 broke the first distillation step, found by `rehearsal`)
              "teacher": {**_TEACHER, "model": "cross-encoder/ms-marco-MiniLM-L-6-v2", "kind": "classifier",
                          "steps": 0, "negatives": 7, "p_max_len": 256, "bf16": False},
              "teacher_points": 1,
              "train": {**_TRAIN, "steps": 20000, "batch_size": 64, "hard_negatives": True, "lr": 2e-5,
                        "bf16": False, "p_max_len": 256},
              "curve": {"points": 4, "sample": 20_000},
              "distill": {**_DISTILL, "layer_map": [[3, 6], [6, 12]], "negatives": 7}, "rerank_depth": 100,
              "seeds": [0, 1, 2], "cost_steps": 5, "paper": {"mrr10_msmarco": 0.362, "r100_nq": 0.912}},
}


# Early cross-encoder layers and DE-l (notebook 04). Same corpus, teacher and batches as notebook 03 (its cached
# teacher is reused); mean pooling throughout, the pooling of the paper's per-layer CE embeddings.
_OBJECTIVES = ("contrastive", "+ CE scores", "+ DE embeddings", "+ both")  # studies.early_layers.OBJECTIVES
_LIGHT = {"alpha": 1.0, "beta": 1.0, "kd_temperature": 1.0, "negatives": 3}
_LIGHT_TRAIN = {**_TRAIN, "steps": 30, "batch_size": 8, "hard_negatives": True, "pooling": "mean"}
# `laptop`: the full DE trains 50 steps (where notebook 01's DE flattened); DE-l trains L/l times as many (the same
# transformer-layer compute: DE-2 150). DE-2 does not flatten within any budget this notebook can afford:
# `python tools/learning_curve.py --study 04_early_layer_ce --light 2 --steps 600 --at 50 100 200 400 600` (DE-2 from
# MiniLM, contrastive, lr 3e-4; dev MRR@10 on the 2,000-passage dev sample): 6.2 / 39.1 / 41.9 / 46.6 / 49.4 / 51.0
# at steps 0 / 50 / 100 / 200 / 400 / 600, against about 83 for the full DE on the same sample (notebook 01).
# On a GPU (`benchmarks/de_l_convergence`, results/benchmarks/de_l_convergence.json), DE-2 trained 6,000 steps peaks at
# 47.6 (step 350) and stays within 42-46 to the end, DE-3 ends at 50.6 after 4,000, and the full DE peaks at 81.7
# (step 77) and falls to 76.5 by 2,000: the light models level off far below the full DE on these 3,485 pairs.
_LAPTOP_LIGHT_TRAIN = {**_LIGHT_TRAIN, "steps": 50}
_CE_EMBEDDINGS_PAPER = {"de2_gap_percent": 1, "de2_speedup": 5.15}
PRESETS["04_early_layer_ce"] = {
    "smoke": {"data": "debian", "model": "minilm",
              "benchmark": benchmark_config(corpus_size=300, max_queries={"train": 40, "dev": 20, "test": 30},
                                            max_weak_pairs=40),
              "encode": _SMOKE_ENCODE, "teacher": {**_TEACHER, "steps": 2, "batch_size": 4, "negatives": 2},
              "train": {**_LIGHT_TRAIN, "steps": 2, "batch_size": 4}, "light": {**_LIGHT, "negatives": 2},
              "light_lr": 3e-4, "objectives": list(_OBJECTIVES), "sources": ["de", "base"],
              "layers": [1, 2, 3], "seeds": [0, 1], "rerank_depth": 10, "curve": {"points": 2, "sample": None},
              "pretrained_layers": True,
              "speed": {"passages": 64, "repeats": 2, "queries": 4}, "paper": _CE_EMBEDDINGS_PAPER},
    "laptop": {"data": "debian", "model": "minilm",
               "benchmark": benchmark_config(corpus_size=7000, max_weak_pairs=2000),
               "encode": _ENCODE, "teacher": _TEACHER, "train": _LAPTOP_LIGHT_TRAIN, "light": _LIGHT, "light_lr": 3e-4,
               # the objectives and the DE-2 sources compared on dev (the 45 minutes afford two objectives and
               # no other source: notebook 03's teacher is MiniLM after 50 steps, so "from the CE" ~ "from MiniLM")
               "objectives": ["contrastive", "+ CE scores"], "sources": [],
               "layers": [1, 2, 3], "seeds": [0, 1, 2], "rerank_depth": 10, "curve": {"points": 2, "sample": 2000},
               # the pre-trained MiniLM's layers beside the CE's (about 1.5 min): left out, as the CE is MiniLM after
               # 50 ranker steps: its layers scored within 1.2 MRR@10 of MiniLM's in the run at commit 7b00a57
               "pretrained_layers": False,
               "speed": {"passages": 500, "repeats": 5, "queries": 20}, "paper": _CE_EMBEDDINGS_PAPER},
    # our choice of hub models, not taken from arXiv 2502.03552: a 12-layer MS MARCO cross-encoder and a
    # 12-layer MiniLM dual encoder with the same vocabulary and width
    "paper": {"data": "msmarco", "model": "sentence-transformers/all-MiniLM-L12-v2", "benchmark": None,
              "encode": _PAPER_ENCODE,
              "teacher": {**_TEACHER, "model": "cross-encoder/ms-marco-MiniLM-L-12-v2", "kind": "classifier",
                          "steps": 0, "negatives": 7, "p_max_len": 256, "bf16": False},  # negatives: the student's
              "train": {**_LIGHT_TRAIN, "steps": 20000, "batch_size": 64, "lr": 2e-5, "bf16": False, "p_max_len": 256},
              "light": {**_LIGHT, "negatives": 7}, "light_lr": 1e-4, "layers": [1, 2, 3], "seeds": [0, 1, 2],
              "objectives": list(_OBJECTIVES), "sources": ["de", "base"], "curve": {"points": 4, "sample": 20_000},
              "rerank_depth": 100, "pretrained_layers": True,
              "speed": {"passages": 5000, "repeats": 5, "queries": 100}, "paper": _CE_EMBEDDINGS_PAPER},
}


# The open questions (notebook 05). Same corpus, teacher and negatives as notebooks 03-04 (their caches are
# reused); every retriever trains 30 steps of 8 queries with a positive and a BM25 negative, mean pooling.
_OPEN_TRAIN = {**_TRAIN, "steps": 30, "batch_size": 8, "hard_negatives": True, "pooling": "mean"}
# the penalty's weight, the m it is trained at, and other weights tried at the largest of them
_DECORRELATION = {"gamma": 10.0, "m": [4, 6], "sweep": [1.0]}
_FILTERS = {"margins": [-2.0, -1.0, 0.0, 1.0, 2.0], "kappas": [0.5, 1.0, 1.5, 2.0, 3.0]}
PRESETS["05_open_questions"] = {
    "smoke": {"data": "debian", "model": "minilm",
              "benchmark": benchmark_config(corpus_size=300, max_queries={"train": 40, "dev": 20, "test": 30},
                                            max_weak_pairs=40),
              "encode": _SMOKE_ENCODE, "train": {**_OPEN_TRAIN, "steps": 2, "batch_size": 4},
              "symmetric_layers": [5, 6], "m_sweep": [1, 2, 4],
              "decorrelation": {"gamma": 10.0, "m": [4], "sweep": [1.0]},
              "causal": {"model": "minilm", "attention": "causal", "layers": [5, 6]},
              "teacher": {**_TEACHER, "steps": 2, "batch_size": 4, "negatives": 2}, "snapshots": [0, 1, 2],
              "light": {**_LIGHT, "negatives": 2}, "light_lr": 3e-4, "student_layers": [3], "teacher_layers": 3,
              "filters": _FILTERS, "beir": {"n_queries": 30, "corpus_size": 200}, "beir_folder": None,
              "symmetric_data": None, "seeds": [0, 1], "eval_sample": None, "curve": {"points": 2, "sample": None}},
    # Fitting 45 minutes on 2 cores with 3 seeds for the headline comparisons (questions 1 and 2) takes three cuts,
    # each said in the notebook: the test questions are searched among a sample of the corpus (every passage judged
    # for them plus others drawn: encoding the 7,000 passages is most of a model's cost); the m sweep keeps
    # m = 1, 4 (the paper's best) and 6 (notebook 01 found no fall from 4 to 6 on this corpus) and one penalty
    # weight (gamma = 1 barely moved the correlation, 0.56 -> 0.54 at m = 6, in the first run of notebook 05); and
    # the smaller teacher of question 4 is left out (`paper` keeps it). Questions 3-6 run one seed.
    "laptop": {"data": "debian", "model": "minilm",
               "benchmark": benchmark_config(corpus_size=7000, max_weak_pairs=2000),
               "encode": _ENCODE, "train": _OPEN_TRAIN,
               "symmetric_layers": [3, 4, 5, 6], "m_sweep": [1, 4, 6],
               "decorrelation": {"gamma": 10.0, "m": [6], "sweep": []},
               "causal": {"model": "minilm", "attention": "causal", "layers": [3, 4, 5, 6]},
               "teacher": _TEACHER, "snapshots": [0, 25, 50],
               "light": _LIGHT, "light_lr": 3e-4, "student_layers": [3], "teacher_layers": None,
               "filters": _FILTERS, "beir": {"n_queries": 200, "corpus_size": 1000}, "beir_folder": None,
               "symmetric_data": None, "seeds": [0, 1, 2],
               # passages searched: the test split's 2,319 judged + others drawn (the symmetric task: 1,077 + others)
               "eval_sample": {"test": 3000, "symmetric": 2000}, "curve": {"points": 2, "sample": 2000}},
    # the papers' scale: BERT-base retrievers on MS MARCO, a decoder (Qwen2.5-0.5B, causal by construction) for
    # question 3, a BERT-base cross-encoder trained here with snapshots, and BEIR SciFact (download it to the
    # folder named) for question 6; the symmetric task stays the offline one (it needs multi-passage answers)
    "paper": {"data": "msmarco", "model": "bert-base-uncased", "benchmark": None,
              "encode": _PAPER_ENCODE,
              "train": {**_OPEN_TRAIN, "steps": 20000, "batch_size": 64, "lr": 2e-5, "bf16": False, "p_max_len": 256},
              "symmetric_layers": [9, 10, 11, 12], "m_sweep": [1, 2, 4, 8, 12],
              "decorrelation": {**_DECORRELATION, "m": [4, 8, 12]},
              "causal": {"model": "Qwen/Qwen2.5-0.5B", "attention": "causal", "layers": [21, 22, 23, 24]},
              "teacher": {**_TEACHER, "model": "bert-base-uncased", "kind": "classifier", "steps": 20000,
                          "batch_size": 32, "negatives": 7, "lr": 2e-5, "p_max_len": 256, "bf16": False},
              "snapshots": [0, 1000, 5000, 10000, 20000],
              "light": {**_LIGHT, "negatives": 7}, "light_lr": 1e-4, "student_layers": [6, 3], "teacher_layers": 6,
              "filters": _FILTERS, "beir": None, "beir_folder": "data/beir/scifact",
              # load_data's own arguments (the notebook calls load_data(**symmetric_data)): "data" here failed
              "symmetric_data": {"spec": "debian",
                                 "benchmark": benchmark_config(corpus_size=10_000, max_weak_pairs=4000)},
              "seeds": [0, 1, 2], "eval_sample": None, "curve": {"points": 4, "sample": 20_000}},
}


# smoke is also Binder's preset (about 2 GB a kernel), so it trains lean, in ways measured by
# `benchmarks/memory.py --binder` and tested in tests/training/test_memory_options.py:
# - gradient checkpointing keeps each step's activations to about one layer's (a teacher step: 165 MiB instead of
#   465), the same weights bitwise, at about a third more compute per step;
# - the fused AdamW allocates no temporaries in its step (88 MiB less at MiniLM's size);
# - the retrievers keep their token embeddings fixed: no gradient or AdamW state for half of MiniLM (134 MiB).
_LEAN = {"train": {"checkpointing": True, "fused_adamw": True, "freeze_embeddings": True},
         "teacher": {"checkpointing": True, "fused_adamw": True}}
for _study in PRESETS.values():
    for _part, _options in _LEAN.items():
        if _part in _study["smoke"]:
            _study["smoke"][_part] = {**_study["smoke"][_part], **_options}


# The `rehearsal` presets: every `paper` preset run end to end on this machine, so its code path (12- and 24-layer
# models, a ranker loaded as is, the width projection, gradient caching, the hub data formats) is exercised before
# a GPU ever runs it. Only what cannot be had offline or on 2 cores is swapped: the hub models and datasets for
# local stand-ins of the same shape (`runtime.standins`), and the sizes below. Each size applies only where the
# paper preset has the key; everything else (layer sets, model kinds, loss weights, layer map, filters) is the
# paper's. Seeds: the first two (the seed tables need more than one).
REHEARSAL = "rehearsal"
_REHEARSAL_SIZES = {
    "encode": {"batch_size": 16},
    # grad_cache_chunk below the batch, so gradient caching really splits it
    "train": {"steps": 2, "batch_size": 4, "grad_cache_chunk": 2},
    "teacher": {"batch_size": 4, "negatives": 3},  # the students' negatives: the teacher scores theirs
    "distill": {"negatives": 3}, "light": {"negatives": 3},
    "cost_steps": 1, "rerank_depth": 20, "speed": {"passages": 64, "repeats": 2, "queries": 4},
}
_REHEARSAL_TEACHER_STEPS = 4  # a teacher trained here (not loaded as is); one snapshot per step, as many as the paper's
_REHEARSAL_SEEDS = 2
# the symmetric task of notebook 05 is the offline benchmark under every preset: the smoke slice of it
_REHEARSAL_SYMMETRIC = benchmark_config(corpus_size=300, max_queries={"train": 40, "dev": 20, "test": 30},
                                        max_weak_pairs=40)


def _resized(paper: dict, sizes: dict) -> dict:
    """`paper` with each value of `sizes` put in where `paper` has that key (nested dicts merged)."""
    out = copy.deepcopy(paper)
    for key, value in sizes.items():
        if key not in out:
            continue
        out[key] = _resized(out[key], value) if isinstance(value, dict) and isinstance(out[key], dict) else value
    return out


def rehearsal_of(paper: dict, models: dict[str, str], data: dict[str, str]) -> dict:
    """The rehearsal of a `paper` preset: its hub model ids replaced by the stand-ins' folders (`models`: hub id ->
    folder), its hub data by local folders of the same format (`data`: dataset -> folder), smaller sizes."""
    cfg = _resized(paper, _REHEARSAL_SIZES)
    for part in (cfg, cfg.get("teacher"), cfg.get("causal")):
        if part is not None:
            part["model"] = models[part["model"]]
    cfg["data"] = f"{cfg['data']}:{data[cfg['data']]}"
    if "seeds" in cfg:
        cfg["seeds"] = cfg["seeds"][:_REHEARSAL_SEEDS]
    if cfg.get("teacher", {}).get("steps"):
        cfg["teacher"]["steps"] = _REHEARSAL_TEACHER_STEPS
    if "snapshots" in cfg:
        cfg["snapshots"] = _snapshots(len(cfg["snapshots"]), cfg["teacher"]["steps"])
    if cfg.get("beir_folder"):
        cfg["beir_folder"] = data["scifact"]
    if cfg.get("symmetric_data"):
        cfg["symmetric_data"] = {**cfg["symmetric_data"], "benchmark": _REHEARSAL_SYMMETRIC}
    return cfg


def _snapshots(n: int, steps: int) -> list[int]:
    """n snapshot steps from 0 to `steps` (the paper's list shape on a short run)."""
    return sorted({round(i * steps / (n - 1)) for i in range(n)}) if n > 1 else [steps]


def rehearsal_preset(study: str) -> dict:
    """The `rehearsal` preset of `study`, with its stand-ins built first if missing."""
    from mlrlib.runtime.standins import stand_ins
    built = stand_ins()
    return rehearsal_of(PRESETS[study]["paper"], built.models, built.data)


class PresetError(ValueError):
    """An unknown study, preset or notebook parameter."""


class PresetChoice(NamedTuple):
    name: str    # the preset that runs
    reason: str  # why this one, for the notebook's first output


def choose_preset(preset: str | None, environ=None) -> PresetChoice:
    """The preset a notebook runs: `preset` when the parameters cell (or papermill) names one, else the default for
    where the kernel runs (`BINDER_PRESET` on Binder, `DEFAULT_PRESET` elsewhere)."""
    if preset is not None:
        return PresetChoice(preset, "named in the parameters cell (or by papermill)")
    binder = binder_variable(environ)
    if binder:
        return PresetChoice(BINDER_PRESET, f"this kernel runs on Binder ({binder} is set), whose 2 GB of memory and "
                                           f"shared cores cannot hold `{DEFAULT_PRESET}`; set preset = "
                                           f"\"{DEFAULT_PRESET}\" in the parameters cell to run it anyway")
    return PresetChoice(DEFAULT_PRESET, f"the default (on Binder it is `{BINDER_PRESET}`)")


def get_preset(study: str, preset: str) -> dict:
    """A deep copy of the named preset of `study`; unknown names are an error."""
    if study not in PRESETS:
        raise PresetError(f"unknown study {study!r}; known: {sorted(PRESETS)}")
    if preset == REHEARSAL and "paper" in PRESETS[study]:
        return rehearsal_preset(study)
    if preset not in PRESETS[study]:
        raise PresetError(f"unknown preset {preset!r} for {study}; use one of {sorted(PRESETS[study]) + [REHEARSAL]}")
    return copy.deepcopy(PRESETS[study][preset])

def check_parameters(injected: set, declared: set) -> None:
    """Fail on parameters papermill injected that the notebook does not declare.

    `injected`: the global names that appeared after the parameters cell (the notebook
    computes it first thing in the next cell); declared ones may be overridden.
    """
    unknown = sorted(n for n in injected - declared if not n.startswith("_"))
    if unknown:
        raise PresetError(f"unknown parameter(s) {unknown}; this notebook takes {sorted(declared)}")
