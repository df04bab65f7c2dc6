"""Export what the GPU teacher sweep needs: train pairs + BM25/DE negatives, dev queries, qrels, DE dev top-20.

With --quick (run by `sweep.py --quick`): notebook 02's `smoke` preset, its DE trained 1 step in a throwaway cache,
passages cut to 32 tokens and encoded in float32 (bf16 autocast is emulated, and slow, on CPUs without avx512_bf16),
into build/bench-quick/teacher_search with a float16 MiniLM beside it."""
import os
import pickle
import shutil
import sys
import tempfile

import numpy as np

from mlrlib.data import load_data
from mlrlib.evaluation.experiment import encode_queries, evaluate_model
from mlrlib.runtime.presets import PRESETS
from mlrlib.studies import layer_selection as ls
from mlrlib.training.dual_encoder import train_encoder
from mlrlib.training.negatives import negative_lists

QUICK = "--quick" in sys.argv[1:]
cfg = PRESETS["02_self_contrastive_mlr"]["smoke" if QUICK else "laptop"]
train = cfg["regimes"]["own"]["train"]  # this model's own regime: mean pooling, the DE the teacher re-ranks
data = load_data(cfg["data"], cfg["benchmark"])
if QUICK:  # the smoke benchmark is built (or reused) in the shared cache; the DE below is not left there
    os.environ["MLRLIB_CACHE"] = tempfile.mkdtemp(prefix="mlrlib-bench-quick-")
    train = {**train, "steps": 1, "p_max_len": 32}
    cfg = {**cfg, "encode": {**cfg["encode"], "p_max_len": 32, "bf16": False}}
c = ls.configs({ls.DE: [6]}, "minilm", 6, {k: v for k, v in train.items() if k != "pooling"}, train["pooling"],
               0)[ls.DE]
enc_model, log = train_encoder(data.train_pairs, [], c)
print("DE cached:", log.get("cached"))
runs, P = evaluate_model("DE", enc_model, c, data, cfg["encode"], ("dev",))
dev = {q: sorted(h.items(), key=lambda kv: -kv[1])[:30] for q, h in runs["dev"].to_dict().items()}
tq = [p["query"] for p in data.train_pairs]
Q = encode_queries(enc_model, tq, c, cfg["encode"])
S = Q @ P[:, 0].T
top = np.argsort(-S, axis=1)[:, :30]
ctext = dict(zip(data.corpus_ids, data.corpus_texts))
de_negs = [[data.corpus_texts[j] for j in row if data.corpus_texts[j] != p["positive"]][:10]
           for row, p in zip(top, data.train_pairs)]
bm = negative_lists(data, 7)
ids, texts, qrels = data.split("dev")
out = {"train": [(p["query"], p["positive"]) for p in data.train_pairs], "bm25": bm, "de_negs": de_negs,
       "dev_q": dict(zip(ids, texts)), "dev_qrels": qrels,
       "dev_top": {q: [(p, s) for p, s in h] for q, h in dev.items()},
       "ctext": {p: ctext[p] for h in dev.values() for p, _ in h}}
if QUICK:
    from transformers import AutoModel, AutoTokenizer

    from mlrlib.methods.encoders import default_model_path
    folder = os.path.normpath(os.path.join(__file__, "..", "..", "..", "build", "bench-quick", "teacher_search"))
    os.makedirs(folder, exist_ok=True)
    pickle.dump(out, open(os.path.join(folder, "data.pkl"), "wb"))
    AutoModel.from_pretrained(default_model_path()).half().save_pretrained(os.path.join(folder, "minilm16"))
    AutoTokenizer.from_pretrained(default_model_path()).save_pretrained(os.path.join(folder, "minilm16"))
    shutil.rmtree(os.environ["MLRLIB_CACHE"], ignore_errors=True)
else:
    pickle.dump(out, open("explore/data.pkl", "wb"))
print(len(out["train"]), len(ids), sum(len(v) for v in out["ctext"].values()))
