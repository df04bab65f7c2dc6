"""The optimizer loop every model here trains with: AdamW, linear warm-up then decay, seeded.

`optimize(encoder, plan, cfg, step)` runs `step(batch)` (forward and backward) for each batch of the plan; what
a step computes is the trainer's: `dual_encoder.fit`, `md2pr.Distiller`, `light_de.LightStep`.
"""
from __future__ import annotations

import random

import torch
from transformers import get_linear_schedule_with_warmup

from mlrlib.runtime.memory import collect_cycles
from mlrlib.runtime.progress import progress_bar
from mlrlib.training.step import adamw, memory_options


def seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def optimize(encoder, plan, cfg, step, head=(), progress=None, desc="train", after_step=None) -> list:
    """AdamW with linear warmup and decay over `plan`; `step(batch)` runs forward and backward and
    returns (loss, record). The encoder's pooler and the extra `head` parameters train at head_lr.
    `after_step(n, encoder)`, if given, is called after optimizer step n (counting from 1) with the encoder in
    eval mode (as `ranker.fit_ranker` calls it with its ranker), e.g. to evaluate it (`evaluation.learning_curve`).
    Returns the records, one per step."""
    collect_cycles()  # before the optimizer's state and the activations are allocated
    seed_everything(cfg.seed)
    head = [p for n, p in encoder.named_parameters() if n.startswith("pooler.")] + list(head)
    body = [p for n, p in encoder.named_parameters() if not n.startswith("pooler.")]
    opt = adamw([{"params": body}, {"params": head, "lr": cfg.head_lr}], cfg)
    sched = get_linear_schedule_with_warmup(opt, int(cfg.warmup * len(plan)), len(plan))
    encoder.train()
    records = []
    bar = progress_bar(plan, desc, progress)
    with memory_options(encoder.model, cfg):
        for batch in bar:
            loss, record = step(batch)
            records.append(record)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            bar.set_postfix(loss=f"{loss:.3f}")
            if after_step is not None:
                encoder.eval()
                after_step(len(records), encoder)
                encoder.train()
    encoder.eval()
    return records
