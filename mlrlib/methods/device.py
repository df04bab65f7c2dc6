"""Where models, batches and search run: one setting for the whole package.

CUDA when a GPU is visible, else the CPU; the environment variable `MLRLIB_DEVICE` (`cpu`, `cuda`,
`cuda:1`, ...) overrides it. Everything that creates a tensor for a model (tokenised batches, labels,
masks, teacher scores) puts it on the model's own device (`device_of`), so a model moved once carries
its batches with it. Mixed precision is bfloat16 autocast on either device.
"""
from __future__ import annotations

import os
from contextlib import nullcontext

import torch

ENV = "MLRLIB_DEVICE"


def default_device() -> torch.device:
    """`MLRLIB_DEVICE` if set, else CUDA when available, else the CPU. A CUDA device asked for on a
    machine without one is an error that says what to set."""
    wanted = os.environ.get(ENV, "").strip()
    if not wanted:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(wanted)
    except RuntimeError as e:
        raise ValueError(f"{ENV}={wanted!r} is not a device ({e}); use cpu, cuda or cuda:N") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"{ENV}={wanted!r} but torch sees no CUDA device here; unset it or set {ENV}=cpu")
    return device


def device_of(module: torch.nn.Module) -> torch.device:
    """The device of a module's first parameter (the CPU for a module without any)."""
    return next((p.device for p in module.parameters()), torch.device("cpu"))


def to_device(batch: dict, device: torch.device) -> dict:
    """A tokenised batch (a dict or `BatchEncoding` of tensors) with every tensor on `device`."""
    return {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}


def autocast(device: torch.device | str, enabled: bool):
    """bfloat16 autocast on `device`'s type when `enabled`, else a context that changes nothing."""
    if not enabled:
        return nullcontext()
    kind = torch.device(device).type
    return torch.autocast("cuda" if kind == "cuda" else "cpu", dtype=torch.bfloat16)
