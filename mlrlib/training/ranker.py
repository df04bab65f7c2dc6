"""Training the cross-encoder teacher here, when no trained ranker can be loaded (MD2PR, arXiv
2312.16821; docs/methods.md#teacher).

Listwise: each training query's positive competes with its BM25 hard negatives in one
softmax (`losses.listwise_ranking_loss`). The trained ranker is cached under the hash of
(config, data); `steps = 0` loads `model` as a ranker that is already trained.
"""
from __future__ import annotations

import dataclasses
import json
import random
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import get_linear_schedule_with_warmup

from mlrlib.methods.cross_encoder import CrossEncoder, GatedCrossEncoder, load_cross_encoder
from mlrlib.methods.encoders import bf16_autocast, resolve_model
from mlrlib.methods.losses import listwise_ranking_loss
from mlrlib.runtime.cache import atomic_dir, atomic_write_json, cache_dir, held_or_loaded
from mlrlib.runtime.memory import collect_cycles
from mlrlib.runtime.progress import progress_bar
from mlrlib.training.batches import index_batches
from mlrlib.training.checkpoints import data_fingerprint
from mlrlib.training.step import adamw, checkpointed

KINDS = ("gated", "classifier")


@dataclass(frozen=True)
class RankerConfig:
    """Every choice of the teacher's training (its `key()` names the cached ranker). Each step has
    `batch_size` queries, each with its positive and `negatives` BM25 negatives; steps = 0 uses `model`
    as it is (an already trained ranker)."""
    model: str = "minilm"      # hub id or local folder of the model the ranker starts from
    kind: str = "gated"        # "classifier" (a head on [CLS]) or "gated" (`cross_encoder.GatedCrossEncoder`,
                               # warm-started from a bi-encoder)
    steps: int = 150           # optimizer steps (0: no training)
    batch_size: int = 8        # queries per step
    negatives: int = 3         # BM25 negatives per query, ranked against its positive (listwise loss)
    lr: float = 5e-5           # AdamW learning rate of the body
    head_lr: float = 2e-3      # learning rate of the head (classifier, or gate and scale)
    gate: float = -4.0         # the gated ranker's initial additive attention bias between query and passage
    warmup: float = 0.1        # share of the steps with linear warm-up
    q_max_len: int = 32        # query tokens kept
    p_max_len: int = 128       # passage tokens kept
    bf16: bool = True          # bfloat16 autocast (on the model's device)
    seed: int = 0              # seeds the batches and a fresh head
    checkpointing: bool = False  # recompute each layer's activations in backward: less memory, same weights
    fused_adamw: bool = False    # torch's fused AdamW kernel: no temporaries, the same update up to rounding

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown ranker kind {self.kind!r}; use one of {KINDS}")
        if self.steps < 0 or self.batch_size < 1 or self.negatives < 1:
            raise ValueError("ranker training needs steps >= 0, batch_size >= 1 and negatives >= 1")

    def key(self) -> dict:
        """The dict whose hash names the cached ranker; `checkpointing` is left out (it changes the memory a
        step takes, not the weights: tests/training/test_memory_options.py)."""
        out = dataclasses.asdict(self)
        del out["checkpointing"]
        if not self.fused_adamw:  # added later: at its default the key (and the cached rankers) stay as they were
            del out["fused_adamw"]
        return out


def make_ranker(cfg) -> CrossEncoder:
    """The untrained ranker of `cfg`, seeded (a fresh head is random)."""
    torch.manual_seed(cfg.seed)
    if cfg.kind == "gated":
        return GatedCrossEncoder(cfg.model, gate=cfg.gate)
    return CrossEncoder(cfg.model)


def _is_head(name: str) -> bool:
    return not name.startswith("model.") or name.startswith("model.classifier.")


def ranker_key(cfg: RankerConfig, pairs, negative_lists) -> dict:
    """What names a teacher: its config and, when it is trained here, the data it saw."""
    if cfg.steps == 0:
        return {"ranker": cfg.model}
    data = data_fingerprint(pairs, negative_lists)
    return {"ranker": cfg.key(), "data": data}


def ranker_batches(pairs, negative_lists, cfg):
    """Seeded plan: per step, `batch_size` (query, [positive, negative_1..n]) lists."""
    return [[(pairs[i]["query"], [pairs[i]["positive"], *negative_lists[i][:cfg.negatives]]) for i in idx]
            for idx in index_batches(len(pairs), cfg.batch_size, cfg.steps, cfg.seed)]


def fit_ranker(ranker: CrossEncoder, pairs, negative_lists, cfg, progress=None, after_step=None) -> list[float]:
    """Train `ranker` in place with the listwise loss; the loss of every step.
    `after_step(step, ranker)`, if given, is called once before training (step 0) and after each
    optimizer step (steps count from 1), with the ranker in eval mode."""
    collect_cycles()  # before the optimizer's state and the activations are allocated
    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    head = [p for n, p in ranker.named_parameters() if _is_head(n)]
    body = [p for n, p in ranker.named_parameters() if not _is_head(n)]
    opt = adamw([{"params": body}, {"params": head, "lr": cfg.head_lr}], cfg)
    sched = get_linear_schedule_with_warmup(opt, int(cfg.warmup * cfg.steps), cfg.steps)
    if after_step is not None:
        after_step(0, ranker.eval())
    ranker.train()
    losses = []
    with checkpointed(ranker.model, cfg.checkpointing):
        for step in progress_bar(ranker_batches(pairs, negative_lists, cfg), "teacher", progress):
            losses.append(_listwise_step(ranker, step, cfg))
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            if after_step is not None:
                ranker.eval()
                after_step(len(losses), ranker)
                ranker.train()
    ranker.eval()
    return losses


