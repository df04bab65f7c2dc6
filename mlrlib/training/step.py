"""One training step of a dual encoder: encode, loss, backward, optionally with gradient caching."""
from __future__ import annotations

from contextlib import contextmanager

import torch
import torch.nn.functional as F

from mlrlib.methods.encoders import MultiLayerEncoder, bf16_autocast
from mlrlib.training.config import training_layers


def represent(encoder: MultiLayerEncoder, texts, max_len, layers, cfg) -> torch.Tensor:
    """Pooled (and optionally normalised) vectors [B, m, H], float32, with gradients."""
    with bf16_autocast(cfg.bf16, encoder.device):
        reps = encoder(encoder.tokenize(texts, max_len), layers, cfg.pooling).float()
    return F.normalize(reps, dim=-1) if cfg.normalize else reps


def adamw(groups, cfg) -> torch.optim.AdamW:
    """AdamW at cfg.lr over the parameter groups. `cfg.fused_adamw` takes torch's fused kernel: one pass over each
    tensor and no temporaries (a MiniLM step: 73 ms and +0 MiB against 150 ms and +88 MiB), an update equal to
    the default one up to rounding (4.4e-6 apart after 4 steps at lr 1e-3), so it is part of the cache key."""
    return torch.optim.AdamW(groups, lr=cfg.lr, fused=True) if cfg.fused_adamw else torch.optim.AdamW(groups, lr=cfg.lr)


@contextmanager
def checkpointed(model, enabled: bool):
    """Gradient checkpointing of a Hugging Face model in the block (Chen et al., 2016, arXiv 1604.06174):
    backward recomputes each layer's activations from its input instead of keeping them. The recompute
    replays the forward's RNG state (dropout) and autocast, so the gradients, and the weights trained with
    them, are bitwise the same; a cross-encoder step of 12 pairs of 160 tokens takes 165 MiB instead of 465."""
    if not enabled:
        yield
        return
    _switch_checkpointing(model, True)
    try:
        yield
    finally:
        _switch_checkpointing(model, False)


@contextmanager
def frozen_embeddings(model, enabled: bool):
    """The Hugging Face `model`'s token embeddings without gradient in the block, so AdamW keeps no state for them:
    in MiniLM they are 11.7M of 22.7M parameters, so a training step holds 134 MiB less (their gradient and
    AdamW's two moments). It changes what is trained (the vocabulary stays as pre-trained), so it is part of the
    cache key. The flag is put back after the block: a later run on a copy of the model trains them again."""
    weight = model.get_input_embeddings().weight
    before = weight.requires_grad
    weight.requires_grad_(before and not enabled)
    try:
        yield
    finally:
        weight.requires_grad_(before)


@contextmanager
def memory_options(model, cfg):
    """A `TrainConfig`'s memory options over the Hugging Face `model` in the block: its checkpointing and frozen
    embeddings, as the training loop runs them (and so as the cost tables time a step)."""
    with checkpointed(model, cfg.checkpointing), frozen_embeddings(model, cfg.freeze_embeddings):
        yield


def _switch_checkpointing(model, on: bool) -> None:
    if not hasattr(model, "activation_checkpointing_enable"):  # transformers 4's names (5 renamed them)
        if on:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        else:
            model.gradient_checkpointing_disable()
    elif on:
        model.activation_checkpointing_enable({"use_reentrant": False})
    else:
        model.activation_checkpointing_disable()


def _chunks(n, size):
    return [slice(s, s + size) for s in range(0, n, size)]


def rng_state(device: torch.device) -> tuple:
    """The RNG states a forward's dropout draws from: the CPU's, and the GPU's when it runs on one."""
    return torch.get_rng_state(), (torch.cuda.get_rng_state(device) if device.type == "cuda" else None)


@contextmanager
def replayed_rng(device: torch.device, state: tuple):
    """Run the block under `state` (from `rng_state`), then put the RNGs back as they were."""
    cuda = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda, device_type="cuda"):
        torch.set_rng_state(state[0])
        if cuda:
            torch.cuda.set_rng_state(state[1], device)
        yield


def cached_backward(encoder, groups, loss_fn, chunk: int) -> torch.Tensor:
    """Gradient caching (Gao et al., 2021): the loss of a batch too large for one forward.

    groups: [(texts, max_len, layers, cfg)], one per encoder input (queries, passages).
    1) encode every chunk without graph, remembering its RNG state (dropout masks);
    2) loss on the detached representations, backward to get d loss / d rep;
    3) re-encode each chunk with graph under the same RNG state and push that gradient in.
    The parameter gradients equal those of the one-pass computation.
    """
    reps, states = [], []
    with torch.no_grad():
        for texts, max_len, layers, cfg in groups:
            states.append([])
            parts = []
            for sl in _chunks(len(texts), chunk):
                states[-1].append(rng_state(encoder.device))
                parts.append(represent(encoder, texts[sl], max_len, layers, cfg))
            reps.append(torch.cat(parts).requires_grad_())
    loss = loss_fn(*reps)
    loss.backward()
    for (texts, max_len, layers, cfg), rep, rng in zip(groups, reps, states):
        for sl, state in zip(_chunks(len(texts), chunk), rng):
            with replayed_rng(encoder.device, state):
                represent(encoder, texts[sl], max_len, layers, cfg).backward(rep.grad[sl])
    return loss.detach()


def train_step(encoder, queries, passages, cfg, loss_fn) -> torch.Tensor:
    q_layers, p_layers = training_layers(cfg)
    groups = [(queries, cfg.q_max_len, q_layers, cfg), (passages, cfg.p_max_len, p_layers, cfg)]
    if cfg.grad_cache_chunk:
        return cached_backward(encoder, groups, loss_fn, cfg.grad_cache_chunk)
    loss = loss_fn(*[represent(encoder, *g) for g in groups])
    loss.backward()
    return loss.detach()
