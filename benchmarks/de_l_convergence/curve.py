"""GPU learning curves of the full DE and DE-1/2/3 (notebook 04's light dual encoders, from MiniLM), trained far
longer than the laptop affords: dev MRR@10 on notebook 04's 2,000-passage dev sample at ~15 log-spaced steps.

Environment: MODELS ("6 2 3 1": layers kept, in run order), STEPS_FULL (2000: the full DE's steps; DE-l trains
L/l times as many), SCALE (multiplies STEPS_FULL), BUDGET_S (480: a model that would not end within it is skipped,
one running past it is stopped and kept as a partial curve), OUT (explore/de_l/out), MODEL_DIR (the float16 MiniLM),
SAMPLE_LIMIT (keep only the first N sample passages: CPU dry runs), DE_L_DIR (explore/de_l: what export.py wrote).

--quick: a CPU dry run on notebook 04's smoke data (export.py --quick first, into build/bench-quick/de_l), one step
of the full DE and three of DE-2 (a check that it runs, in seconds; nothing under explore/ or results/ is written).
"""
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

if "--quick" in sys.argv[1:]:  # before MLRLIB_CACHE is set below: the export reads the cached smoke benchmark
    _here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([sys.executable, os.path.join(_here, "export.py"), "--quick"], check=True)
    _quick = os.path.normpath(os.path.join(_here, "..", "..", "build", "bench-quick", "de_l"))
    os.environ.update(MLRLIB_DEVICE="cpu", DE_L_DIR=_quick, OUT=os.path.join(_quick, "out"), MODELS="6 2",
                      STEPS_FULL="1", MODEL_DIR=os.path.join(_quick, "minilm16"))
    # the float32 model copy and the throwaway cache below go there too, not into /tmp (a copy is 87 MiB)
    tempfile.tempdir = os.path.join(_quick, "tmp")
    shutil.rmtree(tempfile.tempdir, ignore_errors=True)
    os.makedirs(tempfile.tempdir)

# light_trainer writes no cache (train_light does); should anything else, it stays out of the repository
os.environ.setdefault("MLRLIB_CACHE", tempfile.mkdtemp(prefix="mlrlib-cache-"))

from mlrlib.training.light_de import build_light, light_config, light_trainer  # noqa: E402

START = time.time()
DIR = os.environ.get("DE_L_DIR", "explore/de_l")
OUT = os.environ.get("OUT", f"{DIR}/out")
MODELS = [int(x) for x in os.environ.get("MODELS", "6 2 3 1").split()]
STEPS_FULL = max(1, round(int(os.environ.get("STEPS_FULL", 2000)) * float(os.environ.get("SCALE", 1))))
BUDGET_S = float(os.environ.get("BUDGET_S", 480))
LIMIT = int(os.environ.get("SAMPLE_LIMIT", 0)) or None
L = 6

with open(f"{DIR}/data.pkl", "rb") as f:
    D = pickle.load(f)
PRESET, ENC = D["preset"], D["preset"]["encode"]  # notebook 04's `laptop` preset, exported with the data
PAIRS = [{"query": q, "positive": p} for q, p in D["train"]]
IDS, TEXTS = D["sample_ids"][:LIMIT], D["sample_texts"][:LIMIT]
# every dev-judged passage is in the sample; a dry run's first N passages are not, so it keeps the queries they answer
QIDS = [q for q in D["dev_q"] if set(D["dev_qrels"][q]) & set(IDS)]
assert LIMIT or len(QIDS) == len(D["dev_q"])
QTEXTS = [D["dev_q"][q] for q in QIDS]


class OverBudget(Exception):
    pass


def label(l: int) -> str:
    return "DE" if l == L else f"DE-{l}"


def float32_copy(src: str) -> str:
    """A float32 copy of the float16 export: transformers 5 keeps a checkpoint's dtype, mlrlib trains in float32."""
    dst = tempfile.mkdtemp(prefix="minilm32-")
    AutoModel.from_pretrained(src).float().save_pretrained(dst)
    AutoTokenizer.from_pretrained(src).save_pretrained(dst)
    return dst


def mrr10(encoder, cfg) -> float:
    """Dev MRR@10 (in %) on the sample, encoded as `evaluation.experiment.evaluate_model` encodes (cosine = dot)."""
    kw = dict(poolings=(cfg.pooling,), batch_size=ENC["batch_size"], bf16=ENC["bf16"], normalize=cfg.normalize)
    p = encoder.encode(TEXTS, [cfg.query_layer], max_length=ENC["p_max_len"], **kw)[cfg.pooling][:, 0]
    q = encoder.encode(QTEXTS, [cfg.query_layer], max_length=ENC["q_max_len"], **kw)[cfg.pooling][:, 0]
    top = np.argsort(-(q @ p.T), axis=1, kind="stable")[:, :10]
    rr = [next((1 / (r + 1) for r, j in enumerate(row) if D["dev_qrels"][qid].get(IDS[j], 0) > 0), 0.0)
          for qid, row in zip(QIDS, top)]
    return 100 * float(np.mean(rr))


