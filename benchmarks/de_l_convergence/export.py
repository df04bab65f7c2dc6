"""Export what the GPU convergence run needs into explore/de_l: training pairs with their 3 BM25 negatives, the dev
queries and judgements, notebook 04's 2,000-passage dev sample, the preset's training and encoding choices, and a
float16 copy of the packaged MiniLM (the device takes at most 64 MiB of files).

With --quick (run by `curve.py --quick`): notebook 04's `smoke` preset with passages cut to 32 tokens, a 40-passage
dev sample (the 33 judged and 7 others), into build/bench-quick/de_l."""
import os
import pickle
import sys

from transformers import AutoModel, AutoTokenizer

from mlrlib.data import load_data
from mlrlib.methods.encoders import default_model_path
from mlrlib.runtime.presets import get_preset
from mlrlib.training.negatives import negative_lists

QUICK = "--quick" in sys.argv[1:]
OUT = os.path.normpath(os.path.join(__file__, "..", "..", "..", "build", "bench-quick", "de_l")) if QUICK \
    else "explore/de_l"

cfg = get_preset("04_early_layer_ce", "smoke" if QUICK else "laptop")
data = load_data(cfg["data"], cfg["benchmark"])
# every dev-judged passage plus random others
sample = data.with_corpus_sample("dev", 40 if QUICK else cfg["curve"]["sample"])
ids, texts, qrels = sample.split("dev")
out = {"train": [(p["query"], p["positive"]) for p in data.train_pairs],
       "negatives": negative_lists(data, cfg["light"]["negatives"]),
       "dev_q": dict(zip(ids, texts)), "dev_qrels": qrels,
       "sample_ids": sample.corpus_ids, "sample_texts": sample.corpus_texts,
       # the preset itself travels (curve.py cannot import mlrlib.runtime.presets: it imports `datasets`)
       "preset": {k: cfg[k] for k in ("train", "light_lr", "light", "encode")}}
if QUICK:
    out["preset"].update({k: {**cfg[k], "p_max_len": 32} for k in ("train", "encode")})
os.makedirs(OUT, exist_ok=True)
with open(f"{OUT}/data.pkl", "wb") as f:
    pickle.dump(out, f)

path = default_model_path()
AutoModel.from_pretrained(path).half().save_pretrained(f"{OUT}/minilm16")
AutoTokenizer.from_pretrained(path).save_pretrained(f"{OUT}/minilm16")
print(f"{len(out['train'])} training pairs, {len(ids)} dev queries, {len(sample.corpus_ids)} sample passages")
