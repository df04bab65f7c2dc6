"""Training speed: a step of mlrlib's loop against a plain PyTorch loop doing the same computation,
and gradient caching's memory saving against its time cost.

    python benchmarks/training.py           # the fixed training step of common.training_step_config (about 2.5 min)
    python benchmarks/training.py --quick   # the smoke benchmark, batch 2 of 32-token passages, grad cache chunks
                                            # of 1, one repetition (a check that it runs; build/bench-quick/)

The setting is `common.training_step_config`, fixed: a dual encoder (MiniLM, [CLS], cosine / 0.05),
32 queries against their 32 positives and 32 BM25 hard negatives, bf16 autocast, AdamW with linear
warmup. Both loops see the same batches; a timed unit is one optimizer step.
1. mlrlib (`training.optimize` + `training.train_step`) / plain loop: target <= 1.05x.
2. Gradient caching (chunks of 8): peak RSS of a training step (measured in a fresh process each)
   and time per step, against one forward pass for the whole batch.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F
from common import Report, benchmark_data, interleaved_medians, peak_rss_mib, training_step_config
from transformers import get_linear_schedule_with_warmup

from mlrlib.training.batches import batches
from mlrlib.training.dual_encoder import build_encoder, loss_for
from mlrlib.training.loop import optimize
from mlrlib.training.negatives import training_data
from mlrlib.training.step import train_step


def plan(cfg: dict, steps: int, quick: bool = False):
    data = benchmark_data(quick)  # notebook 01's laptop benchmark (quick: the smoke one of notebooks 02-05)
    pairs, negatives = training_data(data, True)
    return batches(pairs, negatives, cfg.replace(steps=steps))


def mlrlib_steps(cfg):
    """One call = `optimize` over the batches given (mlrlib's loop, as `training.fit` runs it)."""
    encoder, loss_fn = build_encoder(cfg), loss_for(cfg)
    return lambda batch_list: optimize(encoder, batch_list, cfg, lambda b: (
        loss := float(train_step(encoder, *b, cfg, loss_fn)), loss), progress=False)


def plain_steps(cfg):
    """The same computation written directly: tokenise, forward under bf16 autocast, [CLS],
    normalise, in-batch + hard-negative InfoNCE, backward, AdamW with linear warmup."""
    encoder = build_encoder(cfg)
    model, tokenizer = encoder.model, encoder.tokenizer

    def embed(texts, max_len):
        batch = tokenizer(texts, truncation=True, max_length=max_len, padding=True, return_tensors="pt")
        with torch.autocast("cpu", dtype=torch.bfloat16):
            cls = model(**batch).last_hidden_state[:, 0]
        return F.normalize(cls.float(), dim=-1)

    def run(batch_list):
        opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr)
        sched = get_linear_schedule_with_warmup(opt, int(cfg.warmup * len(batch_list)), len(batch_list))
        model.train()
        for queries, passages in batch_list:
            q, p = embed(queries, cfg.q_max_len), embed(passages, cfg.p_max_len)
            loss = F.cross_entropy(q @ p.T / cfg.temperature, torch.arange(len(q)))
            loss.backward()
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
    return run


def loop_overhead(report, cfg, batch_list, repeats) -> dict:
    steps = {"plain PyTorch": plain_steps(cfg), "mlrlib": mlrlib_steps(cfg)}
    times = interleaved_medians({n: (lambda f=f: f(batch_list)) for n, f in steps.items()}, repeats=repeats)
    ratio = times["mlrlib"]["median"] / times["plain PyTorch"]["median"]
    report.check(f"seconds per step, plain PyTorch (batch {cfg.batch_size})",
                 times["plain PyTorch"]["median"] / len(batch_list), unit=" s")
    report.check("mlrlib / plain PyTorch, time per step", ratio, "<=", 1.05, "x")
    return {"seconds_per_round": times, "steps_per_round": len(batch_list), "ratio": ratio}


def grad_cache_child(cfg: dict, chunk: int | None, batch_file: str) -> dict:
    """In a fresh process that loads nothing but the model and the batches: its peak RSS before
    the first step, and the peak over the steps."""
    batch_list = json.loads(Path(batch_file).read_text())
    cfg = cfg.replace(grad_cache_chunk=chunk)
    run = mlrlib_steps(cfg)
    before = peak_rss_mib()
    run(batch_list)
    return {"rss_before_mib": before, "peak_mib": peak_rss_mib()}


def grad_cache(report, cfg, batch_list, repeats, quick) -> dict:
    chunk = 8 if not quick else 1
    memory = {}
    with tempfile.TemporaryDirectory() as tmp:
        batch_file = Path(tmp) / "batches.json"
        batch_file.write_text(json.dumps(batch_list))
        for c in (None, chunk):
            out = subprocess.run([sys.executable, __file__, "--child", str(c or 0), "--batches", str(batch_file)]
                                 + (["--quick"] if quick else []), capture_output=True, text=True, check=True)
            memory[str(c)] = json.loads(out.stdout.strip().splitlines()[-1])
    times = interleaved_medians({str(c): (lambda f=mlrlib_steps(cfg.replace(grad_cache_chunk=c)): f(batch_list))
                                 for c in (None, chunk)}, repeats=repeats)
    growth = {c: m["peak_mib"] - m["rss_before_mib"] for c, m in memory.items()}
    report.check("training step memory (peak - before), one pass", growth["None"], unit=" MiB")
    report.check(f"training step memory, grad cache chunks of {chunk}", growth[str(chunk)], unit=" MiB")
    report.check("grad cache: memory saved", 1 - growth[str(chunk)] / growth["None"], unit="")
    report.check("grad cache: time per step / one pass", times[str(chunk)]["median"] / times["None"]["median"],
                 unit="x")
    return {"chunk": chunk, "memory": memory, "step_growth_mib": growth, "seconds_per_round": times}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--child", type=int)
    ap.add_argument("--batches")
    args = ap.parse_args()
    cfg = training_step_config(args.quick)
    if args.child is not None:
        print(json.dumps(grad_cache_child(cfg, args.child or None, args.batches)))
        return
    repeats, steps = (1, 1) if args.quick else (5, 1)
    batch_list = plan(cfg, steps, args.quick)
    report = Report("training", {"config": cfg, "repeats": repeats, "steps_per_round": steps,
                                 "threads": torch.get_num_threads()}, args.quick)
    details = {"loop": loop_overhead(report, cfg, batch_list, repeats),
               "grad_cache": grad_cache(report, cfg, batch_list, repeats, args.quick)}
    report.save(details)


if __name__ == "__main__":
    main()