def _listwise_step(ranker: CrossEncoder, step, cfg) -> float:
    """Forward and backward of one batch: each query's candidates (positive first) scored jointly."""
    width = len(step[0][1])
    queries = [q for q, cands in step for _ in cands]
    with bf16_autocast(cfg.bf16, ranker.device):
        scores = ranker(ranker.pairs(queries, [p for _, cands in step for p in cands],
                                     cfg.q_max_len, cfg.p_max_len)).float()
    loss = listwise_ranking_loss(scores.view(-1, width))
    loss.backward()
    return float(loss.detach())


def train_ranker(pairs, negative_lists, cfg, progress=None) -> tuple[CrossEncoder, dict]:
    """The teacher of `cfg`: loaded as is (steps = 0), from the cache, or trained here and cached."""
    if cfg.steps == 0:
        return load_cross_encoder(resolve_model(cfg.model)).eval(), {"losses": [], "train_seconds": 0.0,
                                                                        "cached": True}
    key = ranker_key(cfg, pairs, negative_lists)
    folder = cache_dir("rankers", key)
    if (folder / "train_log.json").exists():
        return load_cross_encoder(folder / "model").eval(), json.loads((folder / "train_log.json").read_text())
    ranker, log = _trained(pairs, negative_lists, cfg, progress)
    _store(folder, ranker, {**log, "key": key})
    return ranker, {**log, "key": key}


def _trained(pairs, negative_lists, cfg, progress, after_step=None) -> tuple[CrossEncoder, dict]:
    if any(len(n) < cfg.negatives for n in negative_lists):
        raise ValueError(f"the ranker trains with {cfg.negatives} negatives per pair; mine at least that many")
    ranker = make_ranker(cfg)
    start = time.perf_counter()
    losses = fit_ranker(ranker, pairs, negative_lists, cfg, progress, after_step)
    return ranker, {"losses": losses, "train_seconds": time.perf_counter() - start, "cached": False}


def _store(folder, ranker: CrossEncoder, log: dict) -> None:
    with atomic_dir(folder) as tmp:
        ranker.save(tmp / "model")
        atomic_write_json(tmp / "train_log.json", {**log, "cached": True})


class Snapshots(Mapping):
    """{step: ranker} of the snapshots stored in `folder`, each loaded (in eval mode) when looked up.
    A loaded snapshot is kept only while the caller holds it (weak reference), so a notebook that goes
    through five snapshots holds one, not five (each is a whole cross-encoder)."""

    def __init__(self, folder: Path, steps):
        self.folder, self.steps = Path(folder), list(steps)
        self._loaded: dict[int, weakref.ref] = {}

    def __getitem__(self, step) -> CrossEncoder:
        if step not in self.steps:
            raise KeyError(step)
        ranker, self._loaded[step] = held_or_loaded(
            self._loaded.get(step), lambda: load_cross_encoder(self.folder / f"step-{step}").eval())
        return ranker

    def __iter__(self):
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)


def train_ranker_snapshots(pairs, negative_lists, cfg, at_steps) -> tuple[Snapshots, dict]:
    """The ranker of `cfg` as it was after each of `at_steps` steps of ONE training run (0: before
    training), cached together under (config, data, steps). Returns ({step: ranker}, train log);
    the mapping loads each snapshot from the cache when it is looked up (`Snapshots`).

    The last snapshot is the ranker `train_ranker(cfg)` returns; it is stored under that key too
    when that cache is empty, so a later `train_ranker` does not train the same model again.
    """
    at_steps = sorted(set(int(s) for s in at_steps))
    if cfg.steps == 0 or not at_steps or at_steps[0] < 0 or at_steps[-1] != cfg.steps:
        raise ValueError(f"snapshot steps must lie in 0..{cfg.steps} and end at the last step, {cfg.steps}")
    key = ranker_key(cfg, pairs, negative_lists)
    folder = cache_dir("ranker_snapshots", {**key, "at_steps": at_steps})
    if (folder / "train_log.json").exists():
        return Snapshots(folder, at_steps), json.loads((folder / "train_log.json").read_text())
    with atomic_dir(folder) as tmp:
        def save(step, ranker):
            if step in at_steps:
                ranker.save(tmp / f"step-{step}")
        ranker, log = _trained(pairs, negative_lists, cfg, False, save)
        atomic_write_json(tmp / "train_log.json", {**log, "key": key, "at_steps": at_steps, "cached": True})
    final = cache_dir("rankers", key)
    if not (final / "train_log.json").exists():
        _store(final, ranker, {**log, "key": key})
    return train_ranker_snapshots(pairs, negative_lists, cfg, at_steps)
