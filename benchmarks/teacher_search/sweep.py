"""GPU sweep: which teacher, trained how long, raises dev MRR@10 when it re-ranks the mean DE's top-20.

--quick: a CPU dry run on notebook 02's smoke data (export.py --quick first, into build/bench-quick/teacher_search):
DRY's 2 steps, 2 queries, batch 2, passages cut to 32 tokens, for one configuration (gated_lr2e-5_gate5e-2)."""
import json
import os
import pickle
import random
import subprocess
import sys
import time

import numpy as np
import torch
from scipy import stats

from mlrlib.training.ranker import RankerConfig, fit_ranker, make_ranker

QUICK = "--quick" in sys.argv[1:]
if QUICK:
    sys.argv.remove("--quick")
    _here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([sys.executable, os.path.join(_here, "export.py"), "--quick"], check=True)
    _quick = os.path.normpath(os.path.join(_here, "..", "..", "build", "bench-quick", "teacher_search"))
    os.environ.update(DRY="1", MODEL_DIR=os.path.join(_quick, "minilm16"), OUT=_quick)
D = pickle.load(open(os.path.join(_quick, "data.pkl") if QUICK else "explore/data.pkl", "rb"))
MODEL = os.path.abspath(os.environ.get("MODEL_DIR", "explore/minilm16"))
OUT = os.environ.get("OUT", "explore")
AT = [0, 2] if os.environ.get("DRY") else [int(x) for x in os.environ.get("AT", "0 50 100 200 300 400 600 800").split()]
DEPTH = 20
P_LEN = 32 if QUICK else 128  # passage tokens, in training and scoring
pairs = [{"query": q, "positive": p} for q, p in D["train"]]

def rr(ranked, rel):
    for i, p in enumerate(ranked[:10]):
        if rel.get(p, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0

base = {q: rr([p for p, _ in D["dev_top"][q]], D["dev_qrels"].get(q, {})) for q in D["dev_top"]}
qs = sorted(base)[:2 if QUICK else 5] if os.environ.get("DRY") else sorted(base)
flat = [(q, p) for q in qs for p, _ in D["dev_top"][q][:DEPTH]]

def evaluate(ranker):
    s = ranker.score([D["dev_q"][q] for q, _ in flat], [D["ctext"][p] for _, p in flat], 32, P_LEN, 256, True)
    by = {}
    for (q, p), v in zip(flat, s):
        by.setdefault(q, []).append((p, v))
    r = np.array([rr([p for p, _ in sorted(by[q], key=lambda kv: -kv[1])], D["dev_qrels"].get(q, {})) for q in qs])
    b = np.array([base[q] for q in qs])
    d = r - b
    t = stats.ttest_rel(r, b) if d.any() else None
    return {"mrr": 100 * r.mean(), "diff": 100 * d.mean(), "p": float(t.pvalue) if t else 1.0}

def mix(a, b, n_a, n_b):
    return [x[:n_a] + y[:n_b] for x, y in zip(a, b)]

_rng = random.Random(0)
RAND = [[D["train"][j][1] for j in _rng.sample(range(len(D["train"])), 3)] for _ in D["train"]]
SWEEP = {
    "de_gated_lr2e-5_gate5e-2_bm25": (dict(kind="gated", lr=2e-5, head_lr=5e-2), D["bm25"]),
    "de_gated_lr2e-5_gate5e-2_rand": (dict(kind="gated", lr=2e-5, head_lr=5e-2), RAND),
    "de_gated_lr1e-5_gate5e-2_demix": (dict(kind="gated", lr=1e-5, head_lr=5e-2), mix(D["de_negs"], D["bm25"], 2, 1)),
    "gated_lr1e-4": (dict(kind="gated", lr=1e-4), D["bm25"]),
    "gated_lr2e-5": (dict(kind="gated", lr=2e-5), D["bm25"]),
    "gated_lr2e-5_gate5e-2": (dict(kind="gated", lr=2e-5, head_lr=5e-2), D["bm25"]),
    "gated_lr2e-5_gate5e-2_demix": (dict(kind="gated", lr=2e-5, head_lr=5e-2), mix(D["de_negs"], D["bm25"], 2, 1)),
    "gated_lr5e-5_gate5e-2_demix": (dict(kind="gated", lr=5e-5, head_lr=5e-2), mix(D["de_negs"], D["bm25"], 2, 1)),
    "cls_lr5e-5": (dict(kind="classifier", lr=5e-5), D["bm25"]),
    "cls_lr5e-5_demix": (dict(kind="classifier", lr=5e-5), mix(D["de_negs"], D["bm25"], 2, 1)),
}
only = sys.argv[1:] or (["gated_lr2e-5_gate5e-2"] if QUICK else list(SWEEP))
print("DE dev MRR@10", 100 * np.mean([base[q] for q in qs]), "queries", len(qs), flush=True)
results = {}
for name in only:
    over, negs = SWEEP[name]
    cfg = RankerConfig(model=MODEL, steps=AT[-1], batch_size=2 if QUICK else 8, negatives=3, bf16=True, p_max_len=P_LEN,
                       **over)
    ranker = make_ranker(cfg).float().to("cuda" if torch.cuda.is_available() else "cpu")
    curve = []
    t0 = time.time()
    def after(step, r):
        if step in AT:
            row = {"step": step, **evaluate(r)}
            if hasattr(r, "gate"):
                row["gate"] = float(r.gate)
            curve.append(row)
            print(name, row, f"{time.time() - t0:.0f}s", flush=True)
    losses = fit_ranker(ranker, pairs, negs, cfg, after_step=after)
    results[name] = {"curve": curve, "loss_first": float(np.mean(losses[:20])),
                     "loss_last": float(np.mean(losses[-50:]))}
    json.dump(results, open(os.path.join(OUT, "sweep.json"), "w"), indent=1)