def points(steps: int, n: int = 14) -> list[int]:
    """Step 0 and n log-spaced steps from steps/200 to `steps`, rounded to two significant digits."""
    xs = [int(float(f"{x:.2g}")) for x in np.geomspace(max(1, steps / 200), steps, n)]
    return sorted({0, steps, *(x for x in xs if x <= steps)})


def run(model: str, l: int, steps: int) -> dict:
    """One training run of DE-l, evaluated at `points(steps)`; stopped (complete: false) once past BUDGET_S."""
    lr = PRESET["train"]["lr"] if l == L else PRESET["light_lr"]
    cfg = light_config(model, l, "base", {**PRESET["train"], "steps": steps, "lr": lr},
                       negatives=PRESET["light"]["negatives"])
    name, at, t0, spent = label(l), points(steps), time.time(), [0.0]
    curve = []

    def evaluate(step, encoder):  # encode() runs in eval mode under inference_mode and restores train mode
        t = time.time()
        curve.append({"step": step, "MRR@10": round(mrr10(encoder, cfg), 2), "wall_s": round(t - t0, 1),
                      "train_s": round(t - t0 - spent[0], 1)})
        spent[0] += time.time() - t
        print(f"{name} step {step}/{steps} MRR@10 {curve[-1]['MRR@10']:.1f} {t - t0:.0f}s", flush=True)

    def after_step(step, encoder):
        if step in at:
            evaluate(step, encoder)
        if time.time() - START > BUDGET_S:
            raise OverBudget

    evaluate(0, build_light(cfg))
    out = {"layers": l, "lr": lr, "steps": steps, "points": at, "complete": True}
    try:
        _, log = light_trainer(PAIRS, D["negatives"], cfg)(after_step)
        for row, start in zip(curve[1:], at):  # mean training loss since the previous point
            row["loss"] = round(float(np.mean(log["losses"][start:row["step"]])), 4)
    except OverBudget:
        out["complete"] = False
        print(f"{name} stopped at the budget after step {curve[-1]['step']}", flush=True)
    return {name: {**out, "wall_s": round(time.time() - t0, 1), "eval_s": round(spent[0], 1), "curve": curve}}


def estimate(l: int, steps: int, per_step: dict) -> float:
    """Seconds for `steps` steps of DE-l: a step's time fitted as a + b*l to the finished runs (one run: half of it
    taken as fixed overhead; none: a guess of 0.05 s per full-DE step)."""
    per_step = per_step or {L: 0.05}
    if len(per_step) == 1:
        (k, t), = per_step.items()
        return steps * t * (1 + l / k) / 2
    b, a = np.polyfit(list(per_step), list(per_step.values()), 1)
    return steps * max(a + b * l, min(per_step.values()) / 2)


def main() -> None:
    model = float32_copy(os.path.abspath(os.environ.get("MODEL_DIR", f"{DIR}/minilm16")))
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"
    results = {"device": device, "torch": torch.__version__, "steps_full": STEPS_FULL, "budget_s": BUDGET_S,
               "passages": len(IDS), "queries": len(QIDS), "preset": PRESET["train"], "models": {}, "skipped": []}
    per_step = {}
    os.makedirs(OUT, exist_ok=True)
    for l in MODELS:
        steps = round(STEPS_FULL * L / l)  # the same transformer-layer compute as the full DE (light_de.light_train)
        guess = estimate(l, steps, per_step)
        if time.time() - START + guess > BUDGET_S:
            print(f"{label(l)}: skipped, {time.time() - START:.0f}s spent and its {steps} steps need about "
                  f"{guess:.0f}s", flush=True)
            results["skipped"].append(label(l))
        else:
            results["models"].update(run(model, l, steps))
            done = results["models"][label(l)]
            if done["complete"]:
                per_step[l] = done["wall_s"] / steps
        with open(f"{OUT}/de_l_convergence.json.tmp", "w") as f:
            json.dump(results, f, indent=1)
        os.replace(f"{OUT}/de_l_convergence.json.tmp", f"{OUT}/de_l_convergence.json")
    print(f"done in {time.time() - START:.0f}s; {OUT}/de_l_convergence.json", flush=True)


if __name__ == "__main__":
    main()
