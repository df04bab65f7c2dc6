"""The optimizer loop every model here trains with: AdamW, linear warm-up then decay, seeded.

`optimize(encoder, plan, cfg, step)` runs `step(batch)` (forward and backward) for each batch of the plan; what
a step computes is the trainer's: `dual_encoder.fit`, `md2pr.Distiller`, `light_de.LightStep`.

Where a step runs one backward pass, each parameter's AdamW update runs inside it, as soon as that parameter's
gradient is complete, and the gradient is dropped at once (`register_post_accumulate_grad_hook`): the same
per-parameter arithmetic as one `AdamW.step()` after the backward pass (AdamW updates each tensor from its own
gradient and state alone; tested equal), without ever holding every gradient at the same time (MiniLM: 87 MiB).
Gradient caching runs several backward passes per step, so it, and DDP, whose reducer needs the summed
gradients, keep the plain loop.
"""
from __future__ import annotations

import random
import warnings

import torch
from transformers import get_linear_schedule_with_warmup

from mlrlib.runtime.progress import progress_bar


def seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


class StepInBackward:
    """One AdamW (and its schedule) per parameter, stepped by a hook when the parameter's gradient is complete."""

    def __init__(self, groups: list[dict], warmup: int, total: int):
        self.optimizers, self.schedules, self.hooks = [], [], []
        for group in groups:
            for p in group["params"]:
                opt = torch.optim.AdamW([p], lr=group["lr"])
                self.optimizers.append(opt)
                self.schedules.append(get_linear_schedule_with_warmup(opt, warmup, total))
                self.hooks.append(p.register_post_accumulate_grad_hook(self._stepper(opt)))

    @staticmethod
    def _stepper(opt):
        def step(param):
            opt.step()
            param.grad = None
        return step

    def step(self):  # the updates already ran inside the backward pass
        pass

    def after_step(self):
        with warnings.catch_warnings():  # a parameter the loss did not reach never stepped: nothing to skip
            warnings.filterwarnings("ignore", message=r"Detected call of `lr_scheduler.step\(\)`")
            for schedule in self.schedules:
                schedule.step()

    def close(self):
        for hook in self.hooks:
            hook.remove()


class StepAfterBackward:
    """The plain loop: AdamW.step() over every parameter once the step's backward passes are done."""

    def __init__(self, groups: list[dict], warmup: int, total: int):
        self.opt = torch.optim.AdamW(groups, lr=groups[0]["lr"])
        self.schedule = get_linear_schedule_with_warmup(self.opt, warmup, total)

    def step(self):
        self.opt.step()

    def after_step(self):
        self.schedule.step()
        self.opt.zero_grad(set_to_none=True)

    def close(self):
        pass


def optimize(encoder, plan, cfg, step, head=(), progress=None, desc="train", step_in_backward=None) -> list:
    """AdamW with linear warmup and decay over `plan`; `step(batch)` runs forward and backward and
    returns (loss, record). The encoder's pooler and the extra `head` parameters train at head_lr.
    step_in_backward: update each parameter inside the backward pass (default: unless gradient caching runs
    several backward passes per step). Returns the records, one per step."""
    seed_everything(cfg.seed)
    head = [p for n, p in encoder.named_parameters() if n.startswith("pooler.")] + list(head)
    body = [p for n, p in encoder.named_parameters() if not n.startswith("pooler.")]
    groups = [{"params": body, "lr": cfg.lr}, {"params": head, "lr": cfg.head_lr}]
    in_backward = not cfg.grad_cache_chunk if step_in_backward is None else step_in_backward
    updates = (StepInBackward if in_backward else StepAfterBackward)(groups, int(cfg.warmup * len(plan)), len(plan))
    encoder.train()
    records = []
    bar = progress_bar(plan, desc, progress)
    try:
        for batch in bar:
            loss, record = step(batch)
            records.append(record)
            updates.step()
            updates.after_step()
            bar.set_postfix(loss=f"{loss:.3f}")
    finally:
        updates.close()
    encoder.eval()
    return records
