"""The preset parts several studies share: encoding and training settings, and notebooks 01-02's `laptop` run."""
from mlrlib.data.benchmark import benchmark_config

ENCODE = {"batch_size": 64, "q_max_len": 32, "p_max_len": 128, "bf16": True}
# smoke is also Binder's preset: batches of 16 keep an every-layer encoding pass's activations small. float32: the
# smoke runs are mostly encoding, and bf16 autocast is emulated, about 3x slower, on a CPU without AMX or
# avx512_bf16 (the laptop comment below); the bf16 path stays tested by `make bench-quick` (encoding.py, training.py)
SMOKE_ENCODE = {**ENCODE, "batch_size": 16, "bf16": False}
# the paper presets stream each corpus into a float16 store on disk (MS MARCO's 8.8M passages do not fit in
# memory at several layers); search reads it block by block
PAPER_ENCODE = {"batch_size": 128, "q_max_len": 32, "p_max_len": 256, "bf16": False, "store": "float16"}
PAPER_ENCODE_SQUAD = {**PAPER_ENCODE, "q_max_len": 64}
TRAIN = {"steps": 50, "batch_size": 32, "hard_negatives": False, "lr": 5e-5, "temperature": 0.05,
         "normalize": True, "bf16": True, "q_max_len": 32, "p_max_len": 128}

# Notebooks 01 and 02 under `laptop`: the corpus of notebooks 03-05, and the step count where the dual encoder's
# dev curve flattened. `python tools/learning_curve.py` (200 steps of batch 16, lr 5e-5; dev MRR@10 on the 2,000-passage
# dev sample at steps 0/25/50/100/150/200): mean pooling 81.2/82.7/83.2/82.7/83.8/83.3, flat (within one point) from
# step 50; [CLS] 60.8/71.2/71.4/73.2/73.6/74.7, still rising at 200. A step of 16 pairs: about 1.1 s on 2 cores.
LAPTOP_BENCHMARK = benchmark_config(corpus_size=7000, max_weak_pairs=2000)
# Notebooks 01-02 under `laptop` train and encode in float32: bfloat16 autocast pays only on a CPU with native bf16
# (AMX). On a 2-core Xeon without AMX or avx512_bf16 (this project's machine of 2026-12-07) a training step of 16
# [CLS] pairs took 3.32 s under bf16 against 1.64 s in float32, and encoding 64 passages 3.3 s against 1.2 s; a
# laptop rarely has AMX. (`benchmarks/training_flops.py` measures the ratio on any machine: its "float32 (no
# autocast)" row. The curve numbers above were measured under bf16.)
LAPTOP_ENCODE = {**ENCODE, "bf16": False}
LAPTOP_TRAIN = {**TRAIN, "steps": 50, "batch_size": 16, "bf16": False}
# The paper's regime of notebooks 01-02 ([CLS] pooling): learning rate and steps chosen on dev with
# `python tools/learning_curve.py --pooling cls --lr 2e-4 1e-4 --steps 160 --at 40 80 120 160` (batch 16; dev MRR@10
# on the 2,000-passage dev sample at steps 0/40/80/120/160): lr 2e-4 60.8/70.4/68.4/74.0/74.2, lr 1e-4
# 60.8/72.0/71.4/74.8/75.0 (5e-5 reached 74.7 only at step 200). 1e-4 is the better on dev; both flatten from step 120
# (+0.2 points over the last 40), so every compared model trains 120 steps, its schedule ending there.
LAPTOP_CLS_TRAIN = {**LAPTOP_TRAIN, "steps": 120, "lr": 1e-4}
# the learning curve: `points` evaluations up to the step count, each on a dev corpus of `sample` passages (every
# dev-judged passage plus random others; None: the whole corpus). Three points (and step 0) on 1,000 passages since
# the notebooks run two regimes (four curves each), to fit the hour; the numbers quoted above were measured on 2,000
LAPTOP_CURVE = {"points": 3, "sample": 1000}
