"""Data-parallel training and corpus encoding through PyTorch DDP, launched by `torchrun` (`training.ddp_main`).

Each process holds a full copy of the encoder (`DistributedDataParallel` averages the gradients) and takes its
contiguous share of every global batch of the seeded plan (`batches.index_batches`), so N processes with a
per-process batch of B/N train on the same batches as one process with batch B.

In-batch negatives are gathered across processes, as DPR and Tevatron do: every process gathers all
processes' query and passage vectors with `torch.distributed.nn.functional.all_gather`, puts the passages back
in the one-process order (all positives, then all hard negatives) and computes the package's own loss
(`dual_encoder.loss_for`) on the whole global batch. Why this gives the one-process gradient, unscaled: the
gather's backward SUMS each process's gradient for a piece over the N processes that computed the (identical)
loss, so a process's own vectors receive N x dL/dx; DDP then divides the parameter gradients by N. The loss is
the global one on every process, so the logged curve is directly comparable to a one-process run. (Tevatron
multiplies its loss by N instead because it gathers WITHOUT gradient and swaps its own tensor back in.)
Computing the loss of the whole batch on every process costs a [B, N_passages] score matrix, negligible beside
the encoder, and keeps every objective (self-anchored MLR, the decorrelation penalty) exact without a
per-objective label offset.

With no torchrun environment, `init_from_env` returns a one-process context and nothing here initialises or
wraps anything: the same functions then run as the plain trainer does.
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.nn.functional import all_gather
from torch.nn.parallel import DistributedDataParallel

from mlrlib.methods.device import default_device
from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.methods.vector_store import VectorStore, encode_to_store
from mlrlib.training.batches import index_batches
from mlrlib.training.config import TrainConfig, inference_layers, training_layers
from mlrlib.training.dual_encoder import loss_for
from mlrlib.training.loop import optimize
from mlrlib.training.step import represent


@dataclass(frozen=True)
class Context:
    """Where this process sits in the job: its global rank, the number of processes, its rank on this
    machine (the GPU it drives) and its device."""
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    device: torch.device = torch.device("cpu")

    @property
    def main(self) -> bool:
        """The process that writes what is written once (checkpoint, logs)."""
        return self.rank == 0


def init_from_env() -> Context:
    """The context torchrun's RANK / WORLD_SIZE / LOCAL_RANK describe, with the process group initialised
    (nccl on CUDA, each process on GPU LOCAL_RANK; gloo on the CPU). Without them: one process, nothing
    initialised, on `default_device()`."""
    if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
        return Context(device=default_device())
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local = int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device("cpu")
    if default_device().type == "cuda":  # (`import mlrlib` set CUBLAS_WORKSPACE_CONFIG for deterministic cuBLAS)
        device = torch.device("cuda", local)
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo", rank=rank, world_size=world)
    return Context(rank, world, local, device)


def parallel() -> bool:
    return dist.is_available() and dist.is_initialized()


def barrier(ctx: Context) -> None:
    """Wait for every process (nothing to wait for in a one-process context)."""
    if not parallel():
        return
    if ctx.device.type == "cuda":
        dist.barrier(device_ids=[ctx.local_rank])  # nccl: on this process's GPU, not GPU 0
    else:
        dist.barrier()


def shutdown() -> None:
    if parallel():
        dist.destroy_process_group()


def gather_with_grad(t: torch.Tensor) -> torch.Tensor:
    """Every process's `t` concatenated along dim 0, in rank order; the backward pass sends each process the
    gradient of its own part, summed over the processes. Every process must pass the same shape."""
    if not parallel() or dist.get_world_size() == 1:
        return t
    with warnings.catch_warnings():  # deprecated for a private successor; this one's backward is the one we need
        warnings.filterwarnings("ignore", "torch.distributed.nn.functional.all_gather", FutureWarning)
        return torch.cat(all_gather(t), 0)


def shard(global_batch_indices: list[int], rank: int, world_size: int) -> list[int]:
    """Process `rank`'s contiguous share of a global batch. The batch must split evenly: every process must
    contribute the same number of vectors to the gather."""
    n = len(global_batch_indices)
    if n % world_size:
        raise ValueError(f"a global batch of {n} does not split evenly over {world_size} processes")
    size = n // world_size
    return list(global_batch_indices[rank * size:(rank + 1) * size])


def group_major(gathered: torch.Tensor, world_size: int, groups: int) -> torch.Tensor:
    """Rank-major [rank][group][item] rows -> the one-process order [group][rank][item]: each process's
    passages are (its positives, its negatives); the global batch is (all positives, all negatives)."""
    if world_size == 1 or groups == 1:
        return gathered
    rest = gathered.shape[1:]
    return gathered.reshape(world_size, groups, -1, *rest).transpose(0, 1).reshape(-1, *rest)


class PairEncoder(nn.Module):
    """Queries and passages through the encoder in ONE forward call, the unit DDP wraps (one forward per
    backward is what its reducer expects)."""

    def __init__(self, encoder: MultiLayerEncoder, cfg: TrainConfig):
        super().__init__()
        self.encoder, self.cfg = encoder, cfg

    def forward(self, queries, passages):
        q_layers, p_layers = training_layers(self.cfg)
        return (represent(self.encoder, queries, self.cfg.q_max_len, q_layers, self.cfg),
                represent(self.encoder, passages, self.cfg.p_max_len, p_layers, self.cfg))


def wrap(module: nn.Module, ctx: Context) -> nn.Module:
    """DDP around `module` in a process group, the module itself otherwise. find_unused_parameters: BERT's
    pooler and the layers above the highest layer used get no gradient, which DDP must be told to expect."""
    if not parallel():
        return module
    ids = [ctx.local_rank] if ctx.device.type == "cuda" else None
    return DistributedDataParallel(module, device_ids=ids, find_unused_parameters=True)


def grad_norm(module: nn.Module) -> float:
    """The L2 norm of the (averaged) gradient: equal to the one-process one only if the scaling is right."""
    grads = [p.grad.detach().float().norm() for p in module.parameters() if p.grad is not None]
    return float(torch.stack(grads).norm()) if grads else 0.0


def train_data_parallel(encoder: MultiLayerEncoder, pairs, negatives, cfg: TrainConfig, ctx: Context,
                        loss_fn=None, progress=False) -> list[dict]:
    """Train `encoder` in place on this process's share of every global batch (`cfg.batch_size` queries over
    all processes); returns per step {"loss": the global batch's loss, "grad_norm"}. `negatives` may be None
    when cfg.hard_negatives is off. Optimizer and schedule are `loop.optimize`'s."""
    if cfg.grad_cache_chunk:
        raise ValueError("gradient caching is not supported data-parallel; lower the per-process batch instead")
    loss_fn = loss_fn or loss_for(cfg)
    encoder.to(ctx.device)
    model = wrap(PairEncoder(encoder, cfg), ctx)
    groups = 2 if cfg.hard_negatives else 1
    plan = [shard(b, ctx.rank, ctx.world_size) for b in index_batches(len(pairs), cfg.batch_size, cfg.steps, cfg.seed)]

    def step(idx):
        passages = [pairs[i]["positive"] for i in idx] + ([negatives[i] for i in idx] if groups == 2 else [])
        q, d = model([pairs[i]["query"] for i in idx], passages)
        loss = loss_fn(gather_with_grad(q), group_major(gather_with_grad(d), ctx.world_size, groups))
        loss.backward()
        value = float(loss.detach())
        return value, {"loss": value, "grad_norm": grad_norm(encoder)}
    return optimize(encoder, plan, cfg, step, progress=progress and ctx.main, desc=f"train (x{ctx.world_size})")


def encode_corpus_distributed(encoder: MultiLayerEncoder, texts, layer_sets: dict[str, list[int]], folder,
                              ctx: Context, **kw):
    """Encode `texts` into the vector store at `folder`, each process its chunks (chunk c on rank c % N), then
    wait for all; returns the store opened after every chunk is written. `kw` goes to `encode_to_store`. Like
    that, it resumes: chunks an earlier run of the same spec finished are kept, so give a new model a new folder."""
    encoder.to(ctx.device)
    encode_to_store(encoder, texts, layer_sets, folder, rank=ctx.rank, world_size=ctx.world_size, **kw)
    barrier(ctx)
    store = VectorStore.open(folder)
    if not store.complete:
        raise RuntimeError(f"{folder}: chunks {store.missing()} are missing after every process finished")
    return store


def passage_layer_sets(cfg: TrainConfig) -> dict[str, list[int]]:
    """The store's layer set for a model trained with `cfg`: the passage layers search uses."""
    return {"passages": inference_layers(cfg)[1]}
