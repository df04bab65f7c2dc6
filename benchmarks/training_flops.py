"""Training speed against the machine: the FLOP/s that common.training_step_config's step achieves, as a
share of what this CPU's best matrix multiply reaches, and what each candidate change to the step buys.

    python benchmarks/training_flops.py           # MiniLM [CLS]: 32 queries, positives, BM25 negatives
    python benchmarks/training_flops.py --quick   # the smoke benchmark, 2 queries of 32-token passages, one step, one
                                                  # repeat, n = 256 matmuls, no torch.compile (its compilation alone
                                                  # takes minutes on 2 cores): a check that it runs (build/bench-quick/)

- Peak: the median FLOP/s of a square matmul (n = 2048) in bfloat16 and in float32, torch.mm on all threads. It is
  the best this machine's BLAS does, measured here; the CPU's datasheet peak is higher and unknown in a VM.
- Step FLOPs: torch's FlopCounterMode over one step's forward and backward, with the eager attention kernel so that
  attention's matmuls count too (the fused CPU kernel is invisible to the counter). The optimizer's few FLOPs
  per parameter are left out.
- Each variant trains a fresh model on the same batches, the variants in rotating order each round
  (`interleaved_medians`); a round is `steps` optimizer steps. "exact" says whether its losses equal the
  baseline's bit for bit (the variants that change the arithmetic differ by rounding, or by more).
"""
from __future__ import annotations

import argparse
import time

import torch
from common import Report, benchmark_data, interleaved_medians, training_step_config
from torch.utils.flop_counter import FlopCounterMode

from mlrlib.methods.cross_encoder import eager_attention
from mlrlib.training.batches import batches
from mlrlib.training.config import TrainConfig
from mlrlib.training.dual_encoder import build_encoder, loss_for
from mlrlib.training.loop import optimize
from mlrlib.training.negatives import training_data
from mlrlib.training.step import train_step


def gemm_flops(dtype: torch.dtype, n: int = 2048, repeats: int = 5) -> float:
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    torch.mm(a, b)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - start)
    return 2 * n ** 3 / sorted(times)[len(times) // 2]


def step_flops(cfg: TrainConfig, batch) -> int:
    encoder = build_encoder(cfg).train()
    with eager_attention(encoder.model), FlopCounterMode(display=False) as counter:
        train_step(encoder, *batch, cfg, loss_for(cfg))
    return int(counter.get_total_flops())


def compiled(encoder):
    encoder.model = torch.compile(encoder.model, dynamic=True)
    return encoder


VARIANTS = {  # name: (config changes, what is done to the built encoder)
    "as trained (bf16 autocast, SDPA, AdamW foreach)": ({}, None),
    "fused AdamW": ({"fused_adamw": True}, None),
    "float32 (no autocast)": ({"bf16": False}, None),
    "torch.compile (inductor, dynamic shapes)": ({}, compiled),
}


def runner(cfg: TrainConfig, changes: dict, transform, batch_list, losses: list):
    def run():
        c = cfg.replace(**changes)
        encoder = build_encoder(c)
        if transform is not None:
            encoder = transform(encoder)
        fn = loss_for(c)
        records = optimize(encoder, batch_list, c, lambda b: ((x := float(train_step(encoder, *b, c, fn))), x),
                           progress=False)
        losses.append(records)
    return run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--steps", type=int, default=3, help="optimizer steps per timed round")
    args = ap.parse_args()
    if args.quick:
        args.steps = 1
    cfg, repeats, n = training_step_config(args.quick), 1 if args.quick else 3, 256 if args.quick else 2048
    data = benchmark_data(args.quick)  # notebook 01's laptop benchmark (quick: the smoke one of notebooks 02-05)
    batch_list = batches(*training_data(data, True), cfg.replace(steps=args.steps))
    report = Report("training_flops", {"config": cfg, "repeats": repeats, "steps_per_round": args.steps,
                                       "threads": torch.get_num_threads(), "matmul_n": n,
                                       **({"left_out": ["torch.compile"]} if args.quick else {})}, args.quick)
    peak = {"bfloat16": gemm_flops(torch.bfloat16, n), "float32": gemm_flops(torch.float32, n)}
    flops = step_flops(cfg, batch_list[0])
    variants = [v for v in VARIANTS if not (args.quick and VARIANTS[v][1] is compiled)]
    losses = {name: [] for name in variants}
    times = interleaved_medians({name: runner(cfg, *VARIANTS[name], batch_list, losses[name]) for name in variants},
                                repeats=repeats)
    base = next(iter(VARIANTS))
    report.check(f"peak: bf16 matmul (n = {n})", peak["bfloat16"] / 1e9, unit=" GFLOP/s")
    report.check(f"peak: float32 matmul (n = {n})", peak["float32"] / 1e9, unit=" GFLOP/s")
    report.check("training step FLOPs (forward + backward)", flops / 1e9, unit=" GFLOP")
    details = {"peak_flops": peak, "step_flops": flops, "variants": {}}
    for name, t in times.items():
        seconds = t["median"] / args.steps
        exact = losses[name][-1] == losses[base][-1]
        report.check(f"{name}: seconds per step", seconds, unit=" s")
        report.check(f"{name}: achieved / bf16 matmul peak", flops / seconds / peak["bfloat16"], unit="")
        report.check(f"{name}: time per step vs as trained", t["median"] / times[base]["median"], unit="x")
        details["variants"][name] = {"seconds_per_step": seconds, "achieved_flops": flops / seconds,
                                     "exact": exact, "losses": losses[name][-1], "times": t}
        print(f"{name}: losses {'equal' if exact else 'differ'} ({losses[name][-1]})", flush=True)
    report.save(details)


if __name__ == "__main__":
    main()
