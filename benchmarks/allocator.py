"""What `mlrlib.runtime.memory` (glibc's mmap threshold fixed at 1 MiB) costs and saves, against malloc's default.

    python benchmarks/allocator.py            # 12 training steps per run, 3 runs of each setting (about 4 min)
    python benchmarks/allocator.py --quick    # 1 step of batch 2, 32-token passages, 1 run of each (a check that
                                              # it runs; build/bench-quick/)

Each run is a fresh process (the setting is process-wide, taken at `import mlrlib`) that trains MiniLM as the smoke
notebooks do (batch 8 with BM25-style negatives, bf16, AdamW inside the backward pass), then frees the model and its
optimizer, loads a second model and trains it too: what a notebook that trains several models does. The settings
alternate run by run (a slow patch of the machine hits both). Reported: seconds per training step (median over
runs) and its ratio to the default, peak RSS, and RSS after the first model was freed.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

from common import Report

CHILD = """
import gc, json, sys, time
import mlrlib
from mlrlib.training.config import TrainConfig
from mlrlib.training.dual_encoder import build_encoder, fit
def rss(key):
    return int(open("/proc/self/status").read().split(key + ":")[1].split()[0]) / 1024
steps, batch, p_max_len = map(int, sys.argv[1:4])
pairs = [{"query": f"how do I remove directory tree number {i} with all its files", "positive_id": f"p{i}",
          "positive": f"passage {i}: " + "rm -r removes a directory and everything below it. " * 12, "source": "b"}
         for i in range(batch * steps)]
negatives = [f"negative {i}: " + "chmod changes the mode of a file, not its owner. " * 12 for i in range(batch * steps)]
cfg = TrainConfig(steps=steps, batch_size=batch, hard_negatives=True, bf16=True, pooling="mean", p_max_len=p_max_len)
seconds = []
for model in range(2):
    encoder = build_encoder(cfg.replace(seed=model))
    start = time.perf_counter()
    fit(encoder, pairs, negatives, cfg.replace(seed=model), progress=False)
    seconds.append((time.perf_counter() - start) / steps)
    del encoder
    gc.collect()
    if model == 0:
        freed = rss("VmRSS")
print(json.dumps({"seconds_per_step": sum(seconds) / len(seconds), "peak_mib": rss("VmHWM"),
                  "after_free_mib": freed}))
"""


def run(setting: str, steps: int, batch: int = 8, p_max_len: int = 128) -> dict:
    env = {**os.environ, "MLRLIB_MALLOC": "default" if setting == "default" else ""}
    done = subprocess.run([sys.executable, "-c", CHILD, str(steps), str(batch), str(p_max_len)], env=env,
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    steps, repeats, batch, p_max_len = (1, 1, 2, 32) if args.quick else (12, 3, 8, 128)
    results = {"default": [], "fixed 1 MiB": []}
    for i in range(repeats):
        for setting in (list(results) if i % 2 == 0 else list(results)[::-1]):
            results[setting].append(run(setting, steps, batch, p_max_len))
            print(setting, results[setting][-1], flush=True)
    med = {s: {k: statistics.median(r[k] for r in rows) for k in rows[0]} for s, rows in results.items()}
    report = Report("allocator", {"steps": steps, "repeats": repeats, "batch_size": batch, "p_max_len": p_max_len},
                    args.quick)
    report.check("seconds per step, fixed / default", round(med["fixed 1 MiB"]["seconds_per_step"]
                                                             / med["default"]["seconds_per_step"], 3), "<=", 1.05, "x")
    for setting, values in med.items():
        report.check(f"{setting}: peak RSS", round(values["peak_mib"]), unit=" MiB")
        report.check(f"{setting}: RSS after the first model is freed", round(values["after_free_mib"]), unit=" MiB")
    report.save({"runs": results, "medians": med})


if __name__ == "__main__":
    main()
